/// The layouts `DatasetLoader` reads. `auto` picks one from the path (see ``DatasetLoader``).
public enum DatasetFormat: String, CaseIterable, Sendable {
    /// Detect from the name, extension, directory contents and first bytes.
    case auto
    /// Delimited text (`,` `\t` `;` `|`, detected) with a header row of column names.
    case csv
    /// One JSON object per line.
    case jsonl
    /// A RecBole atomic-file directory: `NAME.inter` plus optional `.item`, `.user`, `.kg`, `.link`.
    case recbole
    /// MovieLens: ml-100k raw (`u.data`, `u.item`) or ml-latest (`ratings.csv`, `movies.csv`).
    case movielens
}
