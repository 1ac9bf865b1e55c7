import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// The box's own secret (`STATE_DIR/box-key`, 32 random bytes, mode 0600), made at the first
/// start with `ENCRYPT_TO`. It never opens footage: objects are encrypted to the recipients only.
/// It lets the box check its own work without the recipients' keys, after Redis was lost too:
/// - each object's plaintext checksum, sealed under it in the object's metadata (recovery and
///   retention compare it with the file on disk);
/// - manifests, which hold no footage, are encrypted to the recipients and to the box's own
///   X25519 identity derived from it, so recovery and retention can read them.
///
/// A thief with the box learns what the box could compute anyway from files still on its disk.
package struct BoxKey: Sendable, CustomStringConvertible, CustomReflectable {
    static let fileName = "box-key"
    private let secret: [UInt8]

    init(secret: [UInt8]) { self.secret = secret }

    /// Neither its description nor its mirror (`dump`, a failure message) shows the key.
    package var description: String { "box key" }
    package var customMirror: Mirror { Mirror(self, children: []) }

    /// The key in `folder`, made there if there is none; a one-line reason when it cannot be.
    package static func loadOrCreate(in folder: String) -> Result<BoxKey, BoxKeyError> {
        let path = folder.hasSuffix("/") ? folder + fileName : folder + "/" + fileName
        if mkdir(folder, 0o700) != 0 && errno != EEXIST { return .failure(BoxKeyError(path: folder, errno: errno)) }
        let existing = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if existing >= 0 {
            defer { close(existing) }
            var info = stat()
            // Only ChunkFerry's user may read it: a key that others could read is closed to them.
            if fstat(existing, &info) == 0, info.st_mode & 0o077 != 0 { _ = fchmod(existing, 0o600) }
            var bytes = [UInt8](repeating: 0, count: 33)
            let got = bytes.withUnsafeMutableBytes { read(existing, $0.baseAddress, 33) }
            guard got == 32 else { return .failure(BoxKeyError(path: path, errno: got < 0 ? errno : 0)) }
            return .success(BoxKey(secret: Array(bytes[0..<32])))
        }
        guard errno == ENOENT else { return .failure(BoxKeyError(path: path, errno: errno)) }
        let secret = LibCrypto.random(32)
        // A name of its own, linked into place: two processes starting at once (the daemon and
        // `check`) end up with the one key that won, never each with its own.
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return .failure(BoxKeyError(path: path, errno: errno)) }
        defer { unlink(temporary) }
        let written = secret.withUnsafeBytes { FileOutput.writeAll(descriptor, $0) } && fsync(descriptor) == 0
        let failure = errno
        close(descriptor)
        guard written else { return .failure(BoxKeyError(path: path, errno: failure)) }
        if link(temporary, path) != 0 {
            guard errno == EEXIST else { return .failure(BoxKeyError(path: path, errno: errno)) }
            return loadOrCreate(in: folder)  // another process made it first: that one is the key
        }
        let directory = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        return .success(BoxKey(secret: secret))
    }

    /// The box's X25519 identity, which manifests are also encrypted to.
    package var identity: AgeIdentity {
        let scalar = LibCrypto.hkdfSHA256(key: secret, salt: [], info: "chunkferry box identity", count: 32)
        return AgeIdentity(secretKey: scalar)!
    }

    private var metadataKey: [UInt8] {
        LibCrypto.hkdfSHA256(key: secret, salt: [], info: "chunkferry metadata", count: 32)
    }

    /// `value` sealed for object metadata: Base64 of a random nonce and ChaCha20-Poly1305's output.
    package func seal(_ value: String) -> String {
        let nonce = LibCrypto.random(12)
        return ByteEncoding.base64(nonce + LibCrypto.seal(key: metadataKey, nonce: nonce, Array(value.utf8)))
    }

    /// What `seal` sealed; nil when it was sealed under another key, or is not a sealed value.
    package func unseal(_ sealed: String) -> String? {
        guard let bytes = ByteEncoding.bytes(fromBase64: sealed), bytes.count >= 28,
              let opened = LibCrypto.open(key: metadataKey, nonce: Array(bytes[0..<12]), Array(bytes[12...])) else { return nil }
        return String(decoding: opened, as: UTF8.self)
    }
}

/// Why the box key could not be read or made: the path and the system's reason.
package struct BoxKeyError: Error, Sendable, CustomStringConvertible {
    var path: String
    var errno: Int32

    package var description: String {
        let reason = errno == 0 ? "it is not 32 bytes" : String(cString: strerror(errno))
        return "the box key \(path) cannot be read or made (\(reason)): STATE_DIR must be a folder of the box's own that survives restarts, writable by ChunkFerry"
    }
}
