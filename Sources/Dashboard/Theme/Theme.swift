/// A resolved colour theme: one ``CellStyle`` per ``ThemeRole`` plus the heatmap gradient.
///
/// Themes are loaded from TOML files (see themes/README.md) by ``ThemeLibrary``; a theme
/// that fails to load is reported with file, line and column, and the built-in dark theme is
/// used instead.
struct Theme: Sendable {
    /// The theme's name (its file name without `.toml`).
    let name: String
    /// Draw with ASCII only (borders, charts, arrows): set by a theme or forced by a terminal
    /// without a UTF-8 locale.
    var ascii: Bool
    var styles: [CellStyle]
    /// Heatmap gradient stops: start (0), mid (0.5), end (1).
    var gradient: (TerminalColor, TerminalColor, TerminalColor)

    init(name: String, ascii: Bool, styles: [CellStyle], gradient: (TerminalColor, TerminalColor, TerminalColor)) {
        self.name = name
        self.ascii = ascii
        self.styles = styles
        self.gradient = gradient
    }

    subscript(role: ThemeRole) -> CellStyle { styles[role.ordinal] }

    /// The glyph set for this theme (Unicode, or ASCII for `ascii` themes and terminals).
    var glyphs: Glyphs { ascii ? .ascii : .unicode }

    /// Heatmap colour for `t` in 0...1, quantised to 12 steps so a frame uses few colour pairs.
    func heat(_ t: Float) -> TerminalColor {
        let q = (max(0, min(1, t)) * 12).rounded() / 12
        if q <= 0.5 { return Theme.mix(gradient.0, gradient.1, q * 2) }
        return Theme.mix(gradient.1, gradient.2, (q - 0.5) * 2)
    }

    static func mix(_ a: TerminalColor, _ b: TerminalColor, _ t: Float) -> TerminalColor {
        guard let ra = ColorMapper.rgb(of: a), let rb = ColorMapper.rgb(of: b) else { return t < 0.5 ? a : b }
        func lerp(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Float(x) + (Float(y) - Float(x)) * t).rounded()) }
        return .rgb(lerp(ra.0, rb.0), lerp(ra.1, rb.1), lerp(ra.2, rb.2))
    }
}
