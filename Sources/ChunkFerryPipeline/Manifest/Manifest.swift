import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// What a stream became in the bucket: written as `manifest.json` beside its chunks.
/// The chunks, concatenated in index order, are exactly the file's bytes.
package struct Manifest: Codable, Sendable, Equatable {
    /// One chunk object; exactly one of `sha256` (hex) and `crc32c` (Base64, as S3 shows it)
    /// is set: the checksum the store verified on upload.
    package struct Chunk: Codable, Sendable, Equatable {
        package var index: Int
        package var key: String
        package var offset: Int64
        package var size: Int
        package var sha256: String?
        package var crc32c: String?

        package init(index: Int, key: String, offset: Int64, size: Int, checksum: ChunkChecksum) {
            self.index = index
            self.key = key
            self.offset = offset
            self.size = size
            switch checksum {
            case .sha256(let digest): sha256 = ByteEncoding.hex(digest)
            case .crc32c: crc32c = checksum.header.value
            }
        }

        package var checksum: ChunkChecksum? {
            if let sha256, sha256.utf8.count == 64, let digest = ByteEncoding.bytes(fromHex: sha256) { return .sha256(digest) }
            if let crc32c, let bytes = ByteEncoding.bytes(fromBase64: crc32c), let crc = CRC32C(bytes: bytes) { return .crc32c(crc.value) }
            return nil
        }
    }

    /// The recording as one object, assembled in the store (`OUTPUT` `whole` or `both`).
    package struct WholeObject: Codable, Sendable, Equatable {
        package var key: String
        package var size: Int64
        /// Hex SHA-256 of the object: the file's (FILE_DIGEST=sha256).
        package var sha256: String?
        package var storageClass: String?
        /// The object's CRC32C, Base64: the file's (FILE_DIGEST=crc32c), and S3's full-object
        /// CRC32C of it.
        package var crc32c: String? = nil

        package enum CodingKeys: String, CodingKey {
            case key, size, sha256, crc32c
            case storageClass = "storage_class"
        }

        /// The object at `key`, whose bytes are the file's with `digest` (as `FileDigest` writes it).
        package init(key: String, size: Int64, digest: String, storageClass: String?) {
            self.init(key: key, size: size, sha256: FileDigest.crc32c(in: digest) == nil ? digest : nil, storageClass: storageClass,
                      crc32c: FileDigest.crc32c(in: digest))
        }

        package init(key: String, size: Int64, sha256: String?, storageClass: String?, crc32c: String? = nil) {
            self.key = key
            self.size = size
            self.sha256 = sha256
            self.storageClass = storageClass
            self.crc32c = crc32c
        }
    }

    /// A link of the chain of manifests of one source: the manifest before this one.
    package struct Link: Codable, Sendable, Equatable {
        package var key: String
        /// Hex SHA-256 of that manifest's JSON, as `encoded()` wrote it (decrypted, with ENCRYPT_TO).
        package var sha256: String

        package init(key: String, sha256: String) {
            self.key = key
            self.sha256 = sha256
        }
    }

    package var version = 1
    package var streamID: String
    /// Relative to WATCH_DIR, `/`-separated, exactly as the file is named.
    package var path: String
    /// The name's bytes in Base64, only when they are not valid UTF-8 (`path` then shows them
    /// with replacement characters).
    var pathBase64: String?
    /// False for a stream abandoned before it was finished (the file was deleted, replaced or
    /// truncated): the chunks hold what was uploaded, `size` counts them, `sha256` is absent.
    package var complete: Bool
    package var size: Int64
    /// Whole file, hex (FILE_DIGEST=sha256).
    package var sha256: String?
    /// Whole file's CRC32C, Base64 as S3 shows it (FILE_DIGEST=crc32c): the chunks' combined.
    package var crc32c: String?
    package var chunkSize: Int
    package var chunks: [Chunk]
    /// RFC 3339, UTC.
    package var startedAt: String
    package var completedAt: String
    package var host: String
    /// Chunks whose bytes changed after upload (a muxer patching the header) and were sent again.
    package var repairedChunks: Int
    /// `chunks`, `whole` or `both`: where the bytes are. With `whole` the chunk objects were deleted
    /// once `object` was confirmed; each chunk is then the range `[offset, offset + size)` of it.
    package var output: String = OutputSettings.Mode.chunks.rawValue
    package var object: WholeObject?
    /// The chain this manifest belongs to: the camera, or the first folder of `path` (`/` for
    /// files directly in WATCH_DIR). Absent in manifests written before chains.
    package var source: String?
    /// The manifest written before this one for the same source; nil where a chain begins (the
    /// first recording, or Redis lost and the chain started again).
    package var previous: Link?
    /// The footage's span (RFC 3339, UTC), for the viewer's timeline: from the start its path
    /// says (PATH_LAYOUT, else the first date in the name, read in PATH_TIMEZONE), else when the
    /// file was first seen; to its last modification. Absent in manifests from before the viewer.
    package var mediaStart: String?
    package var mediaEnd: String?

    /// The whole file's digest as `FileDigest` writes it (whichever the manifest names); nil for
    /// a recording cut off unfinished.
    package var fileDigest: String? {
        sha256 ?? crc32c.map { FileDigest.crcPrefix + $0 }
    }

    /// Whether `other` describes the same recording, bytes and objects (times and links aside):
    /// a manifest written again for it changes nothing worth breaking its chain link for.
    package func isSameRecording(as other: Manifest) -> Bool {
        streamID == other.streamID && complete == other.complete && size == other.size && fileDigest == other.fileDigest
            && chunks == other.chunks && output == other.output && object == other.object
    }

    /// Whether the chunk objects are still in the store.
    package var keepsChunks: Bool { output != OutputSettings.Mode.whole.rawValue }

    package enum CodingKeys: String, CodingKey {
        case version, path, size, sha256, crc32c, chunks, host, complete, output, object, source, previous
        case streamID = "stream_id"
        case pathBase64 = "path_base64"
        case chunkSize = "chunk_size"
        case startedAt = "started_at"
        case completedAt = "completed_at"
        case repairedChunks = "repaired_chunks"
        case mediaStart = "media_start"
        case mediaEnd = "media_end"
    }

    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and numbers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0a]
    }

    package static func decode(_ bytes: [UInt8]) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(bytes))
    }

    /// Whether the chunks tile `[0, size)` exactly, in order.
    package var isContiguous: Bool {
        var offset: Int64 = 0
        for (position, chunk) in chunks.enumerated() {
            guard chunk.index == position, chunk.offset == offset, chunk.size > 0 else { return false }
            offset += Int64(chunk.size)
        }
        return offset == size
    }
}
