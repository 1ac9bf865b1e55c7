import Testing

/// A small tmpfs of its own (root only, as CI runs), for tests about full or nearly full disks.
struct SmallDisk {
    let path: String

    /// nil (with the reason recorded) where mounting is not allowed.
    static func mount(_ label: String, size: String) async throws -> SmallDisk? {
        let path = Scratch.directory(label)
        guard try await DaemonRetentionTests.run("mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]) == 0 else {
            Issue.record("cannot mount a tmpfs here (needs root)")
            return nil
        }
        return SmallDisk(path: path)
    }

    func unmount() { _ = try? DaemonRetentionTests.runSync("umount", ["-l", path]) }
}
