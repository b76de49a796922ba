import InterestGraph

/// How a live stream's state reads on screen: the connection in the status line, the lag
/// per partition and the rejected entries in the Events panel.
enum StreamStatusText {
    /// "stream ok", "stream connecting…", "stream reconnecting (3): Connection refused".
    static func statusSpan(_ stream: StreamStatus, bar: CellStyle, error: CellStyle) -> Span {
        switch stream.connection {
        case .connected:
            return Span("stream ok", bar)
        case .connecting:
            return Span("stream connecting…", error)
        case .reconnecting:
            let why = stream.lastError.map { ": " + ($0.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? $0) } ?? ""
            return Span(" stream reconnecting (\(stream.attempts))\(why) ", error)
        }
    }

    /// "  lag 12 [3 0 9 0]  rejected 2": entries not yet read, in total and per partition.
    static func lagSpans(_ stream: StreamStatus, text: CellStyle, dim: CellStyle, warning: CellStyle) -> [Span] {
        var spans = [Span("  lag ", dim), Span(stream.totalLag.map { Format.grouped($0) } ?? "?", text)]
        if stream.partitions.count > 1 {
            let each = stream.partitions.map { $0.lag.map { Format.grouped($0) } ?? "?" }.joined(separator: " ")
            spans.append(Span(" [" + each + "]", dim))
        }
        if stream.rejected > 0 {
            spans.append(Span("  rejected ", dim))
            spans.append(Span(Format.grouped(stream.rejected), warning))
        }
        return spans
    }
}
