
/// One decoded array: its buffers in Arrow C Data Interface order, retained as slices of the
/// received bytes (or freshly decompressed ones), its children and, for dictionary-encoded arrays,
/// the dictionary values.
///
/// Immutable after decoding, hence Sendable. Layout and offsets were validated when it was built
/// (``ArrayValidator``): an ArrayData never points outside its buffers.
public final class ArrayData: Sendable {
    public let length: Int
    public let nullCount: Int
    /// Logical offset into the buffers (0 for arrays read from IPC).
    public let offset: Int
    /// nil means absent (a validity bitmap with no nulls, or a zero-length buffer).
    public let buffers: [ArrowBuffer?]
    public let children: [ArrayData]
    public let dictionary: ArrayData?

    init(length: Int, nullCount: Int, offset: Int = 0, buffers: [ArrowBuffer?], children: [ArrayData] = [],
         dictionary: ArrayData? = nil) {
        self.length = length; self.nullCount = nullCount; self.offset = offset
        self.buffers = buffers; self.children = children; self.dictionary = dictionary
    }

    /// Bytes of buffer `index` (0 when absent).
    func size(of index: Int) -> Int { index < buffers.count ? buffers[index]?.readableBytes ?? 0 : 0 }
}

/// A record batch: `length` rows of the schema's columns. The column buffers are slices of the
/// bytes the decoder was fed (no copies) unless the stream compressed them.
public struct RecordBatch: Sendable {
    public var length: Int
    public var schema: ArrowSchemaDescription
    /// One array per schema field.
    public var columns: [ArrayData]

    init(length: Int, schema: ArrowSchemaDescription, columns: [ArrayData]) {
        self.length = length; self.schema = schema; self.columns = columns
    }
}
