import ChunkFerryStorage

/// How records are laid out in Redis hashes.
extension StreamRecord {
    package var redisFields: [String] {
        var fields = [
            "path", path, "device", String(device), "inode", String(inode), "chunk_size", String(chunkSize),
            "key_prefix", keyPrefix, "state", state.rawValue, "committed", String(committedOffset),
            "chunk_count", String(chunkCount), "file_size", String(fileSize), "started_at", String(startedAt),
            "updated_at", String(updatedAt), "host", host, "repaired", String(repairedChunks),
        ]
        if let lastChunkAt { fields += ["last_chunk_at", String(lastChunkAt)] }
        if let completedAt { fields += ["completed_at", String(completedAt)] }
        if let sha256 { fields += ["sha256", sha256] }
        if let objectKey { fields += ["object_key", objectKey] }
        if chunksDeleted { fields += ["chunks_deleted", "1"] }
        if let localDeletedAt { fields += ["local_deleted_at", String(localDeletedAt)] }
        return fields
    }

    package init(id: String, redisFields fields: [String: String]) throws(RedisError) {
        func number(_ name: String) throws(RedisError) -> Int64 {
            guard let value = fields[name].flatMap({ Int64($0) }) else {
                throw RedisError(kind: .data, message: "stream \(id) in Redis lacks a valid '\(name)'")
            }
            return value
        }
        guard let path = fields["path"], let keyPrefix = fields["key_prefix"],
              let state = fields["state"].flatMap(StreamState.init(rawValue:)) else {
            throw RedisError(kind: .data, message: "stream \(id) in Redis lacks path, key_prefix or state")
        }
        self.init(id: id, path: path, device: UInt64(try number("device")), inode: UInt64(try number("inode")),
                  chunkSize: Int(try number("chunk_size")), keyPrefix: keyPrefix,
                  startedAt: try number("started_at"), host: fields["host"] ?? "")
        self.state = state
        committedOffset = try number("committed")
        chunkCount = Int(try number("chunk_count"))
        fileSize = try number("file_size")
        updatedAt = try number("updated_at")
        lastChunkAt = fields["last_chunk_at"].flatMap { Int64($0) }
        completedAt = fields["completed_at"].flatMap { Int64($0) }
        sha256 = fields["sha256"]
        repairedChunks = fields["repaired"].flatMap { Int($0) } ?? 0
        lastError = fields["last_error"]
        failed = fields["failed"] == "1"
        objectKey = fields["object_key"]
        chunksDeleted = fields["chunks_deleted"] == "1"
        localDeletedAt = fields["local_deleted_at"].flatMap { Int64($0) }
    }
}

extension ChunkRecord {
    /// `size checksum etag` (checksum as `ChunkChecksum.encoded`); the ETag comes last because
    /// only it could hold a space.
    package var redisValue: String { "\(size) \(checksum.encoded) \(etag)" }

    package init?(index: Int, redisValue: String) {
        let parts = redisValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let size = Int(parts[0]), let checksum = ChunkChecksum(encoded: String(parts[1])) else { return nil }
        self.init(index: index, size: size, checksum: checksum, etag: String(parts[2]))
    }
}
