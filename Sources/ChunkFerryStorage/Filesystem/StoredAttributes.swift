import ChunkFerrySupport
import Foundation

/// What a folder store keeps beside an object's bytes: its type, checksum and metadata. Kept in
/// one extended attribute (`user.chunkferry`) on the file itself, so it is renamed into place
/// with the bytes; on a filesystem without them (some NFS and SMB mounts) in a sidecar file
/// `.cf-meta.<name>` beside it, trusted only while it names the object's inode.
package struct StoredAttributes: Codable, Sendable, Equatable {
    package static let attributeName = "user.chunkferry"
    package static let sidecarPrefix = ".cf-meta."
    package static let temporaryPrefix = ".cf-tmp-"
    /// At the folder's top: the store's id, written at first use (see `FolderStore+marker`).
    package static let markerName = ".chunkferry-store"

    package var contentType: String
    /// Base64, as S3 shows them.
    package var crc32c: String?
    package var sha256: String?
    package var metadata: [String: String]?
    /// The object file's inode (sidecars only): a sidecar left from an older object at the
    /// name does not vouch for the new one.
    package var inode: UInt64?

    package init(_ attributes: ObjectAttributes, checksum: ChunkChecksum?) {
        contentType = attributes.contentType
        metadata = attributes.metadata.isEmpty ? nil : attributes.metadata
        switch checksum {
        case .crc32c?: crc32c = checksum!.header.value
        case .sha256?: sha256 = checksum!.header.value
        case nil: break
        }
    }

    package var encoded: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    package static func decode(_ bytes: [UInt8]) -> StoredAttributes? {
        try? JSONDecoder().decode(StoredAttributes.self, from: Data(bytes))
    }

    /// Whether a file name is the store's own (a write in progress, a sidecar), not an object.
    package static func isInternal(_ name: String) -> Bool {
        name.hasPrefix(temporaryPrefix) || name.hasPrefix(sidecarPrefix) || name == markerName
    }

    /// The object's ETag as this store reports it: the stored checksum in hex.
    package var etag: String {
        guard let text = crc32c ?? sha256, let bytes = ByteEncoding.bytes(fromBase64: text) else { return "" }
        return ByteEncoding.hex(bytes)
    }
}
