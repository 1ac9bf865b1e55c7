#if canImport(Glibc)
import Glibc
#endif

/// What `check` prints and `run` waits for: the watch directory, Redis, the bucket, a test write.
public struct StartupChecks: Sendable {
    public enum Outcome: Sendable, Equatable {
        case ok(String)
        /// `fatal`: only the user can fix it (a setting); otherwise it may pass (unreachable).
        case failed(String, fatal: Bool)

        public var isOK: Bool { if case .ok = self { true } else { false } }
    }

    public struct Result: Sendable {
        public var name: String
        public var outcome: Outcome
    }

    let settings: ChunkFerrySettings
    let s3: S3Client
    let redis: RedisClient

    public init(settings: ChunkFerrySettings, s3: S3Client, redis: RedisClient) {
        self.settings = settings
        self.s3 = s3
        self.redis = redis
    }

    /// Every check in order; later checks are skipped as failed when an earlier one they need failed.
    public func runAll() async -> [Result] {
        [
            Result(name: "watch directory", outcome: watchDirectory()),
            Result(name: "redis", outcome: await redisReachable()),
            Result(name: "bucket", outcome: await bucket()),
            Result(name: "write access", outcome: await writeAccess()),
        ]
    }

    func watchDirectory() -> Outcome {
        let path = settings.watch.directory
        switch FileStatus.of(path) {
        case .failure(let error):
            return .failed("WATCH_DIR '\(path)' cannot be used: \(error); create it or fix WATCH_DIR", fatal: true)
        case .success(let status) where status.kind != .directory:
            return .failed("WATCH_DIR '\(path)' is not a directory; fix WATCH_DIR", fatal: true)
        case .success:
            guard access(path, R_OK | X_OK) == 0 else {
                return .failed("WATCH_DIR '\(path)' is not readable by this user (uid \(getuid())); fix its permissions", fatal: true)
            }
            let deleting = settings.retention.enablingKeys.map(\.environmentName)
            if !deleting.isEmpty {
                guard access(path, W_OK) == 0 else {
                    return .failed("WATCH_DIR '\(path)' is read-only, but \(deleting.joined(separator: " and ")) must delete uploaded files from it; mount it writable (in docker-compose.yml: INPUT_MODE=rw) or turn that setting off", fatal: true)
                }
                return .ok("\(path) is readable and writable (\(deleting.joined(separator: ", ")) deletes uploaded files)")
            }
            return .ok("\(path) is readable")
        }
    }

    func redisReachable() async -> Outcome {
        do {
            _ = try await redis.command("PING")
            return .ok("\(redis.url) answers")
        } catch {
            return .failed("\(error.message) (REDIS_URL \(redis.url))", fatal: !error.isRetryable)
        }
    }

    func bucket() async -> Outcome {
        let bucket = settings.s3.bucket
        do {
            try await s3.headBucket()
            return .ok("\(bucket) exists at \(s3.endpointDescription)")
        } catch where error.code == "NoSuchBucket" && settings.createBucket {
            do {
                try await s3.createBucket()
                return .ok("\(bucket) created at \(s3.endpointDescription)")
            } catch {
                return .failed(error.description, fatal: !error.isRetryable)
            }
        } catch {
            return .failed(error.description, fatal: !error.isRetryable)
        }
    }

    /// A test object written and deleted, proving the credentials may write. In crc32c mode it
    /// goes with a trailing checksum first, which finds out whether chunks can go that way.
    func writeAccess() async -> Outcome {
        let key = "\(settings.upload.keyPrefix).chunkferry-check/\(settings.upload.nodeID)-\(UInt32.random(in: 0...UInt32.max))"
        let body = Array("chunkferry write check\n".utf8)
        do {
            var form = ""
            if s3.sendsTrailingChecksums {
                do {
                    _ = try await s3.putObject(key: key, trailing: TrailingChecksumBody(.bytes(body)), contentType: "text/plain")
                    form = " (checksums trail the bytes)"
                } catch where error.code == "TrailerNotAccepted" {
                    _ = s3.stopTrailingChecksums()
                    form = " (the store refuses trailing checksums: they go in headers, one more read of each byte)"
                }
            }
            if !s3.sendsTrailingChecksums {
                _ = try await s3.putObject(key: key, body: body, contentType: "text/plain")
            }
            try await s3.deleteObject(key: key)
            return .ok("test object written and deleted" + form)
        } catch {
            return .failed(error.description, fatal: !error.isRetryable)
        }
    }
}

extension S3Client {
    /// The endpoint as logs and `check` show it (never a credential).
    public var endpointDescription: String { "\(endpoint.scheme)://\(endpoint.authority)" }
}
