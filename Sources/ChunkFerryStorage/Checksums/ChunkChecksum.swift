import ChunkFerrySupport

/// What a chunk's bytes hash to, as the store verified it on upload and as it is recorded in
/// Redis and the manifest: SHA-256 (`S3_INTEGRITY` sha256 or md5) or CRC32C (crc32c).
package enum ChunkChecksum: Sendable, Equatable, CustomStringConvertible {
    case sha256([UInt8])
    case crc32c(UInt32)

    package enum Kind: Sendable {
        case sha256, crc32c

        /// This kind of checksum of `bytes`, in one pass.
        package func checksum(of bytes: [UInt8]) -> ChunkChecksum {
            switch self {
            case .sha256: .sha256(Digest.sha256(bytes))
            case .crc32c: .crc32c(CRC32C.of(bytes).value)
            }
        }

        /// The checksum a stored object can be checked by: `preferred` if the store kept it, else
        /// the other; nil if it kept neither.
        package static func stored(in info: ObjectInfo, preferring preferred: Kind) -> Kind? {
            let kept: [Kind] = (info.checksumCRC32C != nil ? [.crc32c] : []) + (info.checksumSHA256 != nil ? [.sha256] : [])
            return kept.contains(preferred) ? preferred : kept.first
        }
    }

    package var kind: Kind {
        switch self {
        case .sha256: .sha256
        case .crc32c: .crc32c
        }
    }

    /// The form kept in records: 64 hex digits for SHA-256 (what records always held), or
    /// `crc32c:` and 8 hex digits.
    package var encoded: String {
        switch self {
        case .sha256(let digest): ByteEncoding.hex(digest)
        case .crc32c(let value): "crc32c:" + ByteEncoding.hex(CRC32C(value: value).bytes)
        }
    }

    package init?(encoded: String) {
        if encoded.hasPrefix("crc32c:") {
            guard let bytes = ByteEncoding.bytes(fromHex: String(encoded.dropFirst(7))), let crc = CRC32C(bytes: bytes) else { return nil }
            self = .crc32c(crc.value)
        } else {
            guard encoded.utf8.count == 64, let bytes = ByteEncoding.bytes(fromHex: encoded) else { return nil }
            self = .sha256(bytes)
        }
    }

    /// The header S3 checks it in, and its value (Base64 of the big-endian bytes).
    package var header: (name: String, value: String) {
        switch self {
        case .sha256(let digest): ("x-amz-checksum-sha256", ByteEncoding.base64(digest))
        case .crc32c(let value): ("x-amz-checksum-crc32c", ByteEncoding.base64(CRC32C(value: value).bytes))
        }
    }

    /// Whether a stored object's checksum (from HeadObject with checksum mode) is this one.
    package func matches(_ info: ObjectInfo) -> Bool {
        switch self {
        case .sha256: info.checksumSHA256 == header.value
        case .crc32c: info.checksumCRC32C == header.value
        }
    }

    package var description: String { encoded }
}
