import Foundation
import Testing

/// Compares `actual` with the golden file `Snapshots/<name>.txt` (read through Bundle.module).
///
/// With `DRIFTSCOPE_RECORD=1` in the environment the golden is (re)written into the source
/// tree instead and the test passes; a missing golden is written and the test fails, so a
/// new snapshot is always looked at once. Modelled on swift-argument-parser's TestHelpers.
func assertGolden(_ actual: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
    let sourceDirectory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let sourceFile = sourceDirectory.appendingPathComponent("\(name).txt")
    let record = ProcessInfo.processInfo.environment["DRIFTSCOPE_RECORD"] == "1"
    let bundled = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Snapshots")
    if record || bundled == nil {
        do {
            try FileManager.default.createDirectory(at: sourceDirectory, withIntermediateDirectories: true)
            try actual.write(to: sourceFile, atomically: true, encoding: .utf8)
        } catch {
            Issue.record("could not record \(sourceFile.path): \(error)", sourceLocation: sourceLocation)
        }
        if !record { Issue.record("recorded a new golden \(name).txt: check it and re-run", sourceLocation: sourceLocation) }
        return
    }
    guard let expected = try? String(contentsOf: bundled!, encoding: .utf8) else {
        Issue.record("cannot read golden \(name).txt", sourceLocation: sourceLocation)
        return
    }
    guard expected != actual else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var report = "render differs from Snapshots/\(name).txt (re-record with DRIFTSCOPE_RECORD=1 if intended)\n"
    var shown = 0
    for i in 0..<max(a.count, e.count) where shown < 6 {
        let al = i < a.count ? String(a[i]) : "<missing>"
        let el = i < e.count ? String(e[i]) : "<missing>"
        if al != el {
            report += "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)\n"
            shown += 1
        }
    }
    Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}
