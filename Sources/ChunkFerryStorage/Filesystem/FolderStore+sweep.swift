#if canImport(Glibc)
import Glibc
#endif

/// Temporary files a killed write left behind (`.cf-tmp-*`): the rename that would have made
/// them an object never came. Swept once they are old enough that no write can still be
/// filling them (a write in progress touches its file with every piece).
extension FolderStore {
    /// Removes temporary files under the folder last modified more than `age` ago; how many.
    package func sweepTemporaries(olderThan age: Duration) async throws(StoreError) -> Int {
        try await run("SweepTemporaries") { () throws(StoreError) -> Int in
            let cutoff = Int64(time(nil)) - age.components.seconds
            var removed = 0
            // One folder open at a time, as the listing walks them.
            var pending: [[String]] = [[]]
            while let folders = pending.popLast() {
                // A folder that cannot be opened is skipped, not the end of the sweep.
                guard let folder = try? self.openFolder(folders, create: false, "SweepTemporaries", key: folders.joined(separator: "/")) else { continue }
                defer { close(folder) }
                for entry in FolderFiles.entries(of: folder) ?? [] {
                    if entry.isDirectory {
                        pending.append(folders + [entry.name])
                    } else if entry.isFile, entry.name.hasPrefix(StoredAttributes.temporaryPrefix),
                              Int64(entry.info.st_mtim.tv_sec) < cutoff, unlinkat(folder, entry.name, 0) == 0 {
                        removed += 1
                    }
                }
            }
            return removed
        }
    }
}
