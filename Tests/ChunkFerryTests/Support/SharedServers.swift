/// One Redis, one SeaweedFS and one moto shared by every test that does not stop, freeze or restart
/// its server; each test isolates itself with its own bucket or namespace. Tests that inject
/// outages start servers of their own.
actor SharedServers {
    static let shared = SharedServers()

    private var redisTask: Task<RedisServer, any Error>?
    private var seaweedTask: Task<SeaweedServer, any Error>?
    private var motoTask: Task<MotoServer, any Error>?

    func redis() async throws -> RedisServer {
        if let redisTask { return try await redisTask.value }
        let task = Task { try await RedisServer() }
        redisTask = task
        return try await task.value
    }

    func seaweed() async throws -> SeaweedServer {
        if let seaweedTask { return try await seaweedTask.value }
        let task = Task { try await SeaweedServer() }
        seaweedTask = task
        return try await task.value
    }

    func moto() async throws -> MotoServer {
        if let motoTask { return try await motoTask.value }
        let task = Task { try await MotoServer() }
        motoTask = task
        return try await task.value
    }
}
