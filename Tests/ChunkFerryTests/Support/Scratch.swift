import Foundation

/// Scratch folders for one test run, under the system's temporary directory.
enum Scratch {
    static let root: String = {
        sweepEarlierRuns()
        let path = NSTemporaryDirectory() + "chunkferry-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// A run leaves gigabytes of recordings and store data behind, and runs killed midway leave
    /// their folders too: a day of runs once filled the disk, and SeaweedFS then refused every
    /// write. Each run removes the folders of runs whose process has gone.
    private static func sweepEarlierRuns() {
        let temporary = NSTemporaryDirectory()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix("chunkferry-tests-") {
            guard let pid = pid_t(name.dropFirst("chunkferry-tests-".count)), pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: temporary + name)
            }
        }
    }

    /// A new, empty folder named after `label`.
    static func directory(_ label: String) -> String {
        let path = "\(root)/\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Where a file a person should look at after the run goes (a screenshot):
    /// `$CHUNKFERRY_TEST_ARTIFACTS`, else `.build/test-artifacts` of the package; kept, not swept.
    static func artifact(_ name: String) -> String {
        let folder = ProcessInfo.processInfo.environment["CHUNKFERRY_TEST_ARTIFACTS"]
            ?? FileManager.default.currentDirectoryPath + "/.build/test-artifacts"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder + "/" + name
    }

    /// A name no other test uses, for buckets and namespaces.
    static func uniqueName(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
