/// One accepted row's values on their way into a columnar store (``CompactEvents/Builder``),
/// without the ``Event`` a reader's `body` gets.
///
/// Why: building an `Event` per row retained its attribute set's category list and brand,
/// and storing it compared the set with the item's last one before releasing it all again:
/// about a tenth of the reading thread on the `large` scenario (perf), for sets the reader's
/// cache had already told apart. A delimited reader hands such a row its set's id in the
/// cache instead (``attributeSet``), and the store maps each id to its own table once.
struct DecodedRow {
    var user: String
    var item: String
    var action: Action
    var timestamp: Double
    var value: Double?
    /// The attribute set, when this row carries it: every row without a cache id, and the
    /// row that filed an id (the first of that id), so a store learns each id's set from it.
    var attributes: ItemAttributes?
    /// The set's id in the reader's ``RowAttributeCache`` (`attributeSpace`), 0 when the row
    /// has no attributes or its set is not cached.
    var attributeSet: Int32 = 0
    var attributeSpace: UInt32 = 0
}

extension DecodedRow {
    /// An event's values (its set carried, not by id).
    init(_ event: Event) {
        self.init(user: event.user, item: event.item, action: event.action, timestamp: event.timestamp,
                  value: event.value, attributes: event.attributes)
    }
}
