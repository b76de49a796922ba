extension CellGrid {
    /// Replacements for the non-ASCII characters panels and data may contain; anything else
    /// outside ASCII becomes `?`.
    private static let asciiFold: [Character: Character] = [
        "·": "-", "×": "x", "–": "-", "—": "-", "→": ">", "←": "<", "↑": "^", "↓": "v", "…": "~",
        "▲": "^", "▴": "^", "▼": "v", "▾": "v", "●": "*", "✓": "+", "✕": "X", "◆": "*", "◇": "*",
        "█": "#", "▉": "#", "▊": "|", "▋": "|", "▌": "|", "▍": "|", "▎": "|", "▏": "|",
        "░": ".", "▒": ":", "▓": "+", "▸": ">", "◂": "<", "❚": "|", "■": "#", "›": ">", "‹": "<",
        "─": "-", "━": "=", "│": "|", "┃": "#", "┊": ":", "┤": "+", "└": "+", "╭": "+", "╮": "+", "╰": "+", "╯": "+",
        "┏": "#", "┓": "#", "┗": "#", "┛": "#", "⏎": "<", "⌫": "<",
    ]

    /// Rewrites every cell to ASCII, for ASCII themes and terminals without a UTF-8 locale:
    /// nothing the terminal cannot show ever reaches it. Wide characters become `?` and a space.
    mutating func foldToASCII() {
        for i in cells.indices {
            let cell = cells[i]
            if cell.width != 0, let v = cell.character.unicodeScalars.first?.value, v < 0x7F, cell.character.unicodeScalars.count == 1 { continue }
            if cell.width == 0 {
                cells[i] = Cell(" ", width: 1, style: cell.style)
            } else {
                cells[i] = Cell(CellGrid.asciiFold[cell.character] ?? "?", width: 1, style: cell.style)
            }
        }
    }
}
