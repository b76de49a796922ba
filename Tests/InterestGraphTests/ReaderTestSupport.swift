import Foundation
@testable import InterestGraph

/// Fixture paths and temporary files for the reader tests.
enum ReaderFixtures {
    /// `Fixtures/NAME` inside the test bundle.
    static func path(_ name: String) -> String {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures folder missing from the test bundle")
        }
        return root.appendingPathComponent(name).path
    }

    /// A fresh temporary directory, removed by the caller with `cleanup`.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func cleanup(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `bytes` to `directory/name` and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], to name: String, in directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    static func write(_ text: String, to name: String, in directory: String) throws -> String {
        try write(Array(text.utf8), to: name, in: directory)
    }

    /// Loads `text` written to a temporary file called `name`.
    static func load(
        _ text: String, name: String = "events.csv", format: DatasetFormat = .auto, options: ReadOptions = .init()
    ) throws -> LoadedDataset {
        try load(bytes: Array(text.utf8), name: name, format: format, options: options)
    }

    static func load(
        bytes: [UInt8], name: String = "events.csv", format: DatasetFormat = .auto, options: ReadOptions = .init()
    ) throws -> LoadedDataset {
        let directory = try temporaryDirectory()
        defer { cleanup(directory) }
        let path = try write(bytes, to: name, in: directory)
        return try DatasetLoader.load(path, format: format, options: options)
    }

    /// The issue a strict read stops at, or `nil` when it succeeds.
    static func strictIssue(_ text: String, name: String = "events.csv") throws -> ReadIssue? {
        do {
            _ = try load(text, name: name, options: ReadOptions(strict: true))
            return nil
        } catch let error as DatasetError {
            return error.issue
        }
    }
}
