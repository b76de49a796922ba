#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cumulative progress over every file one dataset read touches.
final class ProgressTracker {
    let total: Int64
    private(set) var done: Int64 = 0
    private let callback: (@Sendable (Int64, Int64) -> Void)?

    init(total: Int64, callback: (@Sendable (Int64, Int64) -> Void)?) {
        self.total = total
        self.callback = callback
    }

    func advance(by bytes: Int) {
        done += Int64(bytes)
        callback?(done, max(total, done))
    }
}

/// A file read in fixed-size chunks into one reusable buffer: constant memory in the file size.
///
/// Readers scan `base[head..<end]`, move `head` past what they consumed, and call ``refill()``
/// when a record runs off the end. `refill` slides the unconsumed tail to the front and reads
/// the next chunk behind it, so a record never has to fit in one chunk, only in `capacity`.
final class ByteStream {
    /// The name used in messages.
    let displayName: String
    /// File size in bytes at open time.
    let size: Int64
    let capacity: Int
    let chunkSize: Int
    let base: UnsafeMutablePointer<UInt8>
    /// First unconsumed byte.
    var head = 0
    /// One past the last valid byte.
    private(set) var end = 0
    /// True once `read` returned 0: no byte beyond `end` will ever arrive.
    private(set) var atEOF = false
    /// Bytes of the file that have left `base` through `head` moves (for absolute positions).
    private(set) var discarded: Int64 = 0

    private let fd: Int32
    private let progress: ProgressTracker?

    /// Opens `path` for reading.
    /// - Throws: ``DatasetError`` when the file cannot be opened or is a directory.
    init(path: String, displayName: String, chunkSize: Int = 1 << 20, capacity: Int = 4 << 20, progress: ProgressTracker?) throws(DatasetError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DatasetError("\(displayName): cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw DatasetError("\(displayName): cannot read: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw DatasetError("\(displayName): is a directory, expected a file")
        }
        self.fd = fd
        self.displayName = displayName
        self.size = Int64(info.st_size)
        self.chunkSize = chunkSize
        self.capacity = max(capacity, chunkSize)
        self.base = .allocate(capacity: self.capacity)
        self.progress = progress
    }

    deinit {
        base.deallocate()
        close(fd)
    }

    /// True when one unconsumed run fills the whole buffer, so no more bytes fit behind it.
    var isFull: Bool { head == 0 && end == capacity }

    /// Slides unconsumed bytes to the front and reads up to one chunk behind them.
    /// - Returns: the number of new bytes (0 at end of file or when ``isFull``).
    @discardableResult
    func refill() throws(DatasetError) -> Int {
        if head > 0 {
            let remaining = end - head
            if remaining > 0 { memmove(base, base + head, remaining) }
            discarded += Int64(head)
            end = remaining
            head = 0
        }
        guard !atEOF else { return 0 }
        let room = min(chunkSize, capacity - end)
        guard room > 0 else { return 0 }
        while true {
            let n = read(fd, base + end, room)
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError("\(displayName): read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { atEOF = true }
            end += n
            progress?.advance(by: n)
            return n
        }
    }

    /// Drops everything buffered (used to skip the rest of an overlong line).
    func discardAll() {
        head = end
    }
}
