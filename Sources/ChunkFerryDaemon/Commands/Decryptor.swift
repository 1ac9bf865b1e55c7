import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// `chunkferry decrypt`: age files (an object, or a whole object joined from several) into plain
/// files, offline: no Redis, no daemon. Each output is written under a temporary name and renamed
/// into place only once every byte authenticated, so a wrong identity leaves nothing behind.
package struct Decryptor: Sendable {
    let identities: [AgeIdentity]

    package init(identityFiles: [String]) throws(StartupFailure) {
        identities = try IdentityFile.read(identityFiles)
    }

    /// The local file at `path` decrypted into `output`; its plaintext size.
    package func decryptFile(_ path: String, to output: String) throws(StartupFailure) -> Int64 {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw StartupFailure(message: "\(path) cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw StartupFailure(message: "\(path) cannot be read: \(String(cString: strerror(errno)))") }
        return try write(output, from: path) { emit in
            AgeFile.open(size: Int64(info.st_size), identities: identities, concatenated: true, read: { offset, count in
                var bytes = [UInt8](repeating: 0, count: count)
                var got = 0
                while got < count {
                    let read = bytes.withUnsafeMutableBytes { pread(input, $0.baseAddress! + got, count - got, off_t(offset) + off_t(got)) }
                    if read <= 0 { break }
                    got += read
                }
                return Array(bytes[0..<got])
            }, emit: emit)
        }
    }

    /// Bytes already fetched (an object from the store) decrypted into `output`.
    package func decrypt(_ bytes: [UInt8], named name: String, to output: String) throws(StartupFailure) -> Int64 {
        try write(output, from: name) { emit in
            AgeFile.open(size: Int64(bytes.count), identities: identities, concatenated: true,
                         read: { offset, count in Array(bytes[Int(offset)..<Int(offset) + count]) }, emit: emit)
        }
    }

    private func write(_ output: String, from name: String,
                       _ body: (([UInt8]) -> Bool) -> AgeError?) throws(StartupFailure) -> Int64 {
        let temporary = output + ".chunkferry-partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StartupFailure(message: "\(output) cannot be written: \(String(cString: strerror(errno)))") }
        var written: Int64 = 0
        var writeFailed = false
        let error = body { plaintext in
            guard plaintext.withUnsafeBytes({ FileOutput.writeAll(descriptor, $0) }) else {
                writeFailed = true
                return false
            }
            written += Int64(plaintext.count)
            return true
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        if let error {
            unlink(temporary)
            throw StartupFailure(message: "\(name) does not decrypt: \(error)")
        }
        guard !writeFailed, synced, rename(temporary, output) == 0 else {
            unlink(temporary)
            throw StartupFailure(message: "\(output) cannot be written: \(String(cString: strerror(errno)))")
        }
        return written
    }
}
