/// age v1 files (age-encryption.org/v1) to X25519 recipients: each object its own file, with a
/// fresh random file key, so no key and nonce ever meet two plaintexts. The payload is STREAM:
/// 64 KiB chunks of ChaCha20-Poly1305 under a key derived from the file key and a random nonce,
/// each chunk's nonce its counter and a last-chunk flag.
package enum AgeFile {
    static let chunkSize = 64 * 1024
    static let x25519Label = "age-encryption.org/v1/X25519"

    /// `plaintext` encrypted to `recipients` (at least one).
    package static func encrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient]) -> [UInt8] {
        precondition(!recipients.isEmpty, "an age file needs a recipient")
        let fileKey = LibCrypto.random(16)
        var out = header(fileKey: fileKey, recipients: recipients)
        let nonce = LibCrypto.random(16)
        out += nonce
        let key = payloadKey(fileKey: fileKey, nonce: nonce)
        var counter: UInt64 = 0
        var start = 0
        repeat {
            let end = min(start + chunkSize, plaintext.count)
            let last = end == plaintext.count
            out += plaintext[start..<end].withUnsafeBytes { LibCrypto.seal(key: key, nonce: chunkNonce(counter, last: last), $0) }
            counter += 1
            start = end
        } while start < plaintext.count
        return out
    }

    /// The size of the age file `encrypt` makes of `plaintext` bytes, past its header.
    package static func payloadSize(plaintext: Int64) -> Int64 {
        let chunks = max(1, (plaintext + Int64(chunkSize) - 1) / Int64(chunkSize))
        return 16 + plaintext + 16 * chunks
    }

    static func header(fileKey: [UInt8], recipients: [AgeRecipient]) -> [UInt8] {
        let stanzas = recipients.map { recipient -> AgeHeader.Stanza in
            // A recipient is never of low order (`AgeRecipient` refuses one): this cannot fail.
            let ephemeral = LibCrypto.random(32)
            guard let share = LibCrypto.x25519Public(ephemeral), let shared = LibCrypto.x25519(ephemeral, recipient.publicKey) else {
                preconditionFailure("X25519 with a checked recipient failed")
            }
            let wrapKey = LibCrypto.hkdfSHA256(key: shared, salt: share + recipient.publicKey, info: x25519Label, count: 32)
            let body = LibCrypto.seal(key: wrapKey, nonce: [UInt8](repeating: 0, count: 12), fileKey)
            return AgeHeader.Stanza(type: "X25519", arguments: [String(decoding: Base64.encodeUnpadded(share), as: UTF8.self)], body: body)
        }
        return AgeHeader.encode(stanzas, fileKey: fileKey)
    }

    static func payloadKey(fileKey: [UInt8], nonce: [UInt8]) -> [UInt8] {
        LibCrypto.hkdfSHA256(key: fileKey, salt: nonce, info: "payload", count: 32)
    }

    /// STREAM's nonce: the chunk counter, 11 bytes big-endian, and 1 for the last chunk.
    static func chunkNonce(_ counter: UInt64, last: Bool) -> [UInt8] {
        [0, 0, 0] + (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) } + [last ? 1 : 0]
    }

    /// What decrypting gave: the plaintext released, and the error that stopped it, if any.
    package struct Opened: Sendable {
        package var plaintext: [UInt8]
        package var error: AgeError?
    }

    /// Decrypts `file` with the first identity that opens it. Plaintext is released chunk by chunk
    /// as each chunk's tag checks, so a damaged payload still gives what came before the damage.
    package static func decrypt(_ file: [UInt8], identities: [AgeIdentity]) -> Opened {
        let fileKey: [UInt8]
        let header: AgeHeader
        do throws(AgeError) {
            header = try AgeHeader.parse(file)
            fileKey = try unwrap(header, identities: identities)
        } catch {
            return Opened(plaintext: [], error: error)
        }
        // Compared whole, in constant time: how long it takes says nothing of where they differ.
        let mac = LibCrypto.hmacSHA256(key: AgeHeader.macKey(fileKey), header.macInput)
        guard LibCrypto.equalInConstantTime(mac, header.mac) else {
            return Opened(plaintext: [], error: .mac)
        }
        var position = header.payloadOffset
        // The nonce is part of the header as far as failing goes.
        guard file.count - position >= 16 else { return Opened(plaintext: [], error: .header("the payload's nonce is cut short")) }
        let key = payloadKey(fileKey: fileKey, nonce: Array(file[position..<position + 16]))
        position += 16
        var plaintext: [UInt8] = []
        var counter: UInt64 = 0
        while true {
            let remaining = file.count - position
            guard remaining > 0 else { return Opened(plaintext: plaintext, error: .payload("it ends before its last chunk")) }
            let take = min(remaining, chunkSize + 16)
            let sealed = Array(file[position..<position + take])
            // A short chunk is the last; a full one is the last if its tag says so.
            var last = take < chunkSize + 16
            var opened = LibCrypto.open(key: key, nonce: chunkNonce(counter, last: last), sealed)
            if opened == nil && !last {
                last = true
                opened = LibCrypto.open(key: key, nonce: chunkNonce(counter, last: true), sealed)
            }
            guard let opened else { return Opened(plaintext: plaintext, error: .payload("chunk \(counter) does not authenticate")) }
            // Only an empty file has an empty chunk; a last chunk after others must hold bytes.
            if last && opened.isEmpty && counter > 0 { return Opened(plaintext: plaintext, error: .payload("its last chunk is empty")) }
            plaintext += opened
            position += take
            counter += 1
            if last {
                return Opened(plaintext: plaintext, error: position == file.count ? nil : .payload("bytes follow its last chunk"))
            }
        }
    }

    /// The file key from the first X25519 stanza an identity opens.
    static func unwrap(_ header: AgeHeader, identities: [AgeIdentity]) throws(AgeError) -> [UInt8] {
        for stanza in header.stanzas where stanza.type == "X25519" {
            guard stanza.arguments.count == 1, let share = Base64.decodeCanonical(Array(stanza.arguments[0].utf8)[...]), share.count == 32 else {
                throw .header("an X25519 stanza's share is malformed")
            }
            guard stanza.body.count == 32 else { throw .header("an X25519 stanza's body is not 32 bytes") }
            for identity in identities {
                guard let shared = LibCrypto.x25519(identity.secretKey, share) else { throw .header("an X25519 stanza's share is of low order") }
                let wrapKey = LibCrypto.hkdfSHA256(key: shared, salt: share + identity.recipient.publicKey, info: x25519Label, count: 32)
                if let fileKey = LibCrypto.open(key: wrapKey, nonce: [UInt8](repeating: 0, count: 12), stanza.body) { return fileKey }
            }
        }
        throw .noMatch
    }
}
