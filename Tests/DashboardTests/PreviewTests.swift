import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

@Test func preview() throws {
    let lib = ThemeLibrary(directories: [])
    let theme = try lib.theme(named: "dark")
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        for focus in [PanelID.training, .recommendations, .hyperparameters] {
            let size = GridSize(width: w, height: h)
            let grid = Renderer.render(snapshot: FixtureSnapshots.busy(), state: FixtureSnapshots.state(focus: focus, size: size), theme: theme, size: size)
            try grid.text().write(toFile: "/tmp/preview-\(w)x\(h)-\(focus).txt", atomically: true, encoding: .utf8)
        }
    }
}

@Test func previewOverlays() throws {
    let lib = ThemeLibrary(directories: [])
    let theme = try lib.theme(named: "dark")
    var snapshot = FixtureSnapshots.busy()
    snapshot.audience = FixtureSnapshots.audience()
    let size = GridSize(width: 120, height: 40)
    var state = FixtureSnapshots.state(focus: .recommendations, size: size)
    state.showHelp = true
    try Renderer.render(snapshot: snapshot, state: state, theme: theme, size: size).text().write(toFile: "/tmp/preview-help.txt", atomically: true, encoding: .utf8)
    state.showHelp = false
    state.showAudience = true
    state.prompt = .init(kind: .inject(action: .purchase), text: "i1043")
    try Renderer.render(snapshot: snapshot, state: state, theme: theme, size: size).text().write(toFile: "/tmp/preview-audience.txt", atomically: true, encoding: .utf8)
    state.prompt = nil
    state.confirmReset = true
    state.zoomed = true
    state.focus = .drift
    try Renderer.render(snapshot: snapshot, state: state, theme: theme, size: GridSize(width: 80, height: 24)).text().write(toFile: "/tmp/preview-confirm.txt", atomically: true, encoding: .utf8)
    try Renderer.render(snapshot: FixtureSnapshots.empty(), state: DashboardState(), theme: theme, size: size).text().write(toFile: "/tmp/preview-empty.txt", atomically: true, encoding: .utf8)
    try Renderer.render(snapshot: snapshot, state: DashboardState(), theme: theme, size: GridSize(width: 60, height: 20)).text().write(toFile: "/tmp/preview-small.txt", atomically: true, encoding: .utf8)
    let mono = try lib.theme(named: "mono")
    try Renderer.render(snapshot: snapshot, state: FixtureSnapshots.state(focus: .training, size: size), theme: mono, size: size).text().write(toFile: "/tmp/preview-mono.txt", atomically: true, encoding: .utf8)
}
