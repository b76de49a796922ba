/// A rectangle of terminal cells: column `x`, row `y`, `width` columns by `height` rows.
struct Rect: Hashable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    var maxX: Int { x + width }
    var maxY: Int { y + height }
    var isEmpty: Bool { width <= 0 || height <= 0 }

    func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The rectangle shrunk by `dx` columns on both sides and `dy` rows top and bottom.
    func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// Splits off the first `rows` rows: (top, rest).
    func splitTop(_ rows: Int) -> (Rect, Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }

    /// Splits off the last `rows` rows: (rest, bottom).
    func splitBottom(_ rows: Int) -> (Rect, Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: height - r), Rect(x: x, y: y + height - r, width: width, height: r))
    }

    /// Splits off the first `columns` columns: (left, rest).
    func splitLeft(_ columns: Int) -> (Rect, Rect) {
        let c = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }

    /// Splits off the last `columns` columns: (rest, right).
    func splitRight(_ columns: Int) -> (Rect, Rect) {
        let c = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: width - c, height: height), Rect(x: x + width - c, y: y, width: c, height: height))
    }

    /// One row of the rectangle (relative to its top), or an empty rect when out of range.
    func row(_ index: Int) -> Rect {
        guard index >= 0, index < height else { return Rect(x: x, y: y, width: 0, height: 0) }
        return Rect(x: x, y: y + index, width: width, height: 1)
    }

    /// Splits the width into parts proportional to `weights`; rounding goes to the last part.
    func columns(_ weights: [Int]) -> [Rect] {
        let total = max(1, weights.reduce(0, +))
        var out: [Rect] = []
        var cursor = x
        for (i, w) in weights.enumerated() {
            let span = i == weights.count - 1 ? maxX - cursor : width * w / total
            out.append(Rect(x: cursor, y: y, width: span, height: height))
            cursor += span
        }
        return out
    }

    /// Splits the height into parts proportional to `weights`; rounding goes to the last part.
    func rows(_ weights: [Int]) -> [Rect] {
        let total = max(1, weights.reduce(0, +))
        var out: [Rect] = []
        var cursor = y
        for (i, w) in weights.enumerated() {
            let span = i == weights.count - 1 ? maxY - cursor : height * w / total
            out.append(Rect(x: x, y: cursor, width: width, height: span))
            cursor += span
        }
        return out
    }
}

/// A terminal size in cells.
struct GridSize: Hashable, Sendable {
    var width: Int
    var height: Int
    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The smallest size the dashboard draws panels at; below it a "resize me" screen shows.
    static let minimum = GridSize(width: 80, height: 24)
}
