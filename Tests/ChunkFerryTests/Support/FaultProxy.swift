import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy between the daemon and a server: it counts the bytes the daemon sends
/// and injects network faults, which `tc netem` cannot do here.
final class FaultProxy: @unchecked Sendable {
    enum Mode: Sendable, Equatable {
        case pass
        /// Connections are cut with a reset partway through: requests die mid-flight.
        case cut
        /// Every answer is held back for this long.
        case slow(Duration)
        /// Connections are accepted but nothing gets through, either way.
        case blackhole
    }

    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let state = Mutex<(mode: Mode, sent: Int64, stopped: Bool, sockets: Set<Int32>)>((.pass, 0, false, []))
    /// The uplink: one token bucket (bytes per second) for everything sent towards the server.
    private let uplink = Mutex<(rate: Int?, tokens: Double, at: Double)>((nil, 0, 0))

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        port = FreePort.next()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw HarnessError("proxy cannot listen on \(port)") }
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Bytes the clients sent towards the server (requests and bodies) so far.
    var bytesSent: Int64 { state.withLock { $0.sent } }

    func set(_ mode: Mode) {
        state.withLock { state in
            state.mode = mode
            // Under the lock: a socket in the set is still open (it leaves the set before closing).
            if mode == .cut { for socket in state.sockets { Self.reset(socket) } }
        }
    }

    var mode: Mode { state.withLock { $0.mode } }

    /// Makes the proxy an uplink of `bytesPerSecond` towards the server (nil: unlimited).
    func limit(_ bytesPerSecond: Int?) {
        uplink.withLock { $0 = (bytesPerSecond, 0, Self.seconds()) }
    }

    private var isLimited: Bool { uplink.withLock { $0.rate != nil } }

    /// Waits until `count` bytes may go up the uplink.
    private func spend(_ count: Int) {
        while true {
            let wait: Double = uplink.withLock { bucket in
                guard let rate = bucket.rate else { return 0 }
                let now = Self.seconds()
                bucket.tokens = min(Double(rate) / 10, bucket.tokens + (now - bucket.at) * Double(rate))
                bucket.at = now
                guard bucket.tokens >= Double(count) || bucket.tokens >= Double(rate) / 10 else {
                    return (Double(count) - bucket.tokens) / Double(rate)
                }
                bucket.tokens -= Double(count)
                return 0
            }
            if wait == 0 { return }
            usleep(useconds_t(min(wait, 0.05) * 1_000_000))
        }
    }

    private static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    func stop() {
        let wasStopped = state.withLock { state -> Bool in
            defer { state.stopped = true }
            if !state.stopped { for socket in state.sockets { Self.reset(socket) } }
            return state.stopped
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { return }
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Self.reset(client)
                close(upstream)
                continue
            }
            if isLimited {
                // Small buffers, so that a sender held back by the uplink feels it at once.
                var small: Int32 = 32 * 1024
                setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                setsockopt(upstream, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            }
            state.withLock { $0.sockets.formUnion([client, upstream]) }
            let connection = Connection(client: client, upstream: upstream)
            Thread { [self] in pump(from: client, to: upstream, counting: true, connection) }.start()
            Thread { [self] in pump(from: upstream, to: client, counting: false, connection) }.start()
        }
    }

    /// Both directions of one proxied connection; the last pump to finish closes both sockets.
    private final class Connection: Sendable {
        let client: Int32
        let upstream: Int32
        let pumpsLeft = Mutex(2)
        init(client: Int32, upstream: Int32) {
            self.client = client
            self.upstream = upstream
        }
    }

    private func pump(from source: Int32, to destination: Int32, counting: Bool, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: isLimited ? 16 * 1024 : 64 * 1024)
        defer {
            shutdown(destination, Int32(SHUT_WR))
            let last = connection.pumpsLeft.withLock { left -> Bool in
                left -= 1
                return left == 0
            }
            if last {
                state.withLock { $0.sockets.subtract([connection.client, connection.upstream]) }
                close(connection.client)
                close(connection.upstream)
            }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            switch mode {
            case .pass: break
            case .cut:
                Self.reset(source)
                Self.reset(destination)
                return
            case .slow(let delay):
                if !counting { Thread.sleep(forTimeInterval: delay.seconds) }
            case .blackhole:
                continue  // swallowed
            }
            if counting {
                spend(count)
                state.withLock { $0.sent += Int64(count) }
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// Closes with a TCP reset instead of an orderly close.
    private static func reset(_ socket: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(socket, Int32(SHUT_RDWR))
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
