import Foundation

/// A real `mosquitto` broker on a free loopback port, with a password file: anonymous clients
/// are refused. `publish` is `mosquitto_pub`, as Frigate's messages would arrive.
final class MosquittoServer: TestServer {
    static let user = "frigate"
    let port: Int
    let directory: String
    let password: String
    let process: ManagedProcess

    init(password: String = "mqtt-" + UUID().uuidString.prefix(12).lowercased()) async throws {
        port = FreePort.next()
        directory = Scratch.directory("mosquitto")
        self.password = password
        let passwords = "\(directory)/passwords"
        let made = ManagedProcess(name: "mosquitto_passwd", executable: "mosquitto_passwd",
                                  arguments: ["-b", "-c", passwords, Self.user, password], logPath: "\(directory)/passwd.log")
        try made.start()
        guard await made.waitForExit(timeout: .seconds(30)) == 0 else { throw HarnessError("mosquitto_passwd failed: \(made.log())") }
        // As root mosquitto drops to its own user, which cannot read a private scratch folder.
        let user = getuid() == 0 ? "user root\n" : ""
        try "\(user)listener \(port) 127.0.0.1\nallow_anonymous false\npassword_file \(passwords)\npersistence false\n"
            .write(toFile: "\(directory)/mosquitto.conf", atomically: true, encoding: .utf8)
        process = ManagedProcess(name: "mosquitto", executable: "mosquitto", arguments: ["-c", "\(directory)/mosquitto.conf"],
                                 logPath: "\(directory)/mosquitto.log")
        try await start()
    }

    /// MQTT_URL for the daemon.
    var url: String { "mqtt://\(Self.user):\(password)@127.0.0.1:\(port)" }

    func start() async throws {
        try process.start()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if FreePort.isListening(port) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError("mosquitto on port \(port) did not listen within 30 s:\n\(process.log())")
    }

    /// Publishes `message` on `topic` (QoS 1) as the broker's user; throws when it is refused.
    func publish(_ message: String, topic: String = "frigate/reviews", password: String? = nil) async throws {
        let publisher = ManagedProcess(name: "mosquitto_pub", executable: "mosquitto_pub",
                                       arguments: ["-h", "127.0.0.1", "-p", String(port), "-u", Self.user, "-P", password ?? self.password,
                                                   "-q", "1", "-t", topic, "-m", message],
                                       logPath: "\(directory)/pub-\(UUID().uuidString.prefix(8)).log")
        try publisher.start()
        let status = await publisher.waitForExit(timeout: .seconds(30))
        guard status == 0 else { throw HarnessError("mosquitto_pub exited \(status.map(String.init) ?? "late"): \(publisher.log())") }
    }
}
