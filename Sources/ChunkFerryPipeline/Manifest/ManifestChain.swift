import ChunkFerrySupport
import Foundation

/// Links every manifest to the one written before it for the same source (a camera, or the
/// first folder of a watched path), so that `chunkferry verify` can tell a deleted or altered
/// recording from one that never existed. The newest link of each source is kept in Redis; the
/// manifests of one source are written one at a time, so no two name the same predecessor.
package actor ManifestChain {
    /// The newest manifest of a source, and the one it names (for a manifest written again:
    /// a finalize repeated after a crash keeps its place in the chain).
    package struct Head: Codable, Sendable, Equatable {
        package var link: Manifest.Link
        package var previous: Manifest.Link?
    }

    private var busy: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    package init() {}

    /// The chain `path` belongs to: the camera `PATH_LAYOUT` finds in it, else its first folder,
    /// else `/` (files directly in WATCH_DIR).
    package static func source(of path: String, layout: PathLayout?) -> String {
        if let camera = layout?.match(path)?.camera, !camera.isEmpty { return camera }
        guard let slash = path.firstIndex(of: "/") else { return "/" }
        return String(path[..<slash])
    }

    /// Waits until no other manifest of `source` is being written.
    package func acquire(_ source: String) async {
        guard busy.contains(source) else {
            busy.insert(source)
            return
        }
        await withCheckedContinuation { waiting[source, default: []].append($0) }
    }

    package func release(_ source: String) {
        if var queue = waiting[source], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[source] = queue.isEmpty ? nil : queue
            next.resume()  // the source stays busy: handed on
        } else {
            busy.remove(source)
        }
    }

    /// What `manifest` at `key` names as its predecessor, given the source's head.
    package static func previous(for key: String, head: Head?) -> Manifest.Link? {
        guard let head else { return nil }
        return head.link.key == key ? head.previous : head.link
    }

    package static func encode(_ head: Head) -> String {
        String(decoding: (try? JSONEncoder().encode(head)) ?? Data(), as: UTF8.self)
    }

    package static func decode(_ text: String?) -> Head? {
        text.flatMap { try? JSONDecoder().decode(Head.self, from: Data($0.utf8)) }
    }
}
