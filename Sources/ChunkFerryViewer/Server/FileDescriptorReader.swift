import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads a local file (a download joined by ffmpeg) a piece at a time, each read on a file-call
/// thread, never on the cooperative pool.
struct FileDescriptorReader: Sendable {
    private let descriptor: Int32

    init(path: String) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
    }

    /// Up to `count` bytes at `offset`; nil when the file cannot be read.
    func read(at offset: Int64, count: Int) async -> [UInt8]? {
        guard descriptor >= 0 else { return nil }
        let descriptor = descriptor
        return await FileCalls.shared.run { () -> [UInt8]? in
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            guard got >= 0 else { return nil }
            bytes.removeSubrange(got...)
            return bytes
        } ?? nil
    }

    func close() async {
        guard descriptor >= 0 else { return }
        let descriptor = descriptor
        _ = await FileCalls.shared.run { Glibc.close(descriptor) }
    }
}
