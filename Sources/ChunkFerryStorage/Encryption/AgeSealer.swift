/// One age file being written: its header (a fresh random file key wrapped to each recipient)
/// and the STREAM key under a fresh nonce. A sealer seals exactly one plaintext; every object,
/// and every attempt to send one, gets a sealer of its own (see `EncryptedStore`).
package struct AgeSealer: Sendable {
    /// The header and the payload's nonce: the file's first bytes.
    package let prefix: [UInt8]
    private let key: [UInt8]

    package init(recipients: [AgeRecipient]) {
        precondition(!recipients.isEmpty, "an age file needs a recipient")
        let fileKey = LibCrypto.random(16)
        let nonce = LibCrypto.random(16)
        prefix = AgeFile.header(fileKey: fileKey, recipients: recipients) + nonce
        key = AgeFile.payloadKey(fileKey: fileKey, nonce: nonce)
    }

    /// STREAM chunk `counter` of the payload, sealed: at most 64 KiB of plaintext, all of it
    /// but in the last chunk.
    package func seal(_ plaintext: UnsafeRawBufferPointer, counter: UInt64, last: Bool) -> [UInt8] {
        LibCrypto.seal(key: key, nonce: AgeFile.chunkNonce(counter, last: last), plaintext)
    }

    /// The same, into `out` (`plaintext.count + 16` bytes).
    package func seal(_ plaintext: UnsafeRawBufferPointer, counter: UInt64, last: Bool, into out: UnsafeMutableRawBufferPointer) {
        LibCrypto.seal(key: key, nonce: AgeFile.chunkNonce(counter, last: last), plaintext, into: out)
    }

    /// The whole file's size for `plaintext` bytes.
    package func fileSize(plaintext: Int64) -> Int64 {
        Int64(prefix.count) - 16 + AgeFile.payloadSize(plaintext: plaintext)
    }

    /// The size of the header `AgeFile.header` writes for `recipients` X25519 recipients: the
    /// version line, a stanza of two lines each (share, then wrapped key) and the MAC line.
    package static func headerSize(recipients: Int) -> Int64 {
        Int64(22 + recipients * (10 + 43 + 1 + 43 + 1) + 4 + 43 + 1)
    }

    /// The plaintext size of an age file of `size` bytes whose header is `headerSize` bytes;
    /// nil when no plaintext gives that size.
    package static func plaintextSize(file size: Int64, headerSize: Int64) -> Int64? {
        let payload = size - headerSize - 16
        guard payload >= 16 else { return nil }
        let sealedChunk = Int64(AgeFile.chunkSize + 16)
        let chunks = (payload + sealedChunk - 1) / sealedChunk
        let plaintext = payload - 16 * chunks
        return AgeFile.payloadSize(plaintext: plaintext) - 16 == payload ? plaintext : nil
    }
}

extension AgeSealer {
    /// The size of an age file of `plaintext` bytes to `recipients` X25519 recipients.
    package static func fileSize(plaintext: Int64, recipients: Int) -> Int64 {
        headerSize(recipients: recipients) + AgeFile.payloadSize(plaintext: plaintext)
    }
}
