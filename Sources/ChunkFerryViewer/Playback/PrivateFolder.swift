import ChunkFerrySupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder only this user can enter (mkdtemp's 0700) for one `/get`'s files: ffmpeg's list,
/// which names the loopback source with this run's secret, and a joined MP4.
struct PrivateFolder: Sendable {
    let path: String

    var list: String { path + "/list.txt" }
    var movie: String { path + "/joined.mp4" }

    static func make() async -> PrivateFolder? {
        await FileCalls.shared.run { () -> PrivateFolder? in
            var template = Array((NSTemporaryDirectory() + "chunkferry-view-XXXXXX").utf8CString)
            guard template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) != nil else { return nil }
            return PrivateFolder(path: String(cString: template))
        } ?? nil
    }

    /// Removes the folder and what `/get` put in it.
    func remove() async {
        let (path, files) = (path, [list, movie])
        _ = await FileCalls.shared.run {
            for file in files { unlink(file) }
            rmdir(path)
        }
    }
}
