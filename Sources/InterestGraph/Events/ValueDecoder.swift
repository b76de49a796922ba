/// Turns field bytes into event values, raising a ``RowProblem`` that names the column.
///
/// Shared by the delimited and JSON Lines readers; `at` is the buffer offset of the field's
/// first byte, so a problem (an invalid UTF-8 byte, say) points at the exact column.
struct ValueDecoder {
    private var actionKeys: [[UInt8]] = []
    private var actionValues: [Action] = []

    /// A non-empty identifier (user, item), trimmed.
    @inline(__always)
    func identifier(_ raw: FieldBytes, at offset: Int, column: String) throws(RowProblem) -> String {
        if let bad = FieldParsing.firstInvalidUTF8(raw) {
            throw RowProblem(kind: .invalidUTF8, reason: "invalid UTF-8 in column '\(column)'", offset: offset + bad)
        }
        let b = FieldParsing.trim(raw)
        guard !b.isEmpty else {
            throw RowProblem(kind: .emptyField, reason: "empty \(column) in column '\(column)'", offset: offset)
        }
        return FieldParsing.string(b)
    }

    /// Seconds since the epoch from epoch s/ms/us/ns or ISO-8601.
    @inline(__always)
    func timestamp(_ raw: FieldBytes, at offset: Int, column: String) throws(RowProblem) -> Double {
        if let t = FieldParsing.timestamp(raw) { return t }
        let b = FieldParsing.trim(raw)
        if b.isEmpty {
            throw RowProblem(kind: .emptyField, reason: "empty timestamp in column '\(column)'", offset: offset)
        }
        throw RowProblem(
            kind: .badTimestamp,
            reason: "bad timestamp '\(FieldParsing.preview(b))' in column '\(column)' (expected epoch seconds or milliseconds, or ISO-8601 such as 2024-03-01T12:00:00Z)",
            offset: offset)
    }

    /// An action name, through a small cache of the spellings seen so far.
    @inline(__always)
    mutating func action(_ raw: FieldBytes, at offset: Int, column: String) throws(RowProblem) -> Action {
        let b = FieldParsing.trim(raw)
        for k in actionKeys.indices where actionKeys[k].count == b.count {
            // Byte by byte over the raw buffers: the generic `elementsEqual` was 1% of the
            // reading thread (perf), for a word of a few letters per row.
            if actionKeys[k].withUnsafeBufferPointer({ key in Self.sameBytes(key, b) }) { return actionValues[k] }
        }
        guard !b.isEmpty else {
            throw RowProblem(kind: .emptyField, reason: "empty action in column '\(column)'", offset: offset)
        }
        guard FieldParsing.firstInvalidUTF8(b) == nil, let action = Action(parsing: FieldParsing.string(b)) else {
            let known = Action.allCases.map(\.name).joined(separator: ", ")
            throw RowProblem(
                kind: .unknownAction,
                reason: "unknown action '\(FieldParsing.preview(b))' in column '\(column)' (expected \(known), or a known alias)",
                offset: offset)
        }
        if actionKeys.count < 64 {
            actionKeys.append(Array(b))
            actionValues.append(action)
        }
        return action
    }

    @inline(__always)
    private static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for k in 0..<a.count where a[k] != b[k] { return false }
        return true
    }

    /// An optional number: empty means absent.
    @inline(__always)
    func number(_ raw: FieldBytes, at offset: Int, column: String) throws(RowProblem) -> Double? {
        let b = FieldParsing.trim(raw)
        if b.isEmpty { return nil }
        guard let v = FieldParsing.double(b) else {
            throw RowProblem(kind: .badNumber, reason: "bad number '\(FieldParsing.preview(b))' in column '\(column)'", offset: offset)
        }
        return v
    }

    /// Optional text: empty means absent.
    func text(_ raw: FieldBytes, at offset: Int, column: String) throws(RowProblem) -> String? {
        if let bad = FieldParsing.firstInvalidUTF8(raw) {
            throw RowProblem(kind: .invalidUTF8, reason: "invalid UTF-8 in column '\(column)'", offset: offset + bad)
        }
        let b = FieldParsing.trim(raw)
        return b.isEmpty ? nil : FieldParsing.string(b)
    }

    /// A multi-valued field split at `separators`.
    func list(_ raw: FieldBytes, at offset: Int, column: String, separators: Separators) throws(RowProblem) -> [String] {
        if let bad = FieldParsing.firstInvalidUTF8(raw) {
            throw RowProblem(kind: .invalidUTF8, reason: "invalid UTF-8 in column '\(column)'", offset: offset + bad)
        }
        if raw.isEmpty { return [] }
        return FieldParsing.split(raw, separators: separators).map(FieldParsing.string)
    }
}

/// Builds events from delimited rows through a resolved ``ColumnSchema``.
///
/// Without an action column a row with a value (rating, weight) is a `.rating`, any other row
/// a `.view`: rating datasets such as MovieLens carry no action, and a bare interaction log
/// is most honestly read as views.
struct DelimitedEventDecoder {
    let schema: ColumnSchema
    let categorySeparators: Separators
    var values = ValueDecoder()
    /// The attribute sets of rows seen so far, by their fields' bytes.
    private var attributeCache = RowAttributeCache()
    private let user: Int, item: Int, time: Int, action: Int, value: Int, category: Int, brand: Int, price: Int
    private let names: [String]

    init(schema: ColumnSchema, categorySeparators: Separators) {
        self.schema = schema
        self.categorySeparators = categorySeparators
        user = schema[.user]
        item = schema[.item]
        time = schema[.timestamp]
        action = schema[.action]
        value = schema[.value]
        category = schema[.category]
        brand = schema[.brand]
        price = schema[.price]
        names = EventField.allCases.map { schema.columnName($0) }
    }

    /// The row's event.
    /// - Complexity: O(row length).
    @inline(__always)
    mutating func event(from row: DelimitedRow) throws(RowProblem) -> Event {
        let decoded = try self.row(from: row)
        let attributes = decoded.attributes ?? (foundSlot >= 0 ? attributeCache.attributes(atSlot: foundSlot) : nil)
        return Event(user: decoded.user, item: decoded.item, action: decoded.action, timestamp: decoded.timestamp,
                     value: decoded.value, attributes: attributes)
    }

    /// The cache slot where the last ``row(from:)`` found its set (and so left it out of the
    /// row), -1 when it did not.
    private var foundSlot = -1

    /// The row's values, its attribute set by id when the cache knew it (``DecodedRow``).
    /// - Complexity: O(row length); a row whose set is cached copies no attribute value.
    @inline(__always)
    mutating func row(from row: DelimitedRow) throws(RowProblem) -> DecodedRow {
        let userID = try values.identifier(row.bytes(user), at: row.spans[user].start, column: names[EventField.user.rawValue])
        let itemID = try values.identifier(row.bytes(item), at: row.spans[item].start, column: names[EventField.item.rawValue])
        let t = try values.timestamp(row.bytes(time), at: row.spans[time].start, column: names[EventField.timestamp.rawValue])
        var v: Double?
        if value >= 0 { v = try values.number(row.bytes(value), at: row.spans[value].start, column: names[EventField.value.rawValue]) }
        let kind: Action
        if action >= 0 {
            kind = try values.action(row.bytes(action), at: row.spans[action].start, column: names[EventField.action.rawValue])
        } else {
            kind = v == nil ? .view : .rating
        }
        var attributes: ItemAttributes?
        var setID: Int32 = 0
        foundSlot = -1
        if category >= 0 || brand >= 0 || price >= 0 {
            // Each field's bytes taken once: an escaped field is collapsed into the row's
            // scratch space per call.
            let empty = FieldBytes(start: nil, count: 0)
            let categoryBytes = category >= 0 ? row.bytes(category) : empty
            let brandBytes = brand >= 0 ? row.bytes(brand) : empty
            let priceBytes = price >= 0 ? row.bytes(price) : empty
            let key = RowAttributeCache.Key(categoryBytes, brandBytes, priceBytes)
            if let slot = attributeCache.slot(of: key) {
                setID = attributeCache.setID(atSlot: slot)
                foundSlot = slot
            } else {
                var a = ItemAttributes()
                if category >= 0 {
                    a.categories = try values.list(categoryBytes, at: row.spans[category].start, column: names[EventField.category.rawValue], separators: categorySeparators)
                }
                if brand >= 0 { a.brand = try values.text(brandBytes, at: row.spans[brand].start, column: names[EventField.brand.rawValue]) }
                if price >= 0 { a.price = try values.number(priceBytes, at: row.spans[price].start, column: names[EventField.price.rawValue]) }
                // Only bytes that parsed: a rejected row's are rejected again, with its own line.
                (setID, attributes) = attributeCache.insert(a.isEmpty ? nil : a, for: key)
            }
        }
        return DecodedRow(user: userID, item: itemID, action: kind, timestamp: t, value: v, attributes: attributes,
                          attributeSet: setID, attributeSpace: attributeCache.space)
    }
}
