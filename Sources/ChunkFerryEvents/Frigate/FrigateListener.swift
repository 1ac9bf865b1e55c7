import ChunkFerryPipeline
import ChunkFerrySupport
import Logging
import ServiceLifecycle

/// Frigate's MQTT messages as events: `new` opens one, `update` changes it, `end` ends it. A
/// Service: it connects at start, reconnects on its own, and disconnects at shutdown.
package struct FrigateListener: Service {
    let settings: MQTTSettings
    let severity: EventSettings.Severity
    let book: EventBook
    let clientID: String
    let gate: ReadinessGate
    let logger: Logger

    package init(settings: MQTTSettings, severity: EventSettings.Severity, book: EventBook, nodeID: String, gate: ReadinessGate, logger: Logger) {
        self.gate = gate
        self.settings = settings
        self.severity = severity
        self.book = book
        clientID = "chunkferry-\(nodeID)".prefix(64).description
        self.logger = logger
    }

    package func run() async throws {
        // Events name cameras the startup checks and the first scan make known.
        guard await gate.wait() else { return }
        let client = MQTTClient(settings: settings)
        defer { client.stop() }
        if let problem = client.start(clientID: clientID) {
            logger.error("Frigate events cannot be received: \(problem); uploads go on without them", metadata: ["mqtt": "\(settings.location)"])
            return
        }
        var unknown: Set<String> = []
        var wasLost = false
        var wasRefused = false
        await withGracefulShutdownHandler {
            for await happening in client.happenings {
                switch happening {
                case .connected:
                    logger.info(wasLost ? "MQTT broker back; listening to Frigate again" : "listening to Frigate over MQTT", metadata: [
                        "event": "mqtt.connected", "mqtt": "\(settings.location)", "mqtt.topic": "\(settings.topic)",
                    ])
                    wasLost = false
                    wasRefused = false
                case .refused(let reason):
                    if !wasRefused {
                        logger.error("the MQTT broker refused ChunkFerry (\(reason)): check the user and password in MQTT_URL; retrying", metadata: [
                            "event": "mqtt.refused", "mqtt": "\(settings.location)",
                        ])
                    }
                    wasRefused = true
                    wasLost = true
                case .lost(let reason):
                    if !wasLost {
                        logger.warning("MQTT broker unreachable; retrying every few seconds (events from Frigate wait meanwhile)", metadata: [
                            "event": "mqtt.lost", "mqtt": "\(settings.location)", "reason": "\(reason)",
                        ])
                    }
                    wasLost = true
                case .message(let payload):
                    await handle(payload, unknown: &unknown)
                }
            }
        } onGracefulShutdown: {
            client.stop()
        }
    }

    private func handle(_ payload: [UInt8], unknown: inout Set<String>) async {
        let message: FrigateMessage
        switch FrigateMessage.parse(payload) {
        case .success(let parsed): message = parsed
        case .failure(let problem):
            logger.warning("a message on \(settings.topic) is not Frigate's (\(problem)); skipped", metadata: ["mqtt.topic": "\(settings.topic)"])
            return
        }
        guard message.passes(severity) else { return }
        let update = EventUpdate(id: message.id, camera: message.camera, label: message.label, start: message.start,
                                 end: message.type == "end" ? message.end ?? WallClock.nowMilliseconds() : nil,
                                 source: .frigate, severity: message.severity)
        switch await book.apply(update) {
        case .unknownCamera(let name):
            if unknown.insert(name).inserted {
                logger.warning("Frigate's camera '\(name)' is none of ours; its events are skipped: name a camera the same, or give one frigate_name: \(name)", metadata: ["camera": "\(name)"])
            }
        case .endsBeforeStart:
            logger.warning("a Frigate event ends before it starts; skipped", metadata: ["event.id": "\(message.id)"])
        case .opened, .updated:
            break
        }
    }
}
