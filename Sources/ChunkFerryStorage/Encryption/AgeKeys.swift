/// An age X25519 recipient: `age1` and the Bech32 of a 32-byte public key.
package struct AgeRecipient: Sendable, Hashable, CustomStringConvertible {
    package let publicKey: [UInt8]

    /// Nil unless `publicKey` is 32 bytes and not a point of low order (with which every
    /// shared secret is zero: nothing could be encrypted to it).
    package init?(publicKey: [UInt8]) {
        guard publicKey.count == 32, LibCrypto.x25519(LibCrypto.random(32), publicKey) != nil else { return nil }
        self.publicKey = publicKey
    }

    /// Nil unless `text` is an `age1…` X25519 recipient, exactly.
    package init?(_ text: String) {
        guard let decoded = Bech32.decode(text), decoded.hrp == "age", text == text.lowercased() else { return nil }
        self.init(publicKey: decoded.data)
    }

    package var description: String { Bech32.encode(hrp: "age", publicKey) }
}

/// An age X25519 identity: `AGE-SECRET-KEY-1` and the Bech32 of a 32-byte private key. Neither
/// its description nor its mirror (`dump`, a test's failure message) shows the key.
package struct AgeIdentity: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let secretKey: [UInt8]
    package let recipient: AgeRecipient

    package init?(_ text: String) {
        guard let decoded = Bech32.decode(text), decoded.hrp == "age-secret-key-", decoded.data.count == 32,
              text == text.uppercased(), let publicKey = LibCrypto.x25519Public(decoded.data),
              let recipient = AgeRecipient(publicKey: publicKey) else { return nil }
        secretKey = decoded.data
        self.recipient = recipient
    }

    /// The identity of a 32-byte private key; nil if its public key is of low order.
    init?(secretKey: [UInt8]) {
        guard secretKey.count == 32, let publicKey = LibCrypto.x25519Public(secretKey),
              let recipient = AgeRecipient(publicKey: publicKey) else { return nil }
        self.secretKey = secretKey
        self.recipient = recipient
    }

    /// A new identity (tests and `age-keygen`'s job; ChunkFerry itself never holds one while running).
    package static func generate() -> AgeIdentity {
        AgeIdentity(Bech32.encode(hrp: "AGE-SECRET-KEY-", LibCrypto.random(32)).uppercased())!
    }

    /// Its text form, `AGE-SECRET-KEY-1…`, for writing an identity file.
    package var secretText: String { Bech32.encode(hrp: "AGE-SECRET-KEY-", secretKey).uppercased() }

    package var description: String { "age identity for \(recipient)" }
    package var debugDescription: String { description }
    package var customMirror: Mirror { Mirror(self, children: ["recipient": recipient]) }

    /// The identities of an identity file as `age-keygen` writes it: one per line, `#` comments
    /// and blank lines skipped; nil with the number of the first line that is not one.
    package static func parseFile(_ text: String) -> Result<[AgeIdentity], LineError> {
        var identities: [AgeIdentity] = []
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.trimmingSuffix { $0 == "\r" || $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let identity = AgeIdentity(String(line)) else { return .failure(LineError(line: number + 1)) }
            identities.append(identity)
        }
        return .success(identities)
    }

    /// The line of an identity file that is not an identity (its text never shown: it may be a key).
    package struct LineError: Error, Sendable, Equatable {
        package var line: Int
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while drop: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, drop(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
