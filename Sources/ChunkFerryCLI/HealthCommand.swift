import ArgumentParser
import ChunkFerryDaemon

/// Exit 0 when the running daemon is healthy or degraded, 1 otherwise: Docker's HEALTHCHECK.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask the running daemon's /health (HTTP_BIND:HTTP_PORT); exit 0 if healthy or degraded, 1 if not.")

    @Option(name: .customLong("url"), help: "Ask this address instead, e.g. http://127.0.0.1:8080.")
    var url: String?

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let base: String
        if let url {
            base = url.hasSuffix("/") ? String(url.dropLast()) : url
        } else {
            let config = try await options.load()
            let endpoint: EndpointSettings
            do {
                endpoint = try EndpointSettings(config: config)
            } catch {
                throw fail(error)
            }
            guard let local = endpoint.localURL else { throw fail("HTTP_PORT=0: the daemon serves no /health to ask", code: 1) }
            base = local
        }
        let verdict = await HealthProbe.ask(base)
        print(verdict.line)
        if !verdict.passed { throw ExitCode(1) }
    }
}
