import CMosquitto
import Foundation
import Synchronization

/// An MQTT subscription through libmosquitto, driven on a thread of its own: it connects,
/// subscribes (QoS 1, a persistent session, so the broker keeps what comes while we reconnect),
/// runs libmosquitto's loop, which reconnects after a dropped connection by itself, and after an
/// error that ends the loop (a refusal, a DNS failure) waits with backoff (1 to 30 s) and starts
/// again. What happens arrives on `happenings`; the callbacks only hand it over.
final class MQTTClient: Sendable {
    enum Happening: Sendable {
        case connected
        /// The broker refused us (`reason` from libmosquitto, never the password).
        case refused(String)
        case lost(String)
        case message([UInt8])
    }

    let happenings: AsyncStream<Happening>
    private let continuation: AsyncStream<Happening>.Continuation
    private let settings: MQTTSettings
    /// Set by `stop`; the thread's waits wake on it.
    private let stopping = NSCondition()
    private let stopped = Mutex(false)
    /// The libmosquitto handle's address (0: none), for `stop` to disconnect it.
    private let handle = Mutex<Int>(0)
    private static let initialized: Void = { mosquitto_lib_init() }()

    init(settings: MQTTSettings) {
        self.settings = settings
        (happenings, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Starts the client's thread; the reason it cannot start, if any. `happenings` ends when the
    /// thread has ended (after `stop`).
    func start(clientID: String) -> String? {
        _ = Self.initialized
        guard let handle = mosquitto_new(clientID, false, Unmanaged.passUnretained(self).toOpaque()) else {
            return "libmosquitto could not make a client"
        }
        if let user = settings.user {
            mosquitto_username_pw_set(handle, user, settings.password?.value)
        }
        if settings.tls, cf_mqtt_tls(handle, settings.caFile) != MOSQ_ERR_SUCCESS.rawValue {
            mosquitto_destroy(handle)
            return "TLS could not be set up (MQTT_CA_FILE?)"
        }
        mosquitto_connect_callback_set(handle) { handle, context, code in
            guard let context else { return }
            let client = Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue()
            guard code == 0 else {
                client.continuation.yield(.refused(String(cString: mosquitto_connack_string(code))))
                return
            }
            mosquitto_subscribe(handle, nil, client.settings.topic, 1)
            client.continuation.yield(.connected)
        }
        mosquitto_disconnect_callback_set(handle) { _, context, code in
            guard let context, code != 0 else { return }  // 0: we asked to disconnect
            let client = Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue()
            client.continuation.yield(.lost(String(cString: mosquitto_strerror(code))))
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            guard let context, let message else { return }
            let client = Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue()
            var length = 0
            guard let payload = cf_mqtt_payload(message, &length) else { return }
            client.continuation.yield(.message(Array(UnsafeBufferPointer(start: payload, count: length))))
        }
        mosquitto_reconnect_delay_set(handle, 1, 5, true)
        self.handle.withLock { $0 = Int(bitPattern: handle) }
        // The thread holds the client (and so the callbacks' context) until it ends.
        let address = Int(bitPattern: handle)
        let thread = Thread { [self] in
            if let handle = OpaquePointer(bitPattern: address) { run(handle) }
        }
        thread.name = "mqtt"
        thread.start()
        return nil
    }

    /// Connects, loops, and after an error that ends libmosquitto's loop, waits and goes again;
    /// callbacks run on this thread, inside the loop.
    private func run(_ handle: OpaquePointer) {
        var delay = 1.0
        var result = mosquitto_connect(handle, settings.host, Int32(settings.port), 30)
        while !isStopping {
            if result == MOSQ_ERR_SUCCESS.rawValue {
                delay = 1
                result = mosquitto_loop_forever(handle, 1000, 1)
                if isStopping { break }
            }
            continuation.yield(.lost(String(cString: mosquitto_strerror(result))))
            guard !wait(seconds: delay) else { break }
            delay = min(delay * 2, 30)
            result = mosquitto_reconnect(handle)
        }
        self.handle.withLock { $0 = 0 }
        mosquitto_destroy(handle)
        continuation.finish()
    }

    private var isStopping: Bool { stopped.withLock { $0 } }

    /// Waits `seconds` or until `stop`; true when stopped.
    private func wait(seconds: Double) -> Bool {
        stopping.lock()
        defer { stopping.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !isStopping { if !stopping.wait(until: deadline) { break } }
        return isStopping
    }

    /// Asks the thread to end: disconnects (libmosquitto's loop then returns) and wakes a wait.
    /// `happenings` ends once it has.
    func stop() {
        stopped.withLock { $0 = true }
        handle.withLock { address in
            if let handle = OpaquePointer(bitPattern: address) { mosquitto_disconnect(handle) }
        }
        stopping.lock()
        stopping.broadcast()
        stopping.unlock()
    }
}
