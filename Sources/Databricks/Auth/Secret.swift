/// A credential value (token, client secret, access token) whose descriptions never reveal it.
///
/// Interpolating a `Secret` into a log line, an error or a report prints `Secret(redacted)`; only
/// the HTTP layer reads ``exposedValue`` to build an `Authorization` header.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The raw value. Read it only to put it on the wire.
    public let exposedValue: String

    public init(_ value: String) { exposedValue = value }

    public var description: String { "Secret(redacted)" }
    public var debugDescription: String { description }
    /// `dump()` and `Mirror` see no children, so the value cannot leak through reflection either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
