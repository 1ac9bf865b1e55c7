#if canImport(Glibc)
import Glibc
#endif

/// One pass over a finished file: each chunk's SHA-256 and the whole file's, read in chunk-sized
/// pieces (never the whole file in memory).
struct FileVerification: Sendable {
    var chunkHashes: [String]
    var fileSHA256: String
    var size: Int64

    /// Hashes `path` (if still the stream's file) as chunks of `chunkSize`; runs on a reader
    /// thread. Gives up between chunks once `abort` is triggered (shutdown).
    static func scan(_ path: [CChar], chunkSize: Int, stream: StreamRecord, abort: TransferAbort) -> Result<FileVerification, FileReadError> {
        let descriptor: Int32
        do throws(FileReadError) {
            descriptor = try ChunkReader.open(path, device: stream.device, inode: stream.inode)
        } catch {
            return .failure(error)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(ChunkReader.classify(errno)) }
        let size = Int64(info.st_size)
        var whole = Digest(.sha256)
        var hashes: [String] = []
        var offset: Int64 = 0
        while offset < size {
            if abort.isTriggered { return .failure(.unreadable(Errno(ECANCELED))) }
            let length = Int(min(Int64(chunkSize), size - offset))
            do throws(FileReadError) {
                let bytes = try ChunkReader.readRange(descriptor: descriptor, offset: offset, length: length)
                bytes.withUnsafeBytes { whole.update($0) }
                hashes.append(ByteEncoding.hex(Digest.sha256(bytes)))
            } catch {
                return .failure(error)
            }
            offset += Int64(length)
        }
        return .success(FileVerification(chunkHashes: hashes, fileSHA256: ByteEncoding.hex(whole.finalize()), size: size))
    }
}
