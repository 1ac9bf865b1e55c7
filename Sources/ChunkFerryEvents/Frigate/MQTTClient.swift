import CMosquitto
import Synchronization

/// An MQTT subscription through libmosquitto, whose own network thread connects, subscribes
/// (QoS 1, a persistent session, so the broker keeps what comes while we reconnect) and
/// reconnects with backoff from 1 to 30 s. What happens arrives on `happenings`; the callbacks
/// only hand it over, they never block that thread.
final class MQTTClient: @unchecked Sendable {
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
    /// The libmosquitto handle's address: 0 before `start` and after `stop` (which a shutdown may
    /// call twice); an address, since a pointer cannot cross into the lock.
    private let handle = Mutex<Int>(0)
    private static let initialized: Void = { mosquitto_lib_init() }()

    init(settings: MQTTSettings) {
        self.settings = settings
        (happenings, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    /// Starts the network thread; the reason it cannot start, if any.
    func start(clientID: String) -> String? {
        _ = Self.initialized
        guard let handle = mosquitto_new(clientID, false, Unmanaged.passUnretained(self).toOpaque()) else {
            return "libmosquitto could not make a client"
        }
        self.handle.withLock { $0 = Int(bitPattern: handle) }
        if let user = settings.user {
            mosquitto_username_pw_set(handle, user, settings.password?.value)
        }
        if settings.tls, cf_mqtt_tls(handle, settings.caFile) != MOSQ_ERR_SUCCESS.rawValue {
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
        mosquitto_reconnect_delay_set(handle, 1, 30, true)
        // A broker down at start is not fatal: the thread keeps trying, as after a loss.
        let connected = mosquitto_connect_async(handle, settings.host, Int32(settings.port), 30)
        if connected != MOSQ_ERR_SUCCESS.rawValue {
            continuation.yield(.lost(String(cString: mosquitto_strerror(connected))))
        }
        guard mosquitto_loop_start(handle) == MOSQ_ERR_SUCCESS.rawValue else { return "libmosquitto could not start its thread" }
        return nil
    }

    /// Disconnects, ends the network thread and the stream.
    func stop() {
        let address = handle.withLock { current -> Int in
            defer { current = 0 }
            return current
        }
        if let handle = OpaquePointer(bitPattern: address) {
            mosquitto_disconnect(handle)
            mosquitto_loop_stop(handle, true)
            mosquitto_destroy(handle)
        }
        continuation.finish()
    }
}
