extension DashboardState {
    /// The run the user asked to overlay, if any.
    var wantedOverlayRun: Int64? {
        guard let i = overlayChoice, overlayChoices.indices.contains(i) else { return nil }
        return overlayChoices[i].run
    }

    /// The compare key: the next recorded run, and after the last one, none.
    mutating func cycleOverlay() {
        guard !overlayChoices.isEmpty else {
            show("No other run to compare with: record runs with --workspace FILE", seconds: 4)
            return
        }
        let next = overlayChoice.map { $0 + 1 } ?? 0
        overlayChoice = next < overlayChoices.count ? next : nil
        if let i = overlayChoice {
            show("Training: comparing with \(overlayChoices[i].label)", seconds: 3)
        } else {
            show("Training: comparison off", seconds: 2)
        }
    }

    /// Loads the overlay the state asks for when it is not the one loaded (the app loop
    /// calls this after every key; `load` reads the workspace). A run that fails to load is
    /// reported and the comparison turned off.
    mutating func syncOverlay(_ load: (Int64) throws -> RunOverlay) {
        guard let wanted = wantedOverlayRun else {
            overlay = nil
            return
        }
        guard overlay?.run != wanted else { return }
        do {
            overlay = try load(wanted)
        } catch {
            overlay = nil
            overlayChoice = nil
            show("Could not load run \(wanted): \(error)", error: true, seconds: 6)
        }
    }
}
