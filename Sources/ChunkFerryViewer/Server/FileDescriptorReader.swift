import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads a local file (a download joined by ffmpeg, already unlinked) a piece at a time, each
/// call on a file-call thread, never on the cooperative pool. A class: the descriptor closes
/// when the last response holding it is gone, sent or not.
final class FileDescriptorReader: Sendable {
    private let descriptor: Int32
    let size: Int64

    private init(descriptor: Int32, size: Int64) {
        self.descriptor = descriptor
        self.size = size
    }

    deinit { Glibc.close(descriptor) }

    /// The file at `path` opened for reading; nil when it cannot be.
    static func open(_ path: String) async -> FileDescriptorReader? {
        await FileCalls.shared.run { () -> FileDescriptorReader? in
            let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                Glibc.close(descriptor)
                return nil
            }
            return FileDescriptorReader(descriptor: descriptor, size: Int64(info.st_size))
        } ?? nil
    }

    /// Up to `count` bytes at `offset`; nil when the file cannot be read.
    func read(at offset: Int64, count: Int) async -> [UInt8]? {
        let descriptor = descriptor
        return await FileCalls.shared.run { () -> [UInt8]? in
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            guard got >= 0 else { return nil }
            bytes.removeSubrange(got...)
            return bytes
        } ?? nil
    }
}
