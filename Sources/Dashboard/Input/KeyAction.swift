/// Everything a key can do. The raw value is the name used in config.toml's `[keys]` section.
enum KeyAction: String, CaseIterable, Sendable {
    case quit
    case help
    case cancel
    case focusNext = "focus-next"
    case focusPrevious = "focus-previous"
    case focusTraining = "focus-training"
    case focusDrift = "focus-drift"
    case focusRecommendations = "focus-recommendations"
    case focusNeighbourhood = "focus-neighbourhood"
    case focusHyperparameters = "focus-hyperparameters"
    case focusEvents = "focus-events"
    case up, down
    case pageUp = "page-up"
    case pageDown = "page-down"
    case top, bottom
    case enter
    case back
    case search
    case pause
    case step
    case faster
    case slower
    case zoom
    case inject
    case theme
    case screenshot
    case resetModel = "reset-model"
    case compare
    case bookmark
    case nextBookmark = "next-bookmark"
    case selectUser = "select-user"
    case audience
    case whoChanged = "who-changed"
    case saveAudience = "save-audience"
    case increase
    case decrease
    case takeControl = "take-control"
}

/// Where a binding applies: everywhere, or only while a panel has the focus (where it wins
/// over a global binding of the same key).
enum KeyContext: String, CaseIterable, Sendable {
    case global
    case recommendations
    case hyperparameters
    case changes

    var title: String {
        switch self {
        case .global: "Everywhere"
        case .recommendations: "Recommendations panel"
        case .hyperparameters: "Hyperparameters panel"
        case .changes: "Who-changed view"
        }
    }

    init(panel: PanelID) {
        switch panel {
        case .recommendations: self = .recommendations
        case .hyperparameters: self = .hyperparameters
        default: self = .global
        }
    }
}
