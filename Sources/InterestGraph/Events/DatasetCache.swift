import Foundation

/// Public datasets fetched at run time into `$XDG_CACHE_HOME/driftscope/datasets`
/// (default `~/.cache/driftscope/datasets`), because their licences forbid committing them.
///
/// `ml-100k` comes from the RecBole 1.2.1 wheel on PyPI: `python3 -m pip download --no-deps`
/// fetches it and the members under `recbole/dataset_example/ml-100k/` are extracted into
/// `CACHE/ml-100k/`. Extraction goes to a temporary directory renamed into place, so an
/// interrupted fetch never leaves a half-filled dataset behind.
public struct DatasetCache: Sendable {
    /// Names that resolve to the cache wherever a dataset path is accepted.
    public static let knownDatasets = ["ml-100k"]

    /// Where each known dataset comes from: a pip requirement and the wheel member prefix.
    static let sources: [String: (requirement: String, prefix: String)] = [
        "ml-100k": ("recbole==1.2.1", "recbole/dataset_example/ml-100k/"),
    ]

    /// The cache directory holding one sub-directory per dataset.
    public let root: String

    public init(root: String? = nil) {
        self.root = root ?? DatasetCache.defaultRoot()
    }

    /// `$XDG_CACHE_HOME/driftscope/datasets`, or `~/.cache/driftscope/datasets` when unset
    /// (or not absolute, as the XDG specification requires).
    public static func defaultRoot(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return FileSystem.join(xdg, "driftscope/datasets")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return FileSystem.join(home, ".cache/driftscope/datasets")
    }

    /// The directory a dataset lives in (whether or not it is fetched yet).
    public func directory(for name: String) -> String {
        FileSystem.join(root, name)
    }

    /// True when the dataset's interaction file is present.
    public func isCached(_ name: String) -> Bool {
        FileSystem.isFile(FileSystem.join(directory(for: name), "\(name).inter"))
    }

    /// The dataset's directory, fetching it first when missing.
    public func resolve(_ name: String) throws -> String {
        isCached(name) ? directory(for: name) : try fetch(name)
    }

    /// Downloads and extracts a known dataset; a no-op when cached unless `force`.
    /// - Returns: the dataset's directory.
    /// - Throws: ``DatasetError`` naming the failed step (unknown name, pip, extraction).
    @discardableResult
    public func fetch(_ name: String, force: Bool = false) throws -> String {
        guard let source = Self.sources[name] else {
            throw DatasetError("unknown dataset '\(name)' (known: \(Self.knownDatasets.joined(separator: ", ")))")
        }
        let target = directory(for: name)
        if isCached(name), !force { return target }
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw DatasetError("cannot create the cache directory \(root): \(error.localizedDescription)")
        }
        let work = FileSystem.join(root, ".fetch-\(name)-\(ProcessInfo.processInfo.processIdentifier)")
        try? files.removeItem(atPath: work)
        defer { try? files.removeItem(atPath: work) }
        let wheels = FileSystem.join(work, "wheel")
        let out = FileSystem.join(work, name)
        do {
            try files.createDirectory(atPath: wheels, withIntermediateDirectories: true)
            try files.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw DatasetError("cannot create \(work): \(error.localizedDescription)")
        }

        let pipArguments = ["-m", "pip", "download", "--no-deps", "--no-input", "--disable-pip-version-check", source.requirement, "-d", wheels]
        try run(pipArguments, log: FileSystem.join(work, "pip.log"), step: "python3 -m pip download --no-deps \(source.requirement)")
        guard let wheel = FileSystem.contents(wheels).first(where: { $0.hasSuffix(".whl") }) else {
            throw DatasetError("fetching \(name): pip finished but left no wheel in \(wheels)")
        }
        try run(["-c", Self.extractScript, FileSystem.join(wheels, wheel), source.prefix, out],
                log: FileSystem.join(work, "extract.log"), step: "extracting \(source.prefix) from \(wheel)")
        guard FileSystem.isFile(FileSystem.join(out, "\(name).inter")) else {
            throw DatasetError("fetching \(name): \(wheel) holds no \(source.prefix)\(name).inter")
        }
        do {
            if FileSystem.exists(target) { try files.removeItem(atPath: target) }
            try files.moveItem(atPath: out, toPath: target)
        } catch {
            throw DatasetError("fetching \(name): cannot move the dataset into \(target): \(error.localizedDescription)")
        }
        return target
    }

    /// Copies the regular files directly under a prefix out of a zip (a wheel), flat.
    static let extractScript = """
        import os, shutil, sys, zipfile
        wheel, prefix, dest = sys.argv[1:4]
        count = 0
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                name = info.filename
                if not name.startswith(prefix) or name.endswith("/"):
                    continue
                rest = name[len(prefix):]
                if "/" in rest or rest in ("", ".", ".."):
                    continue
                with archive.open(info) as source, open(os.path.join(dest, rest), "wb") as target:
                    shutil.copyfileobj(source, target)
                count += 1
        if count == 0:
            sys.exit("no files under " + prefix)
        """

    /// Runs `python3 ARGS`, output to `log`; throws with the log's last line on failure.
    private func run(_ arguments: [String], log: String, step: String) throws {
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else {
            throw DatasetError("cannot write \(log)")
        }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DatasetError("\(step): cannot start python3: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus != 0 else { return }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let last = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
        if process.terminationStatus == 127 {
            throw DatasetError("\(step): python3 not found on PATH")
        }
        throw DatasetError("\(step) failed (exit \(process.terminationStatus)): \(last)")
    }
}
