/// The shipped themes, compiled in so the dashboard works without the themes/ folder
/// (an installed binary). Files with the same name in a theme directory take precedence.
/// These texts must equal themes/*.toml byte for byte: `ThemeTests` checks it.
enum BuiltinThemes {
    static let order = ["dark", "light", "colourblind", "mono"]

    static let sources: [String: String] = [
        "dark": ##"""
# Driftscope dark theme (the default). Format: see README.md in this folder.
# Role keys come first; [palette] must be last (everything after a table header belongs to it).

"ui.background" = { fg = "fg", bg = "default" }
"text" = "fg"
"text.dim" = "comment"
"text.strong" = { fg = "bright", modifiers = ["bold"] }
"accent" = "cyan"

"panel.border" = "border"
"panel.border.focused" = "blue"
"panel.title" = { fg = "subtle", modifiers = ["bold"] }
"panel.title.focused" = { fg = "blue", modifiers = ["bold"] }
"panel.hint" = "comment"
"table.header" = { fg = "comment", modifiers = ["underline"] }
"selection" = { fg = "bright", bg = "selection", modifiers = ["bold"] }
"selection.inactive" = { fg = "fg", bg = "raised" }

"status.bar" = { fg = "subtle", bg = "raised" }
"status.key" = { fg = "cyan", bg = "raised", modifiers = ["bold"] }
"status.running" = { fg = "green", bg = "raised", modifiers = ["bold"] }
"status.paused" = { fg = "shade", bg = "amber", modifiers = ["bold"] }
"status.error" = { fg = "shade", bg = "red", modifiers = ["bold"] }
"caption" = { fg = "shade", bg = "cyan" }
"prompt" = { fg = "bright", bg = "selection" }
"overlay" = { fg = "fg", bg = "raised" }
"help.key" = { fg = "cyan", bg = "raised", modifiers = ["bold"] }

"chart.loss" = "blue"
"chart.overlay" = "amber"
"chart.marker" = "purple"
"chart.guard" = "red"
"chart.axis" = "comment"
"chart.truth" = "purple"
"chart.compare" = "green"
"sparkline" = "cyan"
"gauge" = "blue"
"gauge.empty" = "border"

"good" = "green"
"bad" = "red"
"warning" = "amber"
"hit" = { fg = "green", modifiers = ["bold"] }

"event.view" = "comment"
"event.click" = "fg"
"event.cart" = "amber"
"event.purchase" = { fg = "green", modifiers = ["bold"] }
"event.review" = "purple"
"event.rating" = "cyan"

"node.user" = "cyan"
"node.item" = "fg"
"node.category" = "amber"
"node.brand" = "purple"
"node.entity" = "green"

"heatmap" = { start = "#283457", mid = "#9d7cd8", end = "#ffc777" }

[palette]
fg = "#c0caf5"
subtle = "#a9b1d6"
comment = "#646e96"
border = "#3b4261"
raised = "#1f2335"
selection = "#2e3c64"
bright = "#eef1ff"
shade = "#16161e"
blue = "#7aa2f7"
cyan = "#7dcfff"
green = "#9ece6a"
amber = "#e0af68"
red = "#f7768e"
purple = "#bb9af7"
"""## + "\n",
        "light": ##"""
# Driftscope light theme: for light terminal backgrounds (paints its own background).
inherits = "dark"

"ui.background" = { fg = "fg", bg = "paper" }
"text.strong" = { fg = "ink", modifiers = ["bold"] }
"selection" = { fg = "ink", bg = "selection", modifiers = ["bold"] }
"status.paused" = { fg = "paper", bg = "amber", modifiers = ["bold"] }
"status.error" = { fg = "paper", bg = "red", modifiers = ["bold"] }
"caption" = { fg = "paper", bg = "blue" }
"prompt" = { fg = "ink", bg = "selection" }
"heatmap" = { start = "#dbe7f5", mid = "#54aeff", end = "#0a3069" }

[palette]
paper = "#fafbfc"
fg = "#24292f"
ink = "#0d1117"
subtle = "#424a53"
comment = "#6e7781"
border = "#c9d1d9"
raised = "#eef1f4"
selection = "#d4e5fb"
bright = "#0d1117"
shade = "#fafbfc"
blue = "#0550ae"
cyan = "#0a6b8a"
green = "#1a7f37"
amber = "#9a6700"
red = "#cf222e"
purple = "#8250df"
"""## + "\n",
        "colourblind": ##"""
# Driftscope colour-blind-safe theme: the Okabe-Ito palette on a dark background.
# Good/bad use blue/orange (never red/green alone) and always come with ▲/▼ glyphs.
inherits = "dark"

"good" = "sky"
"bad" = "orange"
"hit" = { fg = "sky", modifiers = ["bold"] }
"chart.loss" = "sky"
"chart.overlay" = "orange"
"chart.marker" = "purple"
"chart.guard" = "vermillion"
"status.running" = { fg = "sky", bg = "raised", modifiers = ["bold"] }
"status.paused" = { fg = "shade", bg = "orange", modifiers = ["bold"] }
"status.error" = { fg = "shade", bg = "vermillion", modifiers = ["bold"] }
"event.cart" = "yellow"
"event.purchase" = { fg = "green", modifiers = ["bold"] }
"node.category" = "orange"
"node.entity" = "green"
"heatmap" = { start = "#440154", mid = "#21918c", end = "#fde725" }

[palette]
orange = "#e69f00"
sky = "#56b4e9"
green = "#009e73"
yellow = "#f0e442"
deepblue = "#0072b2"
vermillion = "#d55e00"
purple = "#cc79a7"
cyan = "#56b4e9"
blue = "#56b4e9"
amber = "#e69f00"
red = "#d55e00"
"""## + "\n",
        "mono": ##"""
# Driftscope monochrome theme: no colours, ASCII only, for limited terminals (TERM=vt100,
# serial consoles, screen readers). Emphasis comes from bold, underline and reverse video.
ascii = true

"ui.background" = { fg = "default", bg = "default" }
"text.dim" = { fg = "default", modifiers = ["dim"] }
"text.strong" = { fg = "default", modifiers = ["bold"] }
"accent" = { fg = "default", modifiers = ["bold"] }
"panel.border" = { fg = "default", modifiers = ["dim"] }
"panel.border.focused" = { fg = "default", modifiers = ["bold"] }
"panel.title" = { fg = "default" }
"panel.title.focused" = { fg = "default", modifiers = ["bold", "reverse"] }
"table.header" = { fg = "default", modifiers = ["underline"] }
"selection" = { fg = "default", modifiers = ["reverse"] }
"selection.inactive" = { fg = "default", modifiers = ["underline"] }
"status.bar" = { fg = "default", modifiers = ["reverse"] }
"status.key" = { fg = "default", modifiers = ["reverse", "bold"] }
"status.running" = { fg = "default", modifiers = ["reverse", "bold"] }
"status.paused" = { fg = "default", modifiers = ["bold"] }
"status.error" = { fg = "default", modifiers = ["bold", "underline"] }
"caption" = { fg = "default", modifiers = ["reverse"] }
"prompt" = { fg = "default", modifiers = ["reverse"] }
"overlay" = { fg = "default" }
"help.key" = { fg = "default", modifiers = ["bold"] }
"chart.guard" = { fg = "default", modifiers = ["bold"] }
"chart.compare" = { fg = "default", modifiers = ["dim"] }
"good" = { fg = "default", modifiers = ["bold"] }
"bad" = { fg = "default", modifiers = ["bold", "underline"] }
"hit" = { fg = "default", modifiers = ["bold"] }
"event.purchase" = { fg = "default", modifiers = ["bold"] }
"heatmap" = { start = "default", mid = "default", end = "default" }
"""## + "\n",
    ]
}
