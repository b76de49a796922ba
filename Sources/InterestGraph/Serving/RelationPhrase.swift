/// Words for knowledge-graph paths in explanations.
///
/// Knowledge graphs built from Freebase (the ml-100k `.kg` file) name entities by opaque ids
/// such as `m.0c3wmn`; the relation that reached the entity says what it is (an actor, a
/// director), so the sentence names the role and keeps the id in brackets for lookup.
enum RelationPhrase {
    /// Role of the shared entity, by relation, read from the item's side.
    static let roles: [String: String] = [
        "film.film.actor": "a cast member", "film.actor.film": "a cast member",
        "film.film.directed_by": "the director", "film.director.film": "the director",
        "film.film.written_by": "a writer", "film.writer.film": "a writer",
        "film.film.produced_by": "a producer", "film.producer.film": "a producer",
        "film.film.cinematography": "the cinematographer", "film.cinematographer.film": "the cinematographer",
        "film.film.production_companies": "a production company", "film.production_company.films": "a production company",
        "film.film.genre": "a genre", "film.film_genre.films_in_this_genre": "a genre",
        "film.film.award_nomination": "an award nomination", "film.film.award_won": "an award",
        "film.film.language": "the language", "film.film.country": "the country",
        "film.film.rating": "the content rating", "film.content_rating.film": "the content rating",
        "film.film.subjects": "a subject", "film.film_subject.films": "a subject",
        "made_by": "the maker", "based_in": "the country",
    ]

    /// Relations that link two works directly: (relation, read from the anchor) -> what the
    /// candidate is to the anchor.
    static let follows: [String: (forward: String, backward: String)] = [
        "film.film.sequel": ("its sequel", "its prequel"),
        "film.film.prequel": ("its prequel", "its sequel"),
    ]

    /// `true` for Freebase-style ids (`m.0c3wmn`, `g.11b6...`) that mean nothing to people.
    static func isOpaque(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 3, bytes[0] == UInt8(ascii: "m") || bytes[0] == UInt8(ascii: "g"), bytes[1] == UInt8(ascii: ".") else { return false }
        return bytes.dropFirst(2).allSatisfy { b in
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || b == UInt8(ascii: "_")
        }
    }

    /// "shares a cast member (m.0c3wmn)", "shares the maker Nordhaus", "same material leather".
    static func shared(entity name: String, relation: String?) -> String {
        let role = relation.flatMap { roles[$0] }
        if isOpaque(name) { return "shares \(role ?? "a linked entity") (\(name))" }
        // Namespaced ids such as "material:leather" read as "material leather".
        var prefix: Substring?
        var value = Substring(name)
        if let colon = name.firstIndex(of: ":"), colon != name.startIndex, name.index(after: colon) != name.endIndex {
            prefix = name[..<colon]
            value = name[name.index(after: colon)...]
        }
        if let role { return "shares \(role) \(value)" }
        if let prefix { return "same \(prefix) \(value)" }
        return "shares \(name)"
    }

    /// What the candidate is to the anchor when their own entities are linked by `relation`
    /// (`forward`: the anchor's entity is the triple's head): "its sequel", "linked by made_by".
    static func direct(relation: String, forward: Bool) -> String {
        if let pair = follows[relation] { return forward ? pair.forward : pair.backward }
        return "linked by \(relation)"
    }
}
