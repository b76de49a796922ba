import ArgumentParser
import Foundation
import InterestGraph

/// `--engines N|auto`: how many engines a replayed file's users are split between, one
/// thread each (``Engine/splitting(dataset:engines:configuration:)``).
///
/// `auto` follows ``Engine/automaticEngineCount(fileBytes:cores:)`` for a replayed file, and
/// runs one engine for the simulator, a live stream and a recorded or resumed run (one
/// engine's).
enum EngineCount: ExpressibleByArgument, Equatable, CustomStringConvertible {
    case automatic
    case fixed(Int)

    /// The most engines `--engines` takes.
    static let maximum = 8

    init?(argument: String) {
        if argument == "auto" {
            self = .automatic
        } else if let n = Int(argument), (1...Self.maximum).contains(n) {
            self = .fixed(n)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .automatic: "auto"
        case .fixed(let n): "\(n)"
        }
    }

    static var defaultValueDescription: String { "auto" }

    /// The number of engines for `source`; `recording`: the run is recorded or resumed.
    /// - Throws: a `CommandError` when a fixed count above one cannot be honoured.
    func resolve(for source: SourceSpecification, recording: Bool) throws -> Int {
        let path: String?
        if case .dataset(let p) = source { path = p } else { path = nil }
        switch self {
        case .fixed(let n) where n > 1:
            guard !recording else {
                throw CommandError("--engines \(n): a workspace records (and resumes) one engine's run; record with --engines 1")
            }
            guard path != nil else {
                throw CommandError("--engines \(n) splits a replayed file's users; the simulator and live streams run one engine here (serve --own splits a stream between processes)")
            }
            return n
        case .fixed:
            return 1
        case .automatic:
            guard let path, !recording else { return 1 }
            return Engine.automaticEngineCount(fileBytes: Self.fileBytes(path), cores: ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    /// The size of a plain file; 0 for a directory, a dataset name or a missing path.
    static func fileBytes(_ path: String) -> Int64 {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return 0 }
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}
