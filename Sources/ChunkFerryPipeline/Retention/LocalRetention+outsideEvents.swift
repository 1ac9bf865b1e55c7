import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// UPLOAD_SCOPE=events: footage no event wants never goes to the store, so retention may delete
/// it unsent, which is the mode's point. LOCAL_RETENTION deletes it once it is that old (by its
/// last change); MIN_FREE_SPACE deletes it, oldest first, once uploaded files are not enough.
extension LocalRetention {
    /// Deletes up to `limit` files kept local: those older than `keepFor`, then as many more as
    /// `missing` bytes of free space need. Returns the bytes freed.
    func deleteOutsideEvents(keepFor: Duration?, missing: Int64, limit: Int, now: Int64) async -> Int64 {
        guard limit > 0 else { return 0 }
        let kept = await manager.keptLocal(limit: 10 * limit)
        var chosen: [(path: String, status: FileStatus, reason: String)] = []
        var stillMissing = missing
        for file in kept where chosen.count < limit {
            let age = now - file.status.modified / 1_000_000
            if let keepFor, age >= keepFor.milliseconds {
                chosen.append((file.path, file.status, "LOCAL_RETENTION"))
                stillMissing -= file.status.size
            } else if stillMissing > 0 {
                chosen.append((file.path, file.status, "MIN_FREE_SPACE"))
                stillMissing -= file.status.size
            }
        }
        var freed: Int64 = 0
        for file in chosen {
            // Out of the manager's hands first: an event that comes now cannot start its upload
            // under the deletion; if the deletion fails the file is looked at again.
            guard await manager.claimKeptLocal(file.path, status: file.status) else { continue }
            let path = context.absolutePath(file.path)
            let logger = context.logger
            let unlinked = await FileCalls.shared.run { () -> Bool in
                guard case .success(let now) = FileStatus.ofLink(path), now.kind == .regular, now.isUnchanged(since: file.status) else { return false }
                guard unlink(path) == 0 else { return false }
                logger.info("local file deleted unsent: no event took it in (UPLOAD_SCOPE=events)", metadata: [
                    "event": "file.deleted", "file.path": "\(file.path)", "reason": "\(file.reason)", "file.size": "\(file.status.size)",
                ])
                return true
            }
            guard unlinked == true else {
                await manager.unclaim(file.path)
                continue
            }
            freed += file.status.size
        }
        return freed
    }
}
