import Foundation

/// Camera states for `status`: `<namespace>cameras`, a hash of camera name → JSON, written by
/// the recording instance every few seconds.
extension CheckpointStore {
    var camerasKey: String { "\(namespace)cameras" }

    func publishCameras(_ cameras: [CameraStatus], node: String, now: Int64) async throws(RedisError) {
        guard !cameras.isEmpty else { return }
        let encoder = JSONEncoder()
        var fields: [String] = []
        for var camera in cameras {
            camera.node = node
            camera.updatedAt = now
            guard let data = try? encoder.encode(camera) else { continue }
            fields += [camera.name, String(decoding: data, as: UTF8.self)]
        }
        _ = try await redis.pipeline([["HSET", camerasKey] + fields, ["PEXPIRE", camerasKey, "86400000"]])
    }

    /// Cameras removed from the config are dropped from status.
    func forgetCameras(except names: Set<String>) async throws(RedisError) {
        let known = try await redis.command("HKEYS", camerasKey).array.compactMap(\.string)
        let gone = known.filter { !names.contains($0) }
        if !gone.isEmpty { _ = try await redis.command(["HDEL", camerasKey] + gone) }
    }

    package func cameras() async throws(RedisError) -> [CameraStatus] {
        let decoder = JSONDecoder()
        return try await redis.command("HGETALL", camerasKey).fields.compactMap { _, value in
            try? decoder.decode(CameraStatus.self, from: Data(value.utf8))
        }.sorted { $0.name < $1.name }
    }
}
