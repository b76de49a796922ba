import InterestGraph

extension Keymap {
    /// The key map with the `[keys]` table of config.toml applied: each entry names an action
    /// and its new keys (`pause = ["space", "p"]` or `quit = "x"`), replacing the defaults.
    ///
    /// Unknown actions, unknown key names and conflicts are errors with file, line and
    /// column; the caller falls back to the defaults and shows the message.
    func applying(_ table: TOMLTable, file: String, source: String) throws(TOMLError) -> Keymap {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func column(_ needle: String, _ line: Int) -> Int {
            guard line >= 1, line <= lines.count, let r = lines[line - 1].firstRange(of: needle) else { return 1 }
            return lines[line - 1].distance(from: lines[line - 1].startIndex, to: r.lowerBound) + 1
        }
        var map = self
        for name in table.keys {
            let line = table.line(of: name)
            guard let action = KeyAction(rawValue: name) else {
                throw TOMLError(file: file, line: line, column: column(name, line), message: "unknown action '\(name)' in [keys]; expected one of: \(KeyAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var names: [String] = []
            switch table[name]! {
            case .string(let s): names = [s]
            case .array(let items):
                for item in items {
                    guard case .string(let s) = item else {
                        throw TOMLError(file: file, line: line, column: column("[", line), message: "'\(name)': expected key names in quotes, such as [\"space\", \"p\"]")
                    }
                    names.append(s)
                }
            default:
                throw TOMLError(file: file, line: line, column: column("=", line) + 2, message: "'\(name)': expected a key name or an array of key names, such as [\"space\", \"p\"]")
            }
            guard !names.isEmpty else {
                throw TOMLError(file: file, line: line, column: column("[", line), message: "'\(name)': needs at least one key")
            }
            var keys: [Key] = []
            for n in names {
                guard let key = Key(name: n) else {
                    throw TOMLError(file: file, line: line, column: column("\"\(n)\"", line), message: "unknown key name '\(n)'; use a single character or one of space, tab, shift-tab, enter, esc, backspace, delete, up, down, left, right, home, end, pageup, pagedown, f1-f12, ctrl-x")
                }
                keys.append(key)
            }
            map.rebind(action, to: keys)
        }
        if let conflict = map.conflicts().first {
            throw TOMLError(file: file, line: table.line, column: 1, message: "[keys]: \(conflict)")
        }
        return map
    }
}
