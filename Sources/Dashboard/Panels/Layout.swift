/// Where each visible panel goes for a terminal size and UI state.
///
/// - large (≥160x45): two rows of three: Training | Interest drift | Recommendations,
///   Neighbourhood | Hyperparameters | Events.
/// - medium (≥100x30): three rows of two: Training | Interest drift, Recommendations |
///   Neighbourhood, Hyperparameters | Events.
/// - compact (≥80x24): one page of two panels at a time (stacked, or side by side when the
///   window is wide but short); the page follows the focus, so Tab reaches every panel.
/// - zoomed: the focused panel alone.
struct Layout: Sendable, Hashable {
    enum Mode: Sendable, Hashable { case compact, medium, large, zoomed }

    var mode: Mode
    var panels: [PanelID: Rect]
    /// The demo caption row, when the tour runs.
    var caption: Rect?
    var status: Rect
    /// Compact mode shows page `page` of `pages`.
    var page = 0
    var pages = 1

    static let compactPages: [[PanelID]] = [[.training, .drift], [.recommendations, .neighbourhood], [.hyperparameters, .events]]

    static func compute(size: GridSize, state: DashboardState) -> Layout {
        let w = size.width, h = size.height
        let status = Rect(x: 0, y: h - 1, width: w, height: 1)
        var content = Rect(x: 0, y: 0, width: w, height: h - 1)
        var caption: Rect?
        if state.demo != nil {
            let split = content.splitBottom(1)
            content = split.0
            caption = split.1
        }
        if state.zoomed {
            return Layout(mode: .zoomed, panels: [state.focus: content], caption: caption, status: status)
        }
        if w >= 160 && h >= 45 {
            let (top, bottom) = content.splitTop(content.height / 2)
            let a = top.columns([1, 1, 1]), b = bottom.columns([1, 1, 1])
            return Layout(mode: .large, panels: [
                .training: a[0], .drift: a[1], .recommendations: a[2],
                .neighbourhood: b[0], .hyperparameters: b[1], .events: b[2],
            ], caption: caption, status: status)
        }
        if w >= 100 && h >= 30 {
            let firstHeight = (content.height * 36 + 50) / 100
            let (first, rest) = content.splitTop(firstHeight)
            let (second, third) = rest.splitTop((content.height * 34 + 50) / 100)
            let a = first.columns([1, 1]), b = second.columns([1, 1]), c = third.columns([1, 1])
            return Layout(mode: .medium, panels: [
                .training: a[0], .drift: a[1], .recommendations: b[0], .neighbourhood: b[1],
                .hyperparameters: c[0], .events: c[1],
            ], caption: caption, status: status)
        }
        let page = compactPages.firstIndex { $0.contains(state.focus) } ?? 0
        let pair = compactPages[page]
        let parts: [Rect]
        if w >= 120 {
            parts = content.columns([1, 1])
        } else {
            let (top, bottom) = content.splitTop(content.height / 2)
            parts = [top, bottom]
        }
        return Layout(mode: .compact, panels: [pair[0]: parts[0], pair[1]: parts[1]], caption: caption, status: status, page: page, pages: compactPages.count)
    }
}
