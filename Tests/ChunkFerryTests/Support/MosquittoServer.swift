import Foundation

/// A real `mosquitto` broker on a free loopback port, with a password file: anonymous clients
/// are refused. `publish` is `mosquitto_pub`, as Frigate's messages would arrive.
final class MosquittoServer: TestServer {
    static let user = "frigate"
    let port: Int
    let directory: String
    let password: String
    let process: ManagedProcess
    /// With TLS: the self-signed certificate (for 127.0.0.1) clients must trust.
    let certificate: String?

    init(password: String = "mqtt-" + UUID().uuidString.prefix(12).lowercased(), tls: Bool = false) async throws {
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
        var tlsLines = ""
        if tls {
            try SeaweedServer.makeCertificate(in: directory)
            certificate = "\(directory)/cert.pem"
            tlsLines = "cafile \(directory)/cert.pem\ncertfile \(directory)/cert.pem\nkeyfile \(directory)/key.pem\n"
        } else {
            certificate = nil
        }
        try "\(user)listener \(port) 127.0.0.1\n\(tlsLines)allow_anonymous false\npassword_file \(passwords)\npersistence false\n"
            .write(toFile: "\(directory)/mosquitto.conf", atomically: true, encoding: .utf8)
        process = ManagedProcess(name: "mosquitto", executable: "mosquitto", arguments: ["-c", "\(directory)/mosquitto.conf"],
                                 logPath: "\(directory)/mosquitto.log")
        try await start()
    }

    /// MQTT_URL for the daemon.
    var url: String { "\(certificate == nil ? "mqtt" : "mqtts")://\(Self.user):\(password)@127.0.0.1:\(port)" }

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
                                                   "-q", "1", "-t", topic, "-m", message] + (certificate.map { ["--cafile", $0] } ?? []),
                                       logPath: "\(directory)/pub-\(UUID().uuidString.prefix(8)).log")
        try publisher.start()
        let status = await publisher.waitForExit(timeout: .seconds(30))
        guard status == 0 else { throw HarnessError("mosquitto_pub exited \(status.map(String.init) ?? "late"): \(publisher.log())") }
    }
}
