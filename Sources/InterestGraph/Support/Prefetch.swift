internal import CPrefetch

/// Cache prefetch hints for the per-event path (`__builtin_prefetch` through `CPrefetch`).
///
/// Why: at a shop's size an event's rows are cold. The user tables hold a million 64-float
/// rows (256 MB each), so the user's final and session rows and the item's row each miss to
/// memory, one after another, in a replay that does a few hundred nanoseconds of arithmetic
/// per event (perf: the first touch of each row was most of `onlineSteps` and `observe`).
/// Asking for every line the event will touch as soon as its ids are known lets the misses
/// overlap each other and the graph update. Hints are not free: they hold line-fill buffers
/// until the line arrives, so asking for lines an event need not touch (the item's 64
/// transposed block lines, now copied in batches by `flushItemBlocks`) stalled the rest.
///
/// A hint never changes a result and never faults, so a stale or wrong address only wastes
/// a memory read; callers still keep the addresses inside their tables.
enum Prefetch {
    /// The lines of `count` floats from `start`, for reading.
    /// - Complexity: O(count / 16): one hint per 64-byte line.
    @inline(__always)
    static func read(_ start: UnsafePointer<Float>, count: Int) {
        var k = 0
        while k < count {
            ds_prefetch_read(start + k)
            k += 16
        }
    }

    /// The lines of `count` floats from `start`, for writing.
    /// - Complexity: O(count / 16).
    @inline(__always)
    static func write(_ start: UnsafePointer<Float>, count: Int) {
        var k = 0
        while k < count {
            ds_prefetch_write(start + k)
            k += 16
        }
    }

    /// The line holding `array[index]`, to be written (nothing when out of range).
    /// - Complexity: O(1).
    @inline(__always)
    static func element<T>(of array: [T], at index: Int) {
        guard index >= 0, index < array.count else { return }
        array.withUnsafeBufferPointer { ds_prefetch_write($0.baseAddress! + index) }
    }

    /// The line holding `*pointer`, for reading.
    /// - Complexity: O(1).
    @inline(__always)
    static func address<T>(_ pointer: UnsafePointer<T>) {
        ds_prefetch_read(pointer)
    }

    /// The line holding `array[index]`, for reading (nothing when out of range).
    /// - Complexity: O(1).
    @inline(__always)
    static func readElement<T>(of array: [T], at index: Int) {
        guard index >= 0, index < array.count else { return }
        array.withUnsafeBufferPointer { ds_prefetch_read($0.baseAddress! + index) }
    }

    /// The first line of the heap object whose reference is the first stored word of
    /// `array[index]`, to be written (nothing when out of range): for a struct whose first
    /// property is an array or a class reference, the object's header with its reference
    /// count, which copying the struct out of `array` retains.
    ///
    /// The entry is read as bits, without retaining anything (see ``listHeader(in:at:forWriting:)``);
    /// a struct laid out otherwise makes this a wasted hint, never a fault.
    /// - Complexity: O(1), one hint.
    @inline(__always)
    static func leadingObject<T>(in array: [T], at index: Int) {
        guard index >= 0, index < array.count, MemoryLayout<T>.size >= MemoryLayout<UInt>.size else { return }
        array.withUnsafeBufferPointer { entries in
            let bits = UnsafeRawPointer(entries.baseAddress! + index).load(as: UInt.self)
            guard let object = UnsafeRawPointer(bitPattern: bits) else { return }
            ds_prefetch_write(object)
        }
    }

    /// The lines holding the count and the first elements of `arrays[index]`, to be written
    /// (or only read, `forWriting: false`; nothing when out of range): a per-user or per-item list's header, which sits behind
    /// the outer array's entry, so it can only be asked for once that entry is in cache
    /// (``EngineCore/prefetchAhead()`` asks for the entry a few events earlier).
    ///
    /// The entry is read as the bits of the list's storage pointer, without retaining the
    /// list: an `Array` is one reference to a heap object whose count follows a 16-byte
    /// object header and whose elements follow the count and capacity (the layout of
    /// `_ContiguousArrayStorage`). Were that layout to change, the hint would miss, never fault.
    /// - Complexity: O(1), two hints.
    @inline(__always)
    static func listHeader<T>(in arrays: [[T]], at index: Int, forWriting: Bool = true) {
        guard index >= 0, index < arrays.count else { return }
        arrays.withUnsafeBufferPointer { outer in
            let bits = UnsafeRawPointer(outer.baseAddress! + index).load(as: UInt.self)
            guard let storage = UnsafeRawPointer(bitPattern: bits) else { return }
            if forWriting {
                ds_prefetch_write(storage + 16)
                ds_prefetch_write(storage + 80)
            } else {
                ds_prefetch_read(storage + 16)
                ds_prefetch_read(storage + 80)
            }
        }
    }
}
