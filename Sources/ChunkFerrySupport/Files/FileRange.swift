#if canImport(Glibc)
import Glibc
#endif

/// Why a file's bytes could not be read.
package enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Deleted or moved away.
    case vanished
    /// Permission or I/O trouble; may pass.
    case unreadable(Errno)
    /// The file is shorter than the range asked for (truncated meanwhile).
    case truncated(available: Int)
    /// Another file stands at the path now (a different inode than the stream's).
    case replaced
    /// The bytes changed between hashing and sending (the store refused the checksum).
    case changed

    package var description: String {
        switch self {
        case .vanished: "the file no longer exists"
        case .unreadable(let error): "cannot read the file: \(error)"
        case .truncated(let available): "the file became shorter while being read (\(available) bytes left in range)"
        case .replaced: "another file replaced it"
        case .changed: "the file changed while being sent"
        }
    }

    package static func from(errno code: Int32) -> FileReadError {
        code == ENOENT || code == ENOTDIR ? .vanished : .unreadable(Errno(code))
    }
}

/// Bytes `[offset, offset + length)` of one particular file: the path, and the device and inode
/// it must still have, so bytes of a file that replaced it are never taken for the stream's.
package struct FileRange: Sendable {
    package var path: [CChar]
    package var offset: Int64
    package var length: Int
    package var device: UInt64
    package var inode: UInt64

    package init(path: [CChar], offset: Int64, length: Int, device: UInt64, inode: UInt64) {
        self.path = path
        self.offset = offset
        self.length = length
        self.device = device
        self.inode = inode
    }

    /// An open file and its status-change time (ns): moved by every write and by any `touch`,
    /// and never settable back, so it can prove later that the file did not change.
    package struct Opened {
        package var descriptor: Int32
        package var changed: Int64
    }

    /// Opens the file for reading if it is still the expected regular file.
    package func open() throws(FileReadError) -> Opened {
        // Non-blocking, so a FIFO put at the path cannot hang the thread before it is rejected.
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .from(errno: errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = FileReadError.from(errno: errno)
            close(descriptor)
            throw error
        }
        guard UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .replaced
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return Opened(descriptor: descriptor, changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }

    /// Reads up to `buffer.count` bytes at `position` (absolute), retrying interrupted calls.
    package static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(FileReadError) -> Int {
        while true {
            let got = pread(descriptor, buffer.baseAddress, buffer.count, off_t(position))
            if got >= 0 { return got }
            if errno != EINTR { throw .from(errno: errno) }
        }
    }
}
