#if canImport(Glibc)
import Glibc
#endif

/// The short filesystem calls of async code (`stat`, `statvfs`, `unlink`, `rmdir`, `fsync`, a
/// small write) on two threads of their own. On a hung NFS or SMB share such a call blocks for
/// minutes: here it holds one of these threads and its caller's task, never one of Swift's
/// cooperative threads (two on a two-core box) that everything else runs on.
package struct FileCalls: Sendable {
    /// One pool for the process: the calls are short, and two threads are plenty for them.
    package static let shared = FileCalls(threads: 2)

    private let pool: BlockingWorkerPool<Void>

    package init(threads: Int) {
        pool = BlockingWorkerPool(name: "file-calls", workers: threads) { () }
    }

    /// `body` on a pool thread; nil only if the caller's task was cancelled meanwhile.
    package func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        try? await pool.run { _ in body() }
    }

    /// The file's status, following symbolic links.
    package func status(_ path: [CChar]) async -> Result<FileStatus, Errno> {
        await run { FileStatus.of(path) } ?? .failure(Errno(ECANCELED))
    }

    package func status(_ path: String) async -> Result<FileStatus, Errno> {
        await status(Array(path.utf8CString))
    }

    /// The free and total space of the filesystem holding `path`.
    package func diskSpace(_ path: String) async -> DiskSpace? {
        await run { DiskSpace.of(path) } ?? nil
    }
}
