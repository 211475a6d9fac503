import Timing

extension TransferPhase {
    /// The phase as reports write it, the same words the bottlenecks use ("warehouse wait").
    public var label: String {
        self == .warehouseWait ? BottleneckKind.warehouseWait.label : rawValue
    }
}
