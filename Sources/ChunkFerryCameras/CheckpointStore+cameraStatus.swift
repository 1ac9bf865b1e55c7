import ChunkFerryCheckpoint
import Foundation

/// The cameras' states in Redis as JSON, for `status` on any machine.
extension CheckpointStore {
    func publishCameras(_ cameras: [CameraStatus], node: String, now: Int64) async throws(RedisError) {
        let encoder = JSONEncoder()
        let states = cameras.compactMap { camera -> (name: String, json: String)? in
            var camera = camera
            camera.node = node
            camera.updatedAt = now
            guard let data = try? encoder.encode(camera) else { return nil }
            return (camera.name, String(decoding: data, as: UTF8.self))
        }
        try await publishCameraStates(states)
    }

    package func cameras() async throws(RedisError) -> [CameraStatus] {
        let decoder = JSONDecoder()
        return try await cameraStates().compactMap { try? decoder.decode(CameraStatus.self, from: Data($0.utf8)) }
            .sorted { $0.name < $1.name }
    }
}
