import ChunkFerryStorage
import ChunkFerrySupport

/// Stream ids derived from the file, so the same generation of the same file always gets the
/// same id — after a restart, on another instance, or with Redis emptied.
enum StreamIdentity {
    /// `generation` counts truncations of the same inode: each one starts a new stream.
    package static func id(path: String, device: UInt64, inode: UInt64, generation: Int) -> String {
        let material = "chunkferry-stream-v1\u{0}\(path)\u{0}\(device)\u{0}\(inode)\u{0}\(generation)"
        return String(ByteEncoding.hex(Digest.sha256(material)).prefix(20))
    }
}
