import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Which filesystem a device holds, from /proc/self/mountinfo (read again only for a device not
/// seen before): only local filesystems with fine-grained timestamps (ext4, XFS, Btrfs, tmpfs,
/// overlay, ZFS, F2FS) let a file's ctime prove that it did not change; network and FAT
/// filesystems do not.
package enum FilesystemTypes {
    private static let fineTimestamps: Set<String> = ["ext4", "ext3", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs"]
    private static let cache = Mutex<[UInt64: String]>([:])

    package static func hasFineTimestamps(device: UInt64) -> Bool {
        if let type = cache.withLock({ $0[device] }) { return fineTimestamps.contains(type) }
        var types = readMountInfo()
        if types[device] == nil { types[device] = "unknown" }  // not mounted as far as we can tell: never re-read for it
        cache.withLock { $0 = types }
        return fineTimestamps.contains(types[device]!)
    }

    /// Device number → filesystem type for every mount.
    private static func readMountInfo() -> [UInt64: String] {
        guard let file = fopen("/proc/self/mountinfo", "r") else { return [:] }
        defer { fclose(file) }
        var types: [UInt64: String] = [:]
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
            let fields = String(cString: line).split(separator: " ")
            guard fields.count > 4, let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count else { continue }
            let numbers = fields[2].split(separator: ":").compactMap { UInt64($0) }
            guard numbers.count == 2 else { continue }
            types[device(major: numbers[0], minor: numbers[1])] = String(fields[separator + 1])
        }
        return types
    }

    /// Linux's `makedev`.
    package static func device(major: UInt64, minor: UInt64) -> UInt64 {
        (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32)
    }
}
