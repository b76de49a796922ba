/// A semantic colour key of a theme file ("panel.title", "chart.loss"...). Panels ask for
/// roles, never for colours, so a theme can restyle everything without code changes.
enum ThemeRole: String, CaseIterable, Sendable {
    case background = "ui.background"
    case text = "text"
    case textDim = "text.dim"
    case textStrong = "text.strong"
    case accent = "accent"
    case panelBorder = "panel.border"
    case panelBorderFocused = "panel.border.focused"
    case panelTitle = "panel.title"
    case panelTitleFocused = "panel.title.focused"
    case panelHint = "panel.hint"
    case tableHeader = "table.header"
    case selection = "selection"
    case selectionInactive = "selection.inactive"
    case statusBar = "status.bar"
    case statusKey = "status.key"
    case statusRunning = "status.running"
    case statusPaused = "status.paused"
    case statusError = "status.error"
    case caption = "caption"
    case prompt = "prompt"
    case overlay = "overlay"
    case helpKey = "help.key"
    case chartLoss = "chart.loss"
    case chartOverlay = "chart.overlay"
    case chartMarker = "chart.marker"
    case chartGuard = "chart.guard"
    case chartAxis = "chart.axis"
    case chartTruth = "chart.truth"
    case chartCompare = "chart.compare"
    case sparkline = "sparkline"
    case gauge = "gauge"
    case gaugeEmpty = "gauge.empty"
    case good = "good"
    case bad = "bad"
    case warning = "warning"
    case hit = "hit"
    case eventView = "event.view"
    case eventClick = "event.click"
    case eventCart = "event.cart"
    case eventPurchase = "event.purchase"
    case eventReview = "event.review"
    case eventRating = "event.rating"
    case nodeUser = "node.user"
    case nodeItem = "node.item"
    case nodeCategory = "node.category"
    case nodeBrand = "node.brand"
    case nodeEntity = "node.entity"

    /// The role whose style is used when a theme does not set this one.
    var fallback: ThemeRole? {
        switch self {
        case .background: nil
        case .text: .background
        case .textDim, .textStrong, .accent, .panelBorder, .panelTitle, .tableHeader, .statusBar,
             .chartLoss, .chartAxis, .sparkline, .gauge, .good, .bad, .warning, .overlay:
            .text
        case .panelBorderFocused: .accent
        case .panelTitleFocused: .panelBorderFocused
        case .panelHint: .textDim
        case .selection, .selectionInactive: .textStrong
        case .statusKey, .statusRunning, .statusPaused, .statusError: .statusBar
        case .caption, .prompt, .helpKey: .accent
        case .chartOverlay, .chartMarker: .accent
        case .chartGuard: .bad
        case .chartTruth, .chartCompare: .textDim
        case .gaugeEmpty: .textDim
        case .hit: .good
        case .eventView: .textDim
        case .eventClick, .eventCart, .eventPurchase, .eventReview, .eventRating: .text
        case .nodeUser, .nodeItem, .nodeCategory, .nodeBrand, .nodeEntity: .text
        }
    }

    /// Index into a resolved theme's style table.
    var ordinal: Int { ThemeRole.ordinals[self]! }
    private static let ordinals: [ThemeRole: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}
