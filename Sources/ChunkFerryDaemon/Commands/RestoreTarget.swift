import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// The file a restore writes: a temporary name beside `output`, renamed into place by `commit`
/// only when every byte verified; removed otherwise.
final class RestoreTarget {
    let output: String
    let temporary: String
    private var descriptor: Int32

    init(output: String) throws(Restorer.Failure) {
        self.output = output
        let slash = output.lastIndex(of: "/")
        let directory = slash.map { String(output[...$0]) } ?? ""
        let name = slash.map { String(output[output.index(after: $0)...]) } ?? output
        temporary = "\(directory).\(name).restore-\(getpid())"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Restorer.Failure(description: "cannot create \(temporary): \(Errno(errno))") }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    func write(_ bytes: [UInt8]) throws(Restorer.Failure) {
        guard bytes.withUnsafeBytes({ FileOutput.writeAll(descriptor, $0) }) else {
            throw Restorer.Failure(description: "cannot write \(temporary): \(Errno(errno))")
        }
    }

    func commit() throws(Restorer.Failure) {
        guard fsync(descriptor) == 0 else { throw Restorer.Failure(description: "cannot flush \(temporary): \(Errno(errno))") }
        close(descriptor)
        descriptor = -1
        guard rename(temporary, output) == 0 else {
            let error = Errno(errno)
            unlink(temporary)
            throw Restorer.Failure(description: "cannot rename \(temporary) to \(output): \(error)")
        }
    }
}
