@testable import ChunkFerryCheckpoint
@testable import ChunkFerrySupport
import Testing

@Suite struct RedisClientTests {
    @Test(arguments: [
        ("redis://localhost", "localhost", 6379, nil as String?, nil as String?, 0),
        ("redis://redis:6380/2", "redis", 6380, nil, nil, 2),
        ("redis://:p%40ss@10.0.0.5:6379/1", "10.0.0.5", 6379, nil, "p@ss", 1),
        ("redis://app:secret@host/", "host", 6379, "app", "secret", 0),
        ("redis://[::1]:7000/3", "::1", 7000, nil, nil, 3),
    ])
    func parsesURLs(text: String, host: String, port: Int, user: String?, password: String?, database: Int) throws {
        let url = try RedisURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.username == user)
        #expect(url.password?.value == password)
        #expect(url.database == database)
        if let password { #expect(!url.description.contains(password)) }
    }

    @Test(arguments: ["localhost:6379", "http://host", "redis://:hunter2@host:notaport", "redis://:hunter2@host/x", "rediss://h", "redis://"])
    func rejectsBadURLsNamingTheSettingNotThePassword(text: String) {
        let error = #expect(throws: RedisError.self) { try RedisURL(parsing: text) }
        #expect(error?.message.contains("REDIS_URL") == true)
        #expect(error?.message.contains("hunter2") == false)
        #expect(error?.isRetryable == false)
    }

    @Test func commandsAndPipelinesAreBinarySafe() async throws {
        let server = try await SharedServers.shared.redis()
        let client = RedisClient(url: server.url)
        let key = Scratch.uniqueName("binary")
        let value = "line\nwith\0nul and ünïcode \r\n$3\r\n"
        try await client.command("SET", key, value)
        #expect(try await client.command("GET", key).string == value)
        let replies = try await client.pipeline([["INCR", key + ":n"], ["INCR", key + ":n"], ["BOGUSCOMMAND"]])
        #expect(replies[0] == .integer(1))
        #expect(replies[1] == .integer(2))
        guard case .error = replies[2] else { Issue.record("expected an error reply"); return }
        let error = await #expect(throws: RedisError.self) { try await client.command("BOGUSCOMMAND") }
        #expect(error?.kind == .reply)
    }

    @Test func wrongOrMissingPasswordFailsClearlyWithoutEchoingIt() async throws {
        let server = try await RedisServer(password: "right-password-7")
        let good = RedisClient(url: server.url)
        #expect(try await good.command("PING").string == "PONG")

        var wrongURL = server.url
        wrongURL.password = Secret("wrong-password-3")
        let wrong = await #expect(throws: RedisError.self) { try await RedisClient(url: wrongURL).command("PING") }
        #expect(wrong?.kind == .authentication)
        #expect(wrong?.isRetryable == false)
        #expect(wrong?.message.contains("REDIS_URL") == true)
        #expect(wrong?.message.contains("wrong-password-3") == false)

        var noneURL = server.url
        noneURL.password = nil
        let none = await #expect(throws: RedisError.self) { try await RedisClient(url: noneURL).command("PING") }
        #expect(none?.kind == .authentication)
        #expect(none?.message.contains("requires a password") == true)
        server.stop()
    }

    @Test func unreachableAndFrozenRedisAreRetryableWithinTheTimeout() async throws {
        let server = try await RedisServer()
        let client = RedisClient(url: server.url, connectTimeoutMilliseconds: 500, commandTimeoutMilliseconds: 1_000)
        try await client.command("SET", "k", "v")
        let clock = ContinuousClock()

        server.freeze()
        var started = clock.now
        let frozen = await #expect(throws: RedisError.self) { try await client.command("GET", "k") }
        #expect(frozen?.isRetryable == true)
        // 1 s command timeout and one reconnect; what matters is that it ends (a loaded CI machine is slow).
        #expect(clock.now - started < .seconds(30))
        server.thaw()
        #expect(try await client.command("GET", "k").string == "v")

        server.stop()
        started = clock.now
        let stopped = await #expect(throws: RedisError.self) { try await client.command("GET", "k") }
        #expect(stopped?.kind == .connection)
        #expect(clock.now - started < .seconds(10))
    }
}
