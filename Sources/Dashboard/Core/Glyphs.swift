/// The characters the dashboard draws with, in a Unicode and an ASCII variant. The ASCII set
/// is used by ASCII themes and on terminals without a UTF-8 locale, as htop does.
struct Glyphs: Sendable {
    struct Box: Sendable {
        var horizontal: Character
        var vertical: Character
        var topLeft: Character
        var topRight: Character
        var bottomLeft: Character
        var bottomRight: Character
    }

    var isASCII: Bool
    /// Unfocused panels: light rounded lines; focused: heavy lines, so focus reads without colour.
    var box: Box
    var focusedBox: Box
    var ellipsis: Character
    var up: Character
    var down: Character
    var steady: Character
    var pointer: Character
    var separator: String
    var breadcrumb: String
    var bullet: Character
    var hit: Character
    /// Marks a bookmarked user.
    var bookmark: Character
    /// Sparkline levels, lowest first.
    var spark: [Character]
    /// Heatmap shading, empty first.
    var shades: [Character]
    /// Partial bar cells, 1/8 ... 7/8, and the full cell.
    var eighths: [Character]
    var barFull: Character
    var barEmpty: Character
    /// Chart axes and marks.
    var axisVertical: Character
    var axisHorizontal: Character
    var axisCorner: Character
    var axisTick: Character
    var markerLine: Character
    var markerChange: Character
    var markerGuard: Character
    var changePoint: Character
    var sliderTrack: Character
    var sliderKnob: Character
    var left: Character
    var right: Character

    static let unicode = Glyphs(
        isASCII: false,
        box: Box(horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯"),
        focusedBox: Box(horizontal: "━", vertical: "┃", topLeft: "┏", topRight: "┓", bottomLeft: "┗", bottomRight: "┛"),
        ellipsis: "…", up: "▲", down: "▼", steady: "·", pointer: "▸", separator: " │ ", breadcrumb: " › ",
        bullet: "●", hit: "✓", bookmark: "★",
        spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        shades: [" ", "░", "▒", "▓", "█"],
        eighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"], barFull: "█", barEmpty: "·",
        axisVertical: "│", axisHorizontal: "─", axisCorner: "└", axisTick: "┤",
        markerLine: "┊", markerChange: "◆", markerGuard: "✕", changePoint: "▴",
        sliderTrack: "─", sliderKnob: "●", left: "◂", right: "▸"
    )

    static let ascii = Glyphs(
        isASCII: true,
        box: Box(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+"),
        focusedBox: Box(horizontal: "=", vertical: "#", topLeft: "#", topRight: "#", bottomLeft: "#", bottomRight: "#"),
        ellipsis: "~", up: "^", down: "v", steady: "=", pointer: ">", separator: " | ", breadcrumb: " > ",
        bullet: "*", hit: "+", bookmark: "*",
        spark: ["_", ".", "-", "~", "=", "+", "*", "#"],
        shades: [" ", ".", ":", "+", "#"],
        eighths: ["|", "|", "|", "|", "|", "|", "|"], barFull: "#", barEmpty: ".",
        axisVertical: "|", axisHorizontal: "-", axisCorner: "+", axisTick: "+",
        markerLine: ":", markerChange: "*", markerGuard: "X", changePoint: "^",
        sliderTrack: "-", sliderKnob: "O", left: "<", right: ">"
    )
}
