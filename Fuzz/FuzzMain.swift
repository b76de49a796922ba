// The libFuzzer entry point, built by fuzz.sh with the InterestGraph sources and
// Tests/InterestGraphTests/FuzzTargets.swift into one executable (libFuzzer supplies `main`).
import Foundation

/// The target (`DRIFTSCOPE_FUZZ_TARGET`: csv, jsonl or toml) and a scratch directory of this
/// process's own, set up on the first input.
let fuzzSetup: (target: FuzzTarget, scratch: String) = {
    let name = ProcessInfo.processInfo.environment["DRIFTSCOPE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set DRIFTSCOPE_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue)), not '\(name)'")
    }
    // tmpfs when there is one: every input is written to a file before it is read.
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let scratch = base + "/driftscope-fuzz-\(target.rawValue)-\(getpid())"
    try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    return (target, scratch)
}()

/// Checks one input; a broken invariant stops the run with the message, and libFuzzer saves
/// the input as `crash-*` (a hang past `-timeout` as `timeout-*`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try fuzzSetup.target.check(bytes, scratch: fuzzSetup.scratch)
    } catch {
        fatalError("\(fuzzSetup.target.rawValue) invariant broken: \(error)")
    }
    return 0
}
