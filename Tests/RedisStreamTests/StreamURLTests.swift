import Testing
@testable import RedisStream

@Suite struct StreamURLTests {
    @Test func parsesEveryPart() throws {
        let url = try StreamURL(parsing: "redis://10.0.0.5:6380/shop?group=g1&consumer=c1&partitions=4")
        #expect(url.host == "10.0.0.5")
        #expect(url.port == 6380)
        #expect(url.name == "shop")
        #expect(url.group == "g1")
        #expect(url.consumer == "c1")
        #expect(url.partitions == 4)
        #expect(url.key(partition: 3) == "shop:3")
        #expect(url.streamAddress == "redis://10.0.0.5:6380/shop")
    }

    @Test func defaults() throws {
        let url = try StreamURL(parsing: "redis://localhost/events")
        #expect(url.port == 6379)
        #expect(url.group == "driftscope")
        #expect(url.consumer.hasPrefix("driftscope-"))
        #expect(url.partitions == nil)
        let v6 = try StreamURL(parsing: "redis://[::1]:7000/e")
        #expect(v6.host == "::1")
        #expect(v6.port == 7000)
        #expect(v6.streamAddress == "redis://[::1]:7000/e")
    }

    @Test(arguments: [
        "redis://host:99999/s", "redis://host:6379/", "redis://host:6379", "redis://:6379/s",
        "redis://h/s?partitions=0", "redis://h/s?partitions=x", "redis://h/s?colour=red", "http://h/s",
    ])
    func refusesWithTheExpectedForm(_ text: String) {
        #expect {
            try StreamURL(parsing: text)
        } throws: { error in
            "\(error)".contains("expected redis://HOST:PORT/NAME")
        }
    }

    /// The documented rule: FNV-1a 64 of the UTF-8 id, mod N (values computed by hand
    /// from the offset basis and prime, so a change of hash or of byte order fails).
    @Test func partitionIsFNV1aModN() {
        // FNV-1a 64 of "" is the offset basis 0xcbf29ce484222325.
        #expect(StreamURL.partition(ofUser: "", partitions: 7) == Int(UInt64(0xcbf2_9ce4_8422_2325) % 7))
        // "a": (basis ^ 0x61) * prime = 0xaf63dc4c8601ec8c.
        #expect(StreamURL.partition(ofUser: "a", partitions: 1_000) == Int(UInt64(0xaf63_dc4c_8601_ec8c) % 1_000))
        #expect(StreamURL.partition(ofUser: "u42", partitions: 1) == 0)
    }
}
