import ChunkFerrySupport
import Foundation

/// Frigate's MQTT broker: `MQTT_URL` (`mqtt://[user[:pass]@]host[:port]`, `mqtts://` for TLS),
/// `MQTT_TOPIC` (default `frigate/reviews`), `MQTT_CA_FILE` (with `mqtts://`).
package struct MQTTSettings: Sendable {
    package var host: String
    package var port: Int
    package var tls: Bool
    package var user: String?
    package var password: Secret?
    package var topic: String
    package var caFile: String?

    /// The broker as logs show it: no password.
    package var location: String { "\(tls ? "mqtts" : "mqtt")://\(user.map { "\($0)@" } ?? "")\(host):\(port)" }

    package init(host: String, port: Int, tls: Bool = false, user: String? = nil, password: Secret? = nil,
                 topic: String = "frigate/reviews", caFile: String? = nil) {
        (self.host, self.port, self.tls, self.user, self.password, self.topic, self.caFile) = (host, port, tls, user, password, topic, caFile)
    }

    /// Nil without MQTT_URL.
    package init?(config: SettingsReader) throws(SettingsError) {
        guard let text = config.string(.mqttURL), !text.isEmpty else { return nil }
        // The URL carries the password: what a refusal shows is the URL without it.
        func refuse(_ problem: String) -> SettingsError {
            SettingsError(key: .mqttURL, message: "MQTT_URL \(problem): write it as mqtt://user:pass@host:1883 or mqtts://host:8883")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else { throw refuse("is not a URL") }
        guard scheme == "mqtt" || scheme == "mqtts" else { throw refuse("must start with mqtt:// or mqtts://, not \(scheme)://") }
        guard let host = components.host, !host.isEmpty else { throw refuse("names no host") }
        tls = scheme == "mqtts"
        self.host = host
        port = components.port ?? (tls ? 8883 : 1883)
        user = components.user.flatMap { $0.removingPercentEncoding ?? $0 }.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password.map { Secret($0.removingPercentEncoding ?? $0) }
        if password != nil && user == nil { throw refuse("has a password but no user") }
        topic = config.string(.mqttTopic) ?? "frigate/reviews"
        guard !topic.isEmpty, !topic.contains("#"), !topic.contains("+") else {
            throw SettingsError(.mqttTopic, value: topic, expected: "one topic without wildcards, such as frigate/reviews")
        }
        caFile = config.string(.mqttCAFile)
        if let caFile {
            guard tls else { throw SettingsError(key: .mqttCAFile, message: "MQTT_CA_FILE is set but MQTT_URL is mqtt:// (no TLS): use mqtts://, or drop MQTT_CA_FILE") }
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw SettingsError(key: .mqttCAFile, message: "MQTT_CA_FILE '\(caFile)' cannot be read: give a PEM file of CA certificates")
            }
        }
    }
}
