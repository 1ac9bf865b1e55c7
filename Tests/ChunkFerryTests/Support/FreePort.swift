import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loopback TCP ports nothing listens on.
enum FreePort {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut: Set<Int> = []

    /// A free port; with `plus`, the port plus that offset must be free too (SeaweedFS's gRPC ports).
    static func next(plus offsets: [Int] = []) -> Int {
        lock.withLock {
            while true {
                let port = Int.random(in: 20_000..<30_000)
                let all = [port] + offsets.map { port + $0 }
                if all.allSatisfy({ !handedOut.contains($0) && isFree($0) }) {
                    handedOut.formUnion(all)
                    return port
                }
            }
        }
    }

    static func isFree(_ port: Int) -> Bool {
        withLoopbackSocket(port) { bind($0, $1, $2) == 0 }
    }

    /// Whether a server listens on the port (a bind test says "busy" as long as old connections
    /// linger in TIME_WAIT, before a restarted server listens).
    static func acceptsConnections(_ port: Int) -> Bool {
        withLoopbackSocket(port) { connect($0, $1, $2) == 0 }
    }

    /// Whether something listens on the port, read from /proc/net/tcp without connecting (a
    /// probe connection would use up a one-client listener such as `ffmpeg -rtsp_flags listen`).
    static func isListening(_ port: Int) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return false }
        let local = String(format: ":%04X", port)
        return table.split(separator: "\n").dropFirst().contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"  // 0A: LISTEN
        }
    }

    private static func withLoopbackSocket(_ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
