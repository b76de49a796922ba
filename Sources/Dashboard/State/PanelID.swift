/// The six panels, in focus (Tab) order, which is also their reading order on screen.
enum PanelID: Int, CaseIterable, Sendable, Hashable {
    case training
    case drift
    case recommendations
    case neighbourhood
    case hyperparameters
    case events

    /// The title on the panel's border, as users and docs name it.
    var title: String {
        switch self {
        case .training: "Training"
        case .drift: "Interest drift"
        case .recommendations: "Recommendations"
        case .neighbourhood: "Neighbourhood"
        case .hyperparameters: "Hyperparameters"
        case .events: "Events"
        }
    }

    var next: PanelID { PanelID(rawValue: (rawValue + 1) % PanelID.allCases.count)! }
    var previous: PanelID { PanelID(rawValue: (rawValue + PanelID.allCases.count - 1) % PanelID.allCases.count)! }
}
