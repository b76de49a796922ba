import Foundation

/// Flattens a JSON object of hyperparameters into dotted keys with JSON-text values, so two
/// runs can be compared key by key (`{"model": {"dim": 64}}` gives `model.dim = 64`).
enum HyperparameterJSON {
    indirect enum Value: Decodable {
        case null, bool(Bool), number(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null; return }
            if let b = try? c.decode(Bool.self) { self = .bool(b); return }
            if let n = try? c.decode(Double.self) { self = .number(n); return }
            if let s = try? c.decode(String.self) { self = .string(s); return }
            if let a = try? c.decode([Value].self) { self = .array(a); return }
            self = .object(try c.decode([String: Value].self))
        }

        var text: String {
            switch self {
            case .null: "null"
            case .bool(let b): b ? "true" : "false"
            case .number(let n): HyperparameterJSON.number(n)
            case .string(let s): "\"\(s)\""
            case .array(let a): "[" + a.map(\.text).joined(separator: ",") + "]"
            case .object(let o): "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!.text)" }.joined(separator: ",") + "}"
            }
        }
    }

    /// Dotted key to value text. JSON that is not an object comes back under the key `""`;
    /// bytes that are not JSON at all under `"(raw)"`.
    static func flatten(_ json: [UInt8]) -> [String: String] {
        guard !json.isEmpty else { return [:] }
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(json)) else {
            return ["(raw)": String(decoding: json, as: UTF8.self)]
        }
        if case .object(let o) = value, o.isEmpty { return [:] }
        var out: [String: String] = [:]
        func walk(_ value: Value, _ prefix: String) {
            if case .object(let o) = value, !o.isEmpty {
                for (key, child) in o { walk(child, prefix.isEmpty ? key : prefix + "." + key) }
            } else {
                out[prefix] = value.text
            }
        }
        walk(value, "")
        return out
    }

    /// Integers without a fraction, other numbers in the shortest form that reads back exactly.
    static func number(_ n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return "\(n)"
    }
}
