import ChunkFerryStorage
import ChunkFerrySupport

/// `FILE_DIGEST`: what a manifest promises of the whole file.
///
/// - `sha256`, the default: a cryptographic hash, the one to hand to a court; nobody can make
///   other bytes with the same SHA-256. It costs a SHA-256 pass over every byte.
/// - `crc32c`: the chunks' CRC32Cs combined (`CRC32C.combined`), no pass of its own. It catches
///   what storage and transfer do to bytes (flips, truncation, a chunk swapped or missing), not a
///   forger, who can make other bytes with the same CRC. It equals S3's full-object CRC32C.
///
/// Where a record or a log line keeps a file's digest as text, a SHA-256 is its hex and a
/// CRC32C is `crc32c:` and its Base64 (as S3 shows it), so one field holds either.
package enum FileDigest: String, Sendable, CaseIterable {
    case sha256, crc32c

    static let crcPrefix = "crc32c:"

    /// FILE_DIGEST's default.
    package static let standard = FileDigest.sha256

    /// The text of a file's CRC32C.
    package static func text(_ crc: CRC32C) -> String { crcPrefix + ByteEncoding.base64(crc.bytes) }

    /// Which digest `text` is.
    package static func kind(of text: String) -> FileDigest { text.hasPrefix(crcPrefix) ? .crc32c : .sha256 }

    /// The Base64 CRC32C in `text`; nil for a SHA-256.
    package static func crc32c(in text: String) -> String? {
        text.hasPrefix(crcPrefix) ? String(text.dropFirst(crcPrefix.count)) : nil
    }
}

extension FileDigest {
    /// The whole file's digest of this kind, fed in order; `text` as `FileDigest` writes it.
    package struct Accumulator {
        private let sha256: DigestBox?
        private var crc = CRC32C()

        package init(_ kind: FileDigest) {
            sha256 = kind == .sha256 ? DigestBox(Digest(.sha256)) : nil
        }

        /// Of the kind `text` (a manifest's or a record's digest) is.
        package init(matching text: String) { self.init(FileDigest.kind(of: text)) }

        package mutating func update(_ bytes: UnsafeRawBufferPointer) {
            if let sha256 { sha256.update(bytes) } else { crc.update(bytes) }
        }

        package var text: String {
            if let sha256 { ByteEncoding.hex(sha256.copy().finalize()) } else { FileDigest.text(crc) }
        }
    }
}
