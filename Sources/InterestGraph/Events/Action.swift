/// What a user did to an item.
///
/// The set is closed on purpose: an action name a reader does not know is reported as a bad
/// row rather than silently mapped to something else (a `"refund"` counted as a purchase would
/// poison every profile it touches). Aliases are listed explicitly in ``init(parsing:)``.
public enum Action: UInt8, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    case view = 0
    case click = 1
    case cart = 2
    case purchase = 3
    case review = 4
    case rating = 5

    /// The canonical lower-case name, as written by `simulate` and `export-events`.
    public var name: String {
        switch self {
        case .view: "view"
        case .click: "click"
        case .cart: "cart"
        case .purchase: "purchase"
        case .review: "review"
        case .rating: "rating"
        }
    }

    public var description: String { name }

    /// Every spelling a reader accepts, canonical names first.
    public static let aliases: [String: Action] = [
        "view": .view, "views": .view, "pageview": .view, "page_view": .view, "impression": .view,
        "detail": .view, "show": .view,
        "click": .click, "clicks": .click, "tap": .click,
        "cart": .cart, "addtocart": .cart, "add_to_cart": .cart, "add-to-cart": .cart,
        "add": .cart, "basket": .cart,
        "purchase": .purchase, "buy": .purchase, "order": .purchase, "transaction": .purchase,
        "checkout": .purchase,
        "review": .review, "comment": .review,
        "rating": .rating, "rate": .rating, "rated": .rating,
    ]

    /// Parses an action name case-insensitively; `nil` for anything not in ``aliases``.
    public init?(parsing text: some StringProtocol) {
        var key = String(text).lowercased()
        key.removeAll(where: { $0 == " " })
        guard let action = Action.aliases[key] else { return nil }
        self = action
    }
}
