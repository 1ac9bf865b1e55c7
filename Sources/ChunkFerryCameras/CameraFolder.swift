import ChunkFerryPipeline
import ChunkFerrySupport
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A camera's folder under WATCH_DIR (recordings, snapshots), created like `mkdir -p`. One that
/// cannot be created (a folder owned by someone else) gives one line and another try every 30 s:
/// it never ends the other cameras or the daemon.
enum CameraFolder {
    /// True once `path` exists; false if shutdown came first.
    package static func create(_ path: String, logger: Logger, onFirstFailure: () async -> Void = {}) async -> Bool {
        var reported = false
        while true {
            // nil: cancelled while the call ran; .some(nil): the folder is there.
            guard let attempt = await FileCalls.shared.run({ makeDirectory(path) ? nil : Errno(errno) }) else { return false }
            guard let error = attempt else { return true }
            if !reported {
                logger.error("cannot create the camera's folder under WATCH_DIR; trying again every 30s (check the folder's owner: the image runs as uid 10001)", metadata: [
                    "folder": "\(path)", "error": "\(error)",
                ])
                await onFirstFailure()
                reported = true
            }
            guard await RetryPolicy.pause(.seconds(30)) else { return false }
        }
    }

    /// `mkdir -p`, true when the folder exists afterwards.
    static func makeDirectory(_ path: String) -> Bool {
        var partial = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            partial += "/" + part
            if mkdir(partial, 0o755) != 0 && errno != EEXIST { return false }
        }
        return (try? FileStatus.of(path).get().kind) == .directory
    }
}
