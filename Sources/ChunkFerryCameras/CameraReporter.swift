import ChunkFerryCheckpoint
import ChunkFerryPipeline
import ChunkFerrySupport
import Logging
import ServiceLifecycle

/// Publishes every camera's state to Redis every few seconds, for `chunkferry status` (a
/// separate process). An outage of Redis only delays it.
package struct CameraReporter: Service {
    package let board: CameraBoard
    package let store: CheckpointStore
    package let node: String
    package var interval: Duration = .seconds(3)

    package init(board: CameraBoard, store: CheckpointStore, node: String, interval: Duration = .seconds(3)) {
        self.board = board
        self.store = store
        self.node = node
        self.interval = interval
    }

    package func run() async throws {
        var forgotten: Set<String>?
        repeat {
            let cameras = await board.all()
            // Cameras no longer in the configuration leave status (at start, and after a reload).
            let names = Set(cameras.map(\.name))
            if forgotten != names, (try? await store.forgetCameras(except: names)) != nil { forgotten = names }
            try? await store.publishCameras(cameras, node: node, now: WallClock.nowMilliseconds())
        } while await RetryPolicy.pause(interval)
        // Last word: stopped (a later status shows they are not being recorded).
        let stopped = await board.all().map { camera in
            var camera = camera
            if camera.state != .disabled { camera.state = .disabled; camera.reason = "ChunkFerry stopped" }
            return camera
        }
        try? await store.publishCameras(stopped, node: node, now: WallClock.nowMilliseconds())
    }
}
