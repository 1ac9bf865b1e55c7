/// Camera states for `status`: `<namespace>cameras`, a hash of camera name → the camera's state
/// as JSON (the cameras' code encodes it), written by the recording instance every few seconds.
extension CheckpointStore {
    package var camerasKey: String { "\(namespace)cameras" }

    /// Each camera's state by name; the hash lasts a day after the last write.
    package func publishCameraStates(_ states: [(name: String, json: String)]) async throws(RedisError) {
        guard !states.isEmpty else { return }
        _ = try await redis.pipeline([["HSET", camerasKey] + states.flatMap { [$0.name, $0.json] }, ["PEXPIRE", camerasKey, "86400000"]])
    }

    /// Cameras removed from the config are dropped from status.
    package func forgetCameras(except names: Set<String>) async throws(RedisError) {
        let known = try await redis.command("HKEYS", camerasKey).array.compactMap(\.string)
        let gone = known.filter { !names.contains($0) }
        if !gone.isEmpty { _ = try await redis.command(["HDEL", camerasKey] + gone) }
    }

    /// Every camera's state as published.
    package func cameraStates() async throws(RedisError) -> [String] {
        try await redis.command("HGETALL", camerasKey).fields.map(\.value)
    }
}
