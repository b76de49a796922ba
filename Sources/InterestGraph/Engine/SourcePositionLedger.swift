/// The link between a source whose events have their own ids (a stream's entry ids) and a
/// recorder that logs them: how "acknowledge only what is logged" is done without the engine
/// knowing either side.
///
/// The source hands out events with increasing source positions and remembers each one's
/// id; the recorder, inside the transaction that logs positions `range`, asks for their ids
/// and stores them with the events; once that transaction has committed it says so, and the
/// source acknowledges those entries upstream. A crash between the two leaves entries
/// logged but unacknowledged: on resume the source finds their ids in the log and skips them.
public protocol SourcePositionLedger: AnyObject, Sendable {
    /// The ids of the events handed out at positions in `range` (those the source knows).
    /// Called on the recorder's writer thread, inside the logging transaction.
    func sourceIDs(in range: Range<Int64>) -> [(position: Int64, id: String)]
    /// Every event below `position` is durably logged. Called on the writer thread after
    /// the commit.
    func logged(below position: Int64)
}
