import ChunkFerrySupport

/// Events: which sources say which footage matters, and what an event does.
///
/// Keys: `EVENTS_TOKEN` (turns on `POST /events`), `EVENT_PRE_ROLL` and `EVENT_POST_ROLL`
/// (default `10s` each), `EVENT_KEY_TEMPLATE` (see `EventKeyTemplate`), `EVENT_SEVERITY`
/// (`alert` or `detection`), `UPLOAD_SCOPE` (`all` or `events`), `MQTT_URL`, `MQTT_TOPIC`
/// (default `frigate/reviews`), `MQTT_CA_FILE`.
package struct EventSettings: Sendable {
    package enum Severity: String, Sendable {
        case alert, detection
    }

    package var token: Secret?
    package var preRoll: Duration
    package var postRoll: Duration
    package var keyTemplate: EventKeyTemplate
    package var severity: Severity
    /// UPLOAD_SCOPE=events: only footage in event windows goes to the store.
    package var eventsOnly: Bool
    package var mqtt: MQTTSettings?

    /// Whether any source can raise an event (else the event machinery stays off).
    package var hasSources: Bool { token != nil || mqtt != nil }

    package init(token: Secret? = nil, preRoll: Duration = .seconds(10), postRoll: Duration = .seconds(10),
                 keyTemplate: EventKeyTemplate = .standard, severity: Severity = .alert, eventsOnly: Bool = false, mqtt: MQTTSettings? = nil) {
        self.token = token
        self.preRoll = preRoll
        self.postRoll = postRoll
        self.keyTemplate = keyTemplate
        self.severity = severity
        self.eventsOnly = eventsOnly
        self.mqtt = mqtt
    }

    package init(config: SettingsReader) throws(SettingsError) {
        self.init()
        if let text = config.string(.eventsToken), !text.isEmpty {
            // Anyone who can reach the port can guess a short one.
            guard text.count >= 16 else {
                throw SettingsError(key: .eventsToken, message: "EVENTS_TOKEN is shorter than 16 characters: use a long random one, such as the output of openssl rand -hex 24")
            }
            token = Secret(text)
        }
        for key in [SettingKey.eventPreRoll, .eventPostRoll] {
            let value = try config.duration(key) ?? .seconds(10)
            guard value >= .zero, value <= .seconds(3600) else {
                throw SettingsError(key, value: config.string(key), expected: "0s to 1h, such as 10s")
            }
            if key == .eventPreRoll { preRoll = value } else { postRoll = value }
        }
        if let text = config.string(.eventKeyTemplate) { keyTemplate = try EventKeyTemplate(text) }
        let severityText = config.string(.eventSeverity) ?? "alert"
        guard let severity = Severity(rawValue: severityText.lowercased()) else {
            throw SettingsError(.eventSeverity, value: severityText, expected: "alert, or detection (which takes alerts too)")
        }
        self.severity = severity
        let scope = (config.string(.uploadScope) ?? "all").lowercased()
        guard scope == "all" || scope == "events" else {
            throw SettingsError(.uploadScope, value: scope, expected: "all, or events (only footage in event windows goes up)")
        }
        eventsOnly = scope == "events"
        mqtt = try MQTTSettings(config: config)
        if eventsOnly && !hasSources {
            throw SettingsError(key: .uploadScope, message: "UPLOAD_SCOPE=events needs an event source, or nothing would ever be uploaded: set EVENTS_TOKEN (the webhook) or MQTT_URL (Frigate)")
        }
    }
}
