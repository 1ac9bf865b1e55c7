import CLinux
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// The system calls the folder store makes, each failure turned into a `StoreError` that names
/// the path. Directories are walked from the root one component at a time with `O_NOFOLLOW`, so
/// no symlink inside the folder can lead a write outside it.
package enum FolderFiles {
    /// One failed call: `errno` mapped to what the user can do about it.
    package static func failure(_ code: Int32, _ operation: String, _ path: String) -> StoreError {
        let name: String = switch code {
        case ENOENT, ENOTDIR: "NoSuchKey"
        case ENOSPC, EDQUOT: "FolderFull"
        case EROFS, EACCES, EPERM: "FolderReadOnly"
        case ELOOP: "InvalidKey"
        default: "IOError"
        }
        return StoreError(code: name, message: String(cString: strerror(code)), httpStatus: nil, requestID: nil,
                          operation: operation, resource: path)
    }

    /// Opens directory `name` under `parent` (creating it when `create`), never through a symlink.
    package static func openDirectory(_ parent: Int32, _ name: String, create: Bool) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var descriptor = openat(parent, name, flags)
        if descriptor < 0 && errno == ENOENT && create {
            if mkdirat(parent, name, 0o755) == 0 {
                _ = fsync(parent)  // the new folder's entry survives a power cut with the object in it
            } else if errno != EEXIST {
                return -1
            }
            descriptor = openat(parent, name, flags)
        }
        return descriptor
    }

    /// fsync of a folder; filesystems that cannot sync folders (some CIFS and FUSE ones answer
    /// EINVAL) count as synced, as PostgreSQL counts them.
    package static func syncFolder(_ descriptor: Int32) -> Bool {
        fsync(descriptor) == 0 || errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP
    }

    /// Copies `length` bytes of `source` from `sourceOffset` to `target` at `targetOffset` inside
    /// the kernel; false with errno set on failure (a short source is `ENODATA`).
    package static func copyRange(from source: Int32, at sourceOffset: Int64, to target: Int32, at targetOffset: Int64,
                          length: Int64, abort: TransferAbort?) -> Bool {
        var from = sourceOffset
        var to = targetOffset
        var left = length
        while left > 0 {
            if abort?.isTriggered == true {
                errno = ECANCELED
                return false
            }
            let copied = cf_copy_file_range(source, &from, target, &to, Int(min(left, 1 << 30)))
            if copied < 0 {
                if errno == EINTR { continue }
                // Filesystems (or kernels) that cannot copy between these files: read and write.
                guard [EXDEV, EOPNOTSUPP, ENOSYS, EINVAL].contains(errno) else { return false }
                return copyByReading(from: source, at: from, to: target, at: to, length: left, abort: abort)
            }
            if copied == 0 {
                errno = ENODATA
                return false
            }
            left -= Int64(copied)
        }
        return true
    }

    private static func copyByReading(from source: Int32, at sourceOffset: Int64, to target: Int32, at targetOffset: Int64,
                                      length: Int64, abort: TransferAbort?) -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            if abort?.isTriggered == true {
                errno = ECANCELED
                return false
            }
            let got = pread(source, buffer.baseAddress, Int(min(Int64(buffer.count), length - done)), off_t(sourceOffset + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                if got == 0 { errno = ENODATA }
                return false
            }
            var written = 0
            while written < got {
                let result = pwrite(target, buffer.baseAddress! + written, got - written, off_t(targetOffset + done) + off_t(written))
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { return false }
                written += result
            }
            done += Int64(got)
        }
        return true
    }

    /// Sets an extended attribute; false with errno set (`ENOTSUP` where the filesystem has none).
    package static func setAttribute(_ descriptor: Int32, _ name: String, _ value: [UInt8]) -> Bool {
        value.withUnsafeBytes { cf_fsetxattr(descriptor, name, $0.baseAddress, $0.count) } == 0
    }

    /// An extended attribute's value; nil when there is none (or the filesystem has none).
    package static func attribute(_ descriptor: Int32, _ name: String) -> [UInt8]? {
        let size = cf_fgetxattr(descriptor, name, nil, 0)
        guard size >= 0 else { return nil }
        var value = [UInt8](repeating: 0, count: size)
        let got = value.withUnsafeMutableBytes { cf_fgetxattr(descriptor, name, $0.baseAddress, $0.count) }
        guard got >= 0 else { return nil }
        return Array(value.prefix(got))
    }

    /// The names in a directory (without `.` and `..`), each with its status (not following
    /// symlinks) and whether it is a folder, a regular file, or something else.
    package static func entries(of descriptor: Int32) -> [(name: String, info: stat, isDirectory: Bool, isFile: Bool)]? {
        let copy = dup(descriptor)
        guard copy >= 0 else { return nil }
        guard let directory = fdopendir(copy) else {
            close(copy)
            return nil
        }
        defer { closedir(directory) }
        var names: [(String, stat, Bool, Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            var info = stat()
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            names.append((name, info, kind == S_IFDIR, kind == S_IFREG))
        }
        return names
    }
}
