extension Recommender {
    /// Replaces the embedding model (after restoring a checkpoint into a copy of it).
    mutating func setEmbedding(_ embedding: EmbeddingModel) {
        hybrid?.embedding = embedding
    }
}
