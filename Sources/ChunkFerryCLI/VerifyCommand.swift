import ArgumentParser
import ChunkFerryDaemon
import ChunkFerryPipeline
import ChunkFerrySupport

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the chains of manifests in the store: missing or altered manifests, missing or changed chunks, gaps between recordings.",
        discussion: "Reads the store alone: no Redis, no WATCH_DIR. Prints a line per finding, then a summary; exits 1 on any finding, 2 when the check could not be made. A chain begun again (Redis lost) or a fork (two daemons) is a note, not a finding.")

    @Option(name: .long, help: "Only this source: a camera's name, or the first folder of the recordings' paths ('/' for files directly in WATCH_DIR).")
    var camera: String?

    @Option(name: .long, help: "Only recordings that started at or after this time: RFC 3339 (2026-01-18T12:00:00Z) or a date (2026-01-18, UTC).")
    var since: String?

    @Flag(name: .long, help: "Also read every recording (its chunks, or its whole object) and compare every byte with the manifest's checksums.")
    var deep = false

    @Option(name: .long, help: "A pause between consecutive recordings of a source longer than this is a finding (such as 90s, 10m); default: twice the source's median recording.")
    var gap: String?

    @Option(name: .long, help: "An age identity file (as age-keygen writes it) for a store encrypted with ENCRYPT_TO; may be given more than once.")
    var identity: [String] = []

    @OptionGroup var options: SettingsOptions

    func validate() throws {
        if let since, ChainAudit.milliseconds(since) == nil {
            throw ValidationError("--since '\(since)' is not a time: give RFC 3339 (2026-01-18T12:00:00Z) or a date (2026-01-18)")
        }
        if let gap, SettingsReader.parseDuration(gap) == nil {
            throw ValidationError("--gap '\(gap)' is not a duration: give one such as 90s, 10m or 2h")
        }
    }

    func run() async throws {
        let config = try await options.load()
        let storage: StorageSettings
        let prefix: String
        do {
            storage = try StorageSettings(config: config)
            prefix = try UploadSettings(config: config).keyPrefix
            _ = bootstrapLogging(try LogSettings(config: config), toStandardError: true)
        } catch {
            throw fail(error)
        }
        let scope = ChainAudit.Scope(camera: camera, since: since.flatMap(ChainAudit.milliseconds),
                                     gap: gap.flatMap(SettingsReader.parseDuration))
        let checkedAt = WallClock.rfc3339(milliseconds: WallClock.nowMilliseconds())
        let report: VerifyReport
        let location: String
        do {
            let verifier = try ChainVerifier(storage: storage, prefix: prefix, identityFiles: identity)
            location = verifier.location
            do {
                report = try await verifier.verify(scope: scope, deep: deep)
                verifier.shutDown()
            } catch {
                verifier.shutDown()
                throw error
            }
        } catch {
            // Not a finding: nothing was judged.
            throw fail(error, code: 2)
        }
        for finding in report.findings { print(finding.line) }
        for note in report.notes { print(note) }
        for line in report.summary(location: location, checkedAt: checkedAt, scope: scopeText(scope)) { print(line) }
        if !report.passed { throw ExitCode(1) }
    }

    /// What `--camera` and `--since` limited the check to, for the summary.
    private func scopeText(_ scope: ChainAudit.Scope) -> String? {
        var parts: [String] = []
        if let camera { parts.append("source \(camera)") }
        if let since = scope.since { parts.append("recordings started at or after \(WallClock.rfc3339(milliseconds: since))") }
        if let gap { parts.append("gaps longer than \(gap)") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
