import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Recursive inotify over WATCH_DIR. Blocking and thread-confined: a worker thread owns it.
final class Inotify {
    struct Event: Sendable {
        package enum Kind: Sendable { case changed, removed, directoryAdded, directoryRemoved, overflow }
        package var kind: Kind
        /// Relative to WATCH_DIR.
        package var path: String
    }

    private let descriptor: Int32
    private let root: String
    private var directories: [Int32: String] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    private static let fileMask = UInt32(IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)
    private static let selfMask = UInt32(IN_DELETE_SELF | IN_MOVE_SELF)

    package init(root: String) throws(Errno) {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { throw Errno(errno) }
        self.descriptor = descriptor
        self.root = root
    }

    deinit { close(descriptor) }

    /// Watches one directory (relative to WATCH_DIR). Re-adding an already watched one is harmless.
    package func watch(_ relativeDirectory: String) throws(Errno) {
        let path = PathEscaping.systemPath(root: root, relative: relativeDirectory)
        let watchDescriptor = inotify_add_watch(descriptor, path, Self.fileMask | Self.selfMask | UInt32(IN_ONLYDIR))
        guard watchDescriptor >= 0 else { throw Errno(errno) }
        directories[watchDescriptor] = relativeDirectory
    }

    /// Waits up to `timeoutMilliseconds` for events and returns what arrived (possibly nothing).
    package func read(timeoutMilliseconds: Int32) -> [Event] {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return [] }
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return [] }
        var events: [Event] = []
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        buffer.withUnsafeBytes { raw in
            while offset + headerSize <= count {
                let header = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = offset + headerSize
                let nameBytes = raw[nameStart..<min(nameStart + Int(header.len), count)].prefix { $0 != 0 }
                let name = PathEscaping.escape(name: nameBytes)
                offset = nameStart + Int(header.len)
                if let event = translate(header, name: name) { events.append(event) }
            }
        }
        return events
    }

    private func translate(_ header: inotify_event, name: String) -> Event? {
        let mask = header.mask
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { return Event(kind: .overflow, path: "") }
        if mask & UInt32(IN_IGNORED) != 0 {
            directories[header.wd] = nil
            return nil
        }
        guard let directory = directories[header.wd] else { return nil }
        if mask & Self.selfMask != 0 {
            return Event(kind: .directoryRemoved, path: directory)
        }
        let path = directory.isEmpty ? name : "\(directory)/\(name)"
        let isDirectory = mask & UInt32(IN_ISDIR) != 0
        if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
            return Event(kind: isDirectory ? .directoryRemoved : .removed, path: path)
        }
        if isDirectory {
            return mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 ? Event(kind: .directoryAdded, path: path) : nil
        }
        return Event(kind: .changed, path: path)
    }
}
