import ChunkFerryStorage
import ChunkFerrySupport

/// The record a finalized stream keeps in Redis: one tab-separated value in the `finalized` hash,
/// about 200 bytes whatever its number of chunks (the chunk list lives in the manifest), holding
/// what `status`, `restore` and a restart need.
///
/// `c2 path device inode chunk-size size chunks sha256(base64) key-root started completed host
/// repaired object-key chunks-deleted gone-at modified changed` (the file's times in ns; `c1`
/// records, from before they were kept, lack the last two), where the key root is the stream folder without
/// `<path>/<id>/` and an object key of `<S3_PREFIX><path>` is written `~`.
extension StreamRecord {
    package static let compactVersion = "c2"
    /// Written before the file's times were kept: read, and rewritten as `c2` when next written.
    package static let legacyCompactVersion = "c1"

    /// This stream finished: every byte committed and described by a manifest in the store.
    package func finalized(size: Int64, chunkCount: Int, sha256: String, completedAt: Int64, repairedChunks: Int, objectKey: String?,
                   chunksDeleted: Bool) -> StreamRecord {
        var finished = self
        finished.state = .finalized
        finished.fileSize = size
        finished.committedOffset = size
        finished.chunkCount = chunkCount
        finished.sha256 = sha256
        finished.completedAt = completedAt
        finished.updatedAt = completedAt
        finished.repairedChunks = repairedChunks
        finished.objectKey = objectKey
        finished.chunksDeleted = chunksDeleted
        finished.isCompact = true
        return finished
    }

    package var compactValue: String { compactFields.joined(separator: "\t") }

    /// The value a `c1` record of the same stream holds (no times): what Redis may still hold
    /// from an older version, for compare-and-set.
    package var legacyCompactValue: String {
        ([Self.legacyCompactVersion] + compactFields.dropFirst().prefix(15)).joined(separator: "\t")
    }

    private var compactFields: [String] {
        let suffix = "\(path)/\(id)/"
        // `!` marks a stream folder written out whole; a root that starts with `!` is written so too.
        let derived = keyPrefix.hasSuffix(suffix) ? String(keyPrefix.dropLast(suffix.count)) : nil
        let root = derived.flatMap { $0.hasPrefix("!") ? nil : $0 } ?? "!" + keyPrefix
        let object = objectKey.map { $0 == Self.layoutPrefix(root) + path ? "~" : $0 } ?? ""
        let digest = sha256.flatMap(ByteEncoding.bytes(fromHex:)).map(ByteEncoding.base64) ?? ""
        let completed: String = completedAt.map { String($0) } ?? ""
        let deletedAt: String = localDeletedAt.map { String($0) } ?? ""
        let fields: [String] = [
            Self.compactVersion, path, String(device), String(inode), String(chunkSize), String(fileSize), String(chunkCount),
            digest, root, String(startedAt), completed, host, String(repairedChunks), object, chunksDeleted ? "1" : "", deletedAt,
            fileModified.map { String($0) } ?? "", fileChanged.map { String($0) } ?? "",
        ]
        return fields
    }

    /// S3_PREFIX, from a key root that may end in the streams folder.
    private static func layoutPrefix(_ root: String) -> String {
        root.hasSuffix(ObjectLayout.streamsFolder) ? String(root.dropLast(ObjectLayout.streamsFolder.count)) : root
    }

    /// A finalized record from its compact value; nil if the value is not one.
    package init?(id: String, compactValue value: String) {
        let fields = value.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let current = fields.count == 18 && fields[0] == Self.compactVersion
        guard current || (fields.count == 16 && fields[0] == Self.legacyCompactVersion), let device = UInt64(fields[2]), let inode = UInt64(fields[3]),
              let chunkSize = Int(fields[4]), let size = Int64(fields[5]), let chunkCount = Int(fields[6]),
              let startedAt = Int64(fields[9]) else { return nil }
        let path = fields[1]
        let root = fields[8]
        let keyPrefix = root.hasPrefix("!") ? String(root.dropFirst()) : "\(root)\(path)/\(id)/"
        self.init(id: id, path: path, device: device, inode: inode, chunkSize: chunkSize, keyPrefix: keyPrefix,
                  startedAt: startedAt, host: fields[11])
        state = .finalized
        fileSize = size
        committedOffset = size
        self.chunkCount = chunkCount
        sha256 = ByteEncoding.bytes(fromBase64: fields[7]).map(ByteEncoding.hex)
        completedAt = Int64(fields[10])
        updatedAt = completedAt ?? startedAt
        repairedChunks = Int(fields[12]) ?? 0
        objectKey = fields[13] == "~" ? Self.layoutPrefix(root) + path : (fields[13].isEmpty ? nil : fields[13])
        chunksDeleted = fields[14] == "1"
        localDeletedAt = Int64(fields[15])
        if current {
            fileModified = Int64(fields[16])
            fileChanged = Int64(fields[17])
        }
        isCompact = true
    }
}
