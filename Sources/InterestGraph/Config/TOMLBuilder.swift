/// The tables of a document while it is read, and TOML's rules for defining them.
///
/// Tables are reference nodes so that a key or a `[[drift]]` header deep in the tree changes
/// its table in place. The first parser rebuilt the path of value-type ``TOMLTable``s for
/// every key and header, copying the whole array of tables each time: 20,000 `[[drift]]`
/// tables took over 20 s. Here each statement costs its key length, and the finished tree
/// is converted to ``TOMLTable`` once, at the end.
final class TOMLTableNode {
    /// How a table came to exist, which decides who may still add to it (TOML 1.0, "Table").
    enum Origin {
        /// Created on the way to a deeper header (`a` for `[a.b]`): a later `[a]` may define it.
        case implicit
        /// Defined by its own `[header]`, an `[[array]]` element, or the root.
        case header
        /// Created by a dotted key (`a.b = 1`): no `[header]` may define it afterwards.
        case dotted
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableNode)
        case arrayOfTables(TOMLArrayOfTablesNode)
    }

    var keys: [String] = []
    var entries: [String: Entry] = [:]
    var lines: [String: Int] = [:]
    var line: Int
    var origin: Origin

    init(line: Int, origin: Origin) {
        self.line = line
        self.origin = origin
    }

    func add(_ key: String, _ entry: Entry, line: Int) {
        keys.append(key)
        entries[key] = entry
        lines[key] = line
    }

    /// The finished table. Recursion depth is bounded by ``TOMLParser/maximumDepth``.
    func table() -> TOMLTable {
        var out = TOMLTable()
        out.line = line
        for key in keys {
            let value: TOMLValue
            switch entries[key]! {
            case .value(let v): value = v
            case .table(let node): value = .table(node.table())
            case .arrayOfTables(let array): value = .array(array.elements.map { .table($0.table()) })
            }
            out.set(key, value, line: lines[key] ?? line)
        }
        return out
    }
}

/// The elements of an `[[array]]`, appended to in place.
final class TOMLArrayOfTablesNode {
    var elements: [TOMLTableNode] = []
}

/// A rule broken while building the tree; the parser adds file, line and column.
struct TOMLBuildError: Error {
    var message: String
}

enum TOMLBuilder {
    /// `[path]`: defines the table at `path` and returns it for the keys that follow.
    static func defineTable(_ path: [String], in root: TOMLTableNode, line: Int) throws(TOMLBuildError) -> TOMLTableNode {
        let parent = try walkHeader(path.dropLast(), from: root, line: line)
        let name = path.last!
        let dotted = path.map(displayKey).joined(separator: ".")
        switch parent.entries[name] {
        case nil:
            let node = TOMLTableNode(line: line, origin: .header)
            parent.add(name, .table(node), line: line)
            return node
        case .table(let node)?:
            switch node.origin {
            case .implicit:
                node.origin = .header
                node.line = line
                return node
            case .header:
                throw TOMLBuildError(message: "table [\(dotted)] is defined twice")
            case .dotted:
                throw TOMLBuildError(message: "table [\(dotted)] is defined twice: dotted keys already defined it")
            }
        case .arrayOfTables?:
            throw TOMLBuildError(message: "table [\(dotted)] is already an array of tables ([[\(dotted)]])")
        case .value(let v)?:
            throw TOMLBuildError(message: notATable(name, v))
        }
    }

    /// `[[path]]`: appends a table to the array of tables at `path` and returns it.
    static func appendArrayTable(_ path: [String], in root: TOMLTableNode, line: Int) throws(TOMLBuildError) -> TOMLTableNode {
        let parent = try walkHeader(path.dropLast(), from: root, line: line)
        let name = path.last!
        let element = TOMLTableNode(line: line, origin: .header)
        switch parent.entries[name] {
        case nil:
            let array = TOMLArrayOfTablesNode()
            array.elements.append(element)
            parent.add(name, .arrayOfTables(array), line: line)
        case .arrayOfTables(let array)?:
            array.elements.append(element)
        case .table?, .value?:
            throw TOMLBuildError(message: "key '\(displayKey(name))' is not an array of tables")
        }
        return element
    }

    /// `a.b.c = value` in `table`: creates the tables `a` and `a.b` if needed.
    static func insert(_ keys: [String], _ value: TOMLValue, into table: TOMLTableNode, line: Int) throws(TOMLBuildError) {
        var node = table
        for part in keys.dropLast() {
            switch node.entries[part] {
            case nil:
                let child = TOMLTableNode(line: line, origin: .dotted)
                node.add(part, .table(child), line: line)
                node = child
            case .table(let child)?:
                switch child.origin {
                case .dotted: break
                case .implicit: child.origin = .dotted  // now defined: no [header] may define it later
                case .header:
                    throw TOMLBuildError(
                        message: "key '\(displayKey(part))' is a table with its own [header]; dotted keys cannot add to it")
                }
                node = child
            case .arrayOfTables?:
                throw TOMLBuildError(message: "key '\(displayKey(part))' is an array of tables; dotted keys cannot add to it")
            case .value(let v)?:
                if case .table = v {
                    throw TOMLBuildError(
                        message: "key '\(displayKey(part))' is not a table that can be extended: inline tables are complete")
                }
                throw TOMLBuildError(message: "key '\(displayKey(part))' is not a table (it is \(v.typeNameWithArticle))")
            }
        }
        let last = keys.last!
        guard node.entries[last] == nil else {
            throw TOMLBuildError(message: "key '\(displayKey(last))' is defined twice")
        }
        node.add(last, .value(value), line: line)
    }

    /// The table a header's leading parts name, created as implicit tables where missing;
    /// arrays of tables lead to their last element.
    private static func walkHeader(
        _ path: ArraySlice<String>, from root: TOMLTableNode, line: Int
    ) throws(TOMLBuildError) -> TOMLTableNode {
        var node = root
        for part in path {
            switch node.entries[part] {
            case nil:
                let child = TOMLTableNode(line: line, origin: .implicit)
                node.add(part, .table(child), line: line)
                node = child
            case .table(let child)?:
                node = child
            case .arrayOfTables(let array)?:
                node = array.elements.last!
            case .value(let v)?:
                throw TOMLBuildError(message: notATable(part, v))
            }
        }
        return node
    }

    private static func notATable(_ key: String, _ value: TOMLValue) -> String {
        if case .table = value {
            return "key '\(displayKey(key))' is an inline table, which cannot be extended by a [header]"
        }
        return "key '\(displayKey(key))' is \(value.typeNameWithArticle), not a table"
    }

    /// A key as written in messages; empty and odd keys are quoted so they stay visible.
    static func displayKey(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { TOMLParser.isBareKeyScalar($0) }
        return TOMLParser.excerpt(bare ? key : "\"\(key)\"")
    }
}
