import COpenSSL

/// An incremental hash over OpenSSL's EVP interface; the only place libcrypto is called.
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
        var output = [UInt8](repeating: 0, count: 32)
        let data = Array(message.utf8)
        let written = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBufferPointer { dataBytes in
                output.withUnsafeMutableBufferPointer { out in
                    cf_hmac_sha256(keyBytes.baseAddress, Int32(key.count), dataBytes.baseAddress, data.count, out.baseAddress)
                }
            }
        }
        precondition(written == 32, "libcrypto HMAC-SHA256 failed")
        return output
    }
}
