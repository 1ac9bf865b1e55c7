/// age v1 files (age-encryption.org/v1) to X25519 recipients: each object its own file, with a
/// fresh random file key, so no key and nonce ever meet two plaintexts. The payload is STREAM:
/// 64 KiB chunks of ChaCha20-Poly1305 under a key derived from the file key and a random nonce,
/// each chunk's nonce its counter and a last-chunk flag.
package enum AgeFile {
    static let chunkSize = 64 * 1024
    static let x25519Label = "age-encryption.org/v1/X25519"

    /// `plaintext` encrypted to `recipients` (at least one).
    package static func encrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient]) -> [UInt8] {
        let sealer = AgeSealer(recipients: recipients)
        var out = sealer.prefix
        out.reserveCapacity(Int(sealer.fileSize(plaintext: Int64(plaintext.count))))
        var counter: UInt64 = 0
        var start = 0
        repeat {
            let end = min(start + chunkSize, plaintext.count)
            out += plaintext[start..<end].withUnsafeBytes { sealer.seal($0, counter: counter, last: end == plaintext.count) }
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
    package static func decrypt(_ file: [UInt8], identities: [AgeIdentity], concatenated: Bool = false) -> Opened {
        var plaintext: [UInt8] = []
        let error = open(size: Int64(file.count), identities: identities, concatenated: concatenated, read: { offset, count in
            Array(file[Int(offset)..<Int(offset) + count])
        }, emit: { plaintext += $0; return true })
        return Opened(plaintext: plaintext, error: error)
    }

    /// Decrypts the age file of `size` bytes that `read(offset, count)` gives, handing each
    /// chunk's plaintext to `emit` once its tag checks (`emit` returns false to stop). With
    /// `concatenated`, several age files one after another (a whole object joined from chunk
    /// objects) decrypt as one: each file's last chunk is the one whose tag checks with STREAM's
    /// last-chunk flag, and the next file's header follows it. Nil when every byte decrypted.
    package static func open(size: Int64, identities: [AgeIdentity], concatenated: Bool,
                             read: (Int64, Int) -> [UInt8], emit: ([UInt8]) -> Bool) -> AgeError? {
        var position: Int64 = 0
        repeat {
            let header: AgeHeader
            let fileKey: [UInt8]
            do throws(AgeError) {
                header = try AgeHeader.parse(read(position, Int(min(size - position, 64 * 1024))))
                fileKey = try unwrap(header, identities: identities)
            } catch {
                return error
            }
            // Compared whole, in constant time: how long it takes says nothing of where they differ.
            let mac = LibCrypto.hmacSHA256(key: AgeHeader.macKey(fileKey), header.macInput)
            guard LibCrypto.equalInConstantTime(mac, header.mac) else { return .mac }
            position += Int64(header.payloadOffset)
            // The nonce is part of the header as far as failing goes.
            guard size - position >= 16 else { return .header("the payload's nonce is cut short") }
            let key = payloadKey(fileKey: fileKey, nonce: read(position, 16))
            position += 16
            var counter: UInt64 = 0
            while true {
                let remaining = size - position
                guard remaining > 0 else { return .payload("it ends before its last chunk") }
                // A full chunk, and room for the next file's version line after a short last one.
                let window = read(position, Int(min(remaining, Int64(chunkSize + 16 + (concatenated ? AgeHeader.versionLine.count : 0)))))
                guard let (opened, taken, last) = openChunk(window, key: key, counter: counter, concatenated: concatenated) else {
                    return .payload("chunk \(counter) does not authenticate")
                }
                // Only an empty file has an empty chunk; a last chunk after others must hold bytes.
                if last && opened.isEmpty && counter > 0 { return .payload("its last chunk is empty") }
                guard emit(opened) else { return nil }
                position += Int64(taken)
                counter += 1
                if last { break }
            }
            if position < size && !concatenated { return .payload("bytes follow its last chunk") }
        } while position < size
        return nil
    }

    /// The chunk at the start of `window`: its plaintext, its sealed length and whether it is
    /// the last; nil when no reading of it authenticates.
    private static func openChunk(_ window: [UInt8], key: [UInt8], counter: UInt64,
                                  concatenated: Bool) -> (plaintext: [UInt8], length: Int, last: Bool)? {
        let sealed = window.count > chunkSize + 16 ? Array(window[..<(chunkSize + 16)]) : window
        if sealed.count == chunkSize + 16 {
            if let opened = LibCrypto.open(key: key, nonce: chunkNonce(counter, last: false), sealed) { return (opened, sealed.count, false) }
        }
        if let opened = LibCrypto.open(key: key, nonce: chunkNonce(counter, last: true), sealed) { return (opened, sealed.count, true) }
        guard concatenated else { return nil }
        // A short last chunk with the next file's header after it in the window.
        var from = 16
        while from < window.count, let found = window[from...].firstRange(of: AgeHeader.versionLine), found.lowerBound < chunkSize + 16 {
            if let opened = LibCrypto.open(key: key, nonce: chunkNonce(counter, last: true), Array(window[..<found.lowerBound])) {
                return (opened, found.lowerBound, true)
            }
            from = found.lowerBound + 1
        }
        return nil
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
