/// The department level of the category tree, as the change test reads it: each category's
/// department and each department's number of categories.
///
/// A department is the first component of a category's path ("Baby" for "Baby/Nursery"); a
/// category without a "/" is a department of its own. A category the map does not know yet
/// (one that arrived since the last ``register(name:)``) counts as a department of its own too.
public struct CategoryDepartments: Sendable {
    /// Department of each dense category id.
    private(set) var department: [Int32] = []
    /// Categories per department.
    private(set) var size: [Int32] = []
    private var index: [String: Int32] = [:]

    public init() {}

    /// A map from the category names in dense id order.
    public init(names: some Sequence<String>) {
        for name in names { register(name: name) }
    }

    /// A map from each category's department id (dense, 0-based) in category order.
    init(departments: [Int]) {
        for d in departments {
            while size.count <= d { size.append(0) }
            department.append(Int32(d))
            size[d] += 1
        }
    }

    /// Categories the map knows.
    public var categoryCount: Int { department.count }
    /// Departments the map knows.
    public var departmentCount: Int { size.count }

    /// Adds the next dense category id, by its name.
    public mutating func register(name: String) {
        let key = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
        let d: Int32
        if let known = index[key] {
            d = known
        } else {
            d = Int32(size.count)
            index[key] = d
            size.append(0)
        }
        department.append(d)
        size[Int(d)] += 1
    }

    /// The department of category `c` (a negative id of its own for an unknown category) and
    /// the number of categories in it.
    @inline(__always)
    func of(_ c: Int32) -> (department: Int32, size: Int32) {
        let k = Int(c)
        guard k >= 0, k < department.count else { return (-1 - c, 1) }
        let d = department[k]
        return (d, size[Int(d)])
    }

    /// Departments among `categoryCount` categories: the known ones plus one per unknown category.
    @inline(__always)
    func count(among categoryCount: Int) -> Int {
        size.count + max(0, categoryCount - department.count)
    }
}
