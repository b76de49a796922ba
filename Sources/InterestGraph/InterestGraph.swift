// The InterestGraph module: the Driftscope engine. See docs/ARCHITECTURE.md for the map.
//
// Folders: Events (Event, readers), Graph (HeteroGraph), Profile (interest profiles, drift),
// Model (embeddings, training), Serving (top-K, audiences), Evaluation (protocols, metrics),
// Simulation (synthetic shop), Engine (the threaded facade), Config (TOML), Support (helpers).
