/// The fixed vocabulary of the simulated shop: departments, their categories, price levels,
/// materials and the syllables brand and maker names are made of.
///
/// Kept as data so that every generated name reads like a real shop ("Home/Kitchen",
/// "Norvik Minimalist Kettle") and so that scenario files can name departments.
enum ShopVocabulary {
    struct Department: Sendable {
        var name: String
        var categories: [String]
        /// Median price of a mid-tier item, in currency units.
        var basePrice: Double
        /// Purchases here tend to be repeated (coffee, nappies, cat food).
        var consumable: Bool
        var materials: [String]
    }

    /// At most 12 departments of at most 8 categories each.
    static let departments: [Department] = [
        Department(name: "Home", categories: ["Kitchen", "Bedding", "Lighting", "Storage", "Decor", "Bath", "Furniture", "Cleaning"],
                   basePrice: 35, consumable: false, materials: ["Steel", "Oak", "Ceramic", "Cotton", "Glass", "Bamboo"]),
        Department(name: "Sports", categories: ["Running", "Cycling", "Yoga", "Camping", "Fitness", "Swimming", "Team Sports", "Climbing"],
                   basePrice: 45, consumable: false, materials: ["Nylon", "Polyester", "Carbon", "Rubber", "Aluminium", "Merino"]),
        Department(name: "Electronics", categories: ["Phones", "Laptops", "Audio", "Cameras", "Gaming", "Wearables", "TV", "Accessories"],
                   basePrice: 160, consumable: false, materials: ["Aluminium", "Plastic", "Glass", "Silicone", "Carbon"]),
        Department(name: "Fashion", categories: ["Shoes", "Dresses", "Outerwear", "Bags", "Jewelry", "Denim", "Knitwear", "Watches"],
                   basePrice: 55, consumable: false, materials: ["Cotton", "Leather", "Wool", "Denim", "Silk", "Linen"]),
        Department(name: "Beauty", categories: ["Skincare", "Makeup", "Haircare", "Fragrance", "Nails", "Shaving", "Body Care", "Sun Care"],
                   basePrice: 18, consumable: true, materials: ["Aloe", "Argan Oil", "Shea", "Vitamin C", "Retinol"]),
        Department(name: "Grocery", categories: ["Coffee", "Tea", "Snacks", "Pantry", "Breakfast", "Beverages", "Organic", "Sweets"],
                   basePrice: 7, consumable: true, materials: ["Arabica", "Wholegrain", "Cocoa", "Oat", "Green Tea"]),
        Department(name: "Baby", categories: ["Diapers", "Feeding", "Strollers", "Nursery", "Baby Toys", "Baby Care", "Car Seats", "Maternity"],
                   basePrice: 25, consumable: true, materials: ["Cotton", "Silicone", "Bamboo", "Plastic", "Oak"]),
        Department(name: "Garden", categories: ["Plants", "Tools", "Outdoor Furniture", "Grills", "Seeds", "Watering", "Lawn Care", "Pots"],
                   basePrice: 30, consumable: false, materials: ["Steel", "Teak", "Terracotta", "Rattan", "Plastic"]),
        Department(name: "Books", categories: ["Fiction", "Cooking", "Travel", "Children", "Comics", "Science", "History", "Self Help"],
                   basePrice: 14, consumable: false, materials: ["Paperback", "Hardcover", "Illustrated"]),
        Department(name: "Toys", categories: ["Building Sets", "Puzzles", "Board Games", "Dolls", "Outdoor Play", "Crafts", "RC Cars", "Plush"],
                   basePrice: 25, consumable: false, materials: ["Plastic", "Wood", "Plush", "Cardboard"]),
        Department(name: "Pets", categories: ["Dog Food", "Cat Food", "Pet Toys", "Aquarium", "Pet Beds", "Grooming", "Treats", "Litter"],
                   basePrice: 20, consumable: true, materials: ["Chicken", "Salmon", "Rubber", "Fleece", "Grain Free"]),
        Department(name: "Auto", categories: ["Car Care", "Tyres", "Tools", "Car Electronics", "Interior", "Oils", "Roof Racks", "Lights"],
                   basePrice: 40, consumable: false, materials: ["Steel", "Rubber", "Plastic", "Synthetic"]),
    ]

    static let maxCategoriesPerDepartment = 8

    static let styles = ["Minimalist", "Classic", "Sporty", "Eco", "Luxury", "Playful", "Vintage", "Outdoor", "Compact", "Pro"]

    static let brandPrefixes = ["Nor", "Al", "Ves", "Kai", "Bren", "Lum", "Ori", "Tal", "Mira", "Quin",
                                "Sol", "Vel", "Zan", "Ari", "Cor", "Dun", "Elo", "Fen", "Gra", "Hal",
                                "Iso", "Jun", "Kes", "Lor", "Mon", "Nex", "Oka", "Pel", "Rho", "Sav"]
    static let brandSuffixes = ["vik", "dera", "ta", "ona", "mark", "ix", "sen", "ora", "wood", "line",
                                "ello", "ford", "ani", "ter", "via", "lux", "stone", "ley", "ric", "do"]

    static let makerNames = ["Aster", "Boreal", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor",
                             "Indigo", "Juniper", "Keystone", "Lumen", "Meridian", "Northwind", "Onyx", "Pioneer"]
    static let makerKinds = ["Group", "Industries", "Holdings", "Works"]
    static let countries = ["Sweden", "Germany", "Japan", "Italy", "Canada", "Korea", "France", "Denmark", "Portugal", "Vietnam"]

    /// Price tiers as multiples of the department's base price.
    static let tierMultiplier: [Double] = [0.45, 1.0, 2.6]
    static let tierNames = ["budget", "mid", "premium"]

    /// Qualifiers that make the third level of a large catalogue ("Home/Kitchen/Kitchen Essentials"):
    /// generic on purpose, so any category takes them; past the list, leaves are numbered.
    static let subcategoryQualifiers = ["Essentials", "Premium", "Kids", "Travel", "Accessories", "Sets",
                                        "Refills", "Classics", "Smart", "Eco", "Outdoor", "Compact"]

    /// The name of subcategory `k` (0-based) of `category`: "Kitchen Essentials", ..., then
    /// "Kitchen 13" and up once the qualifiers run out.
    static func subcategoryName(_ category: String, _ k: Int) -> String {
        k < subcategoryQualifiers.count ? "\(category) \(subcategoryQualifiers[k])" : "\(category) \(k + 1)"
    }

    /// The first `count` departments, each cut to `categoriesPerDepartment` categories, as
    /// "Department/Category" names in the order the catalogue numbers them.
    static func categoryNames(departments count: Int, categoriesPerDepartment perDepartment: Int) -> [String] {
        departments.prefix(count).flatMap { d in d.categories.prefix(perDepartment).map { "\(d.name)/\($0)" } }
    }

    /// The leaves of the tree in catalogue order: the categories themselves when
    /// `subcategoriesPerCategory` is 0 (the two-level shop), else "Department/Category/Subcategory".
    static func leafNames(departments count: Int, categoriesPerDepartment perDepartment: Int, subcategoriesPerCategory sub: Int) -> [String] {
        let categories = categoryNames(departments: count, categoriesPerDepartment: perDepartment)
        guard sub > 0 else { return categories }
        return categories.flatMap { path in
            let short = path.split(separator: "/").last.map(String.init) ?? path
            return (0..<sub).map { "\(path)/\(subcategoryName(short, $0))" }
        }
    }
}
