import Foundation

/// Scratch folders for one test run, under the system's temporary directory.
enum Scratch {
    static let root: String = {
        let path = NSTemporaryDirectory() + "chunkferry-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// A new, empty folder named after `label`.
    static func directory(_ label: String) -> String {
        let path = "\(root)/\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A name no other test uses, for buckets and namespaces.
    static func uniqueName(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
