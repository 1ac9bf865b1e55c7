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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
