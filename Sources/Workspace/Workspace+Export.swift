import Foundation
import InterestGraph
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Workspace {
    /// Writes a run's log as CSV in the generic layout every reader takes:
    /// `user,item,timestamp,action,value,category,brand,price`, categories `|`-separated,
    /// fields quoted per RFC 4180 when they hold a comma, a quote or a line break.
    ///
    /// Timestamps and numbers are written in the shortest form that reads back to the same
    /// `Double`, so reading the file with `DatasetLoader` gives the logged events exactly
    /// (categories containing `|` or `;` excepted: readers split at both). The file is
    /// created owner-only (0600), like the workspace: it holds the same personal data.
    /// - Returns: the number of events written.
    @discardableResult
    public func exportEvents(run: Int64, to output: String) throws -> Int {
        let fd = open(output, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw WorkspaceError(.io, "\(output): cannot write (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func drain() throws {
            var done = 0
            while done < buffer.count {
                let n = buffer.withUnsafeBytes { WorkspaceFile.writeBytes(fd, $0.baseAddress! + done, buffer.count - done) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else {
                    throw WorkspaceError(.io, "\(output): write failed (\(String(cString: strerror(errno))))")
                }
                done += n
            }
            buffer.removeAll(keepingCapacity: true)
        }
        buffer.append(contentsOf: "user,item,timestamp,action,value,category,brand,price\n".utf8)
        var reader = try events(run: run)
        var count = 0
        while let recorded = try reader.next() {
            CSVRow.append(recorded.event, to: &buffer)
            count += 1
            if buffer.count >= 1 << 20 { try drain() }
        }
        try drain()
        return count
    }
}

/// One event as a CSV line.
enum CSVRow {
    static func append(_ e: Event, to out: inout [UInt8]) {
        field(e.user, to: &out)
        out.append(UInt8(ascii: ","))
        field(e.item, to: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: "\(e.timestamp)".utf8)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: e.action.name.utf8)
        out.append(UInt8(ascii: ","))
        if let v = e.value, v.isFinite { out.append(contentsOf: "\(v)".utf8) }
        out.append(UInt8(ascii: ","))
        if let a = e.attributes {
            field(a.categories.joined(separator: "|"), to: &out)
            out.append(UInt8(ascii: ","))
            if let b = a.brand { field(b, to: &out) }
            out.append(UInt8(ascii: ","))
            if let p = a.price, p.isFinite { out.append(contentsOf: "\(p)".utf8) }
        } else {
            out.append(contentsOf: ",,".utf8)
        }
        out.append(UInt8(ascii: "\n"))
    }

    static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D

    static func needsQuoting(_ byte: UInt8) -> Bool {
        byte == comma || byte == quote || byte == newline || byte == carriageReturn
    }

    /// RFC 4180: quote when the text holds a comma, a quote or a line break; double quotes.
    static func field(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        let needsQuotes = utf8.contains(where: needsQuoting)
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in utf8 {
            if b == quote { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
