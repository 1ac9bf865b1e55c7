import COpenSSL

/// An incremental hash over OpenSSL's EVP interface. This file is the only place libcrypto is called.
///
/// Noncopyable so the underlying `EVP_MD_CTX` has exactly one owner and is freed once.
/// `@unchecked Sendable`: being noncopyable, it moves between threads whole, never shared, so
/// its context is only ever used by its one owner at a time.
package struct Digest: ~Copyable, @unchecked Sendable {
    package enum Algorithm: Sendable {
        case sha256
        case md5

        package var byteCount: Int { self == .sha256 ? 32 : 16 }
    }

    package let algorithm: Algorithm
    private let context: OpaquePointer

    package init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        let created = algorithm == .sha256 ? cf_digest_new_sha256() : cf_digest_new_md5()
        guard let created else { fatalError("libcrypto could not create a \(algorithm) context") }
        self.context = created
    }

    private init(algorithm: Algorithm, context: OpaquePointer) {
        self.algorithm = algorithm
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// An independent digest continuing from this one's state.
    package func copy() -> Digest {
        guard let copied = cf_digest_copy(context) else { fatalError("libcrypto could not copy a digest") }
        return Digest(algorithm: algorithm, context: copied)
    }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    package mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    package consuming func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        _ = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return output
    }

    package static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = Digest(.sha256)
        digest.update(bytes)
        return digest.finalize()
    }

    package static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { sha256($0) }
    }

    package static func sha256(_ text: String) -> [UInt8] {
        sha256(Array(text.utf8))
    }

    package static func md5(_ bytes: [UInt8]) -> [UInt8] {
        var digest = Digest(.md5)
        digest.update(bytes)
        return digest.finalize()
    }

    package static func hmacSHA256(key: [UInt8], message: String) -> [UInt8] {
        LibCrypto.hmacSHA256(key: key, Array(message.utf8))
    }
}

/// age's primitives from libcrypto (age-encryption.org/v1): X25519, HKDF-SHA256,
/// ChaCha20-Poly1305 and randomness. Nil or false where libcrypto refuses, never a crash: a
/// malformed file or a low-order share is input, not a bug.
package enum LibCrypto {
    /// X25519(scalar, point); nil for a low-order point (an all-zero shared secret).
    package static func x25519(_ scalar: [UInt8], _ point: [UInt8]) -> [UInt8]? {
        guard scalar.count == 32, point.count == 32 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        return cf_x25519(&out, scalar, point) == 1 ? out : nil
    }

    /// The X25519 public key of `scalar`.
    package static func x25519Public(_ scalar: [UInt8]) -> [UInt8]? {
        guard scalar.count == 32 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        return cf_x25519_public(&out, scalar) == 1 ? out : nil
    }

    package static func hkdfSHA256(key: [UInt8], salt: [UInt8], info: String, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let info = Array(info.utf8)
        let ok = cf_hkdf_sha256(&out, count, key, key.count, salt, salt.count, info, info.count)
        precondition(ok == 1, "libcrypto HKDF-SHA256 failed")
        return out
    }

    /// `plaintext` sealed: ciphertext and 16-byte tag.
    package static func seal(key: [UInt8], nonce: [UInt8], _ plaintext: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == 12)
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        let ok = out.withUnsafeMutableBufferPointer { out in
            cf_chacha20poly1305(1, out.baseAddress, key, nonce, plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), plaintext.count)
        }
        precondition(ok == 1, "libcrypto ChaCha20-Poly1305 failed")
        return out
    }

    /// `plaintext` sealed into `out` (at least 16 bytes longer): no allocation per chunk.
    package static func seal(key: [UInt8], nonce: [UInt8], _ plaintext: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(key.count == 32 && nonce.count == 12 && out.count >= plaintext.count + 16)
        let ok = cf_chacha20poly1305(1, out.baseAddress?.assumingMemoryBound(to: UInt8.self), key, nonce,
                                     plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), plaintext.count)
        precondition(ok == 1, "libcrypto ChaCha20-Poly1305 failed")
    }

    package static func seal(key: [UInt8], nonce: [UInt8], _ plaintext: [UInt8]) -> [UInt8] {
        plaintext.withUnsafeBytes { seal(key: key, nonce: nonce, $0) }
    }

    /// `sealed` (ciphertext and tag) opened; nil when the tag does not match.
    package static func open(key: [UInt8], nonce: [UInt8], _ sealed: [UInt8]) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12, sealed.count >= 16 else { return nil }
        var out = [UInt8](repeating: 0, count: sealed.count - 16)
        let ok = out.withUnsafeMutableBufferPointer { cf_chacha20poly1305(0, $0.baseAddress, key, nonce, sealed, sealed.count) }
        return ok == 1 ? out : nil
    }

    package static func random(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        precondition(cf_random(&out, count) == 1, "libcrypto has no randomness")
        return out
    }

    /// Whether `a` and `b` are equal, in time that depends on their length only (MACs, tokens).
    package static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// HMAC-SHA256 of bytes.
    package static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        let written = cf_hmac_sha256(key, Int32(key.count), message, message.count, &output)
        precondition(written == 32, "libcrypto HMAC-SHA256 failed")
        return output
    }
}
