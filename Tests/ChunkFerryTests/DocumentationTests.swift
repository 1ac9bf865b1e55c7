@testable import ChunkFerryDaemon
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing
import Yams

/// The docs and the compose file are generated from, or checked against, the code, so they
/// cannot drift: the configuration reference, compose's environment block (every setting, the
/// code's defaults), and every message the troubleshooting page quotes.
@Suite struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: "\(root)/\(relative)", encoding: .utf8)
    }

    @Test func theConfigurationReferenceIsWhatTheCodeGenerates() throws {
        let page = try Self.read("docs/configuration.md")
        #expect(page == SettingsReference.markdown(), "docs/configuration.md differs from `chunkferry settings --markdown`: run scripts/generate")
        for key in SettingKey.all {
            #expect(page.contains("| `\(key.environmentName)` | `\(key.flag)` |"), "\(key.environmentName) is missing")
        }
    }

    /// Compose values that are the compose setup's own, not the code's defaults: the container's
    /// paths, the services it starts, and the MinIO credentials shared with the app.
    static let composeOwn: Set<String> = [
        "WATCH_DIR", "STATE_DIR", "REDIS_URL", "S3_ENDPOINT", "S3_BUCKET", "S3_REGION", "HTTP_BIND", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    ]

    /// What is wrong with the app's environment in the compose file at `path`: a setting not
    /// passed through, or passed with another default than the code's.
    static func composeProblems(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(document["services"] as? [String: Any])
        let app = try #require(services["app"] as? [String: Any])
        let environment = try #require(app["environment"] as? [String: Any])
        var problems: [String] = []
        for key in SettingKey.all {
            guard let raw = environment[key.environmentName] else {
                problems.append("\(key.environmentName) does not pass through")
                continue
            }
            let value = "\(raw)"
            guard !composeOwn.contains(key.environmentName) else { continue }
            let expected = "${\(key.environmentName):-"
            guard value.hasPrefix(expected), value.hasSuffix("}") else {
                problems.append("\(key.environmentName) is \(value), not ${\(key.environmentName):-default}")
                continue
            }
            let fallback = String(value.dropFirst(expected.count).dropLast())
            // A default the code describes rather than states ("host name"), `off`, one compose
            // cannot carry (`{path}`: its `}` ends the substitution), and another backend's setting
            // (refused with STORAGE_BACKEND=s3) pass nothing: unset, the code's default.
            let otherBackends = Set(StorageBackend.allCases.filter { $0 != .s3 }.flatMap(\.keys))
            let literal = otherBackends.contains(key) ? ""
                : key.defaultDescription.flatMap { $0.contains(" ") || $0.hasPrefix("~") || $0 == "off" || $0.contains("}") ? nil : $0 } ?? ""
            if fallback != literal {
                problems.append("\(key.environmentName) defaults to '\(fallback)' in compose but '\(literal)' in the code")
            }
        }
        return problems
    }

    @Test func composePassesEverySettingWithTheCodesDefaults() throws {
        let problems = try Self.composeProblems("\(Self.root)/docker-compose.yml")
        #expect(problems.isEmpty, "docker-compose.yml drifted from the settings (run scripts/generate): \(problems)")
    }

    /// The check is not vacuous: a temporary copy with one default changed is caught.
    @Test func aChangedDefaultInACopyOfTheComposeFileIsCaught() throws {
        let text = try Self.read("docker-compose.yml")
        let changed = text.replacing("${CHUNK_SIZE:-8MiB}", with: "${CHUNK_SIZE:-16MiB}")
        #expect(changed != text, "the compose file passes CHUNK_SIZE with its default")
        let copy = Scratch.directory("compose-drift") + "/docker-compose.yml"
        try changed.write(toFile: copy, atomically: true, encoding: .utf8)
        #expect(try Self.composeProblems(copy) == ["CHUNK_SIZE defaults to '16MiB' in compose but '8MiB' in the code"])
        let dropped = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("FORGET_AFTER:") }.joined(separator: "\n")
        try dropped.write(toFile: copy, atomically: true, encoding: .utf8)
        #expect(try Self.composeProblems(copy) == ["FORGET_AFTER does not pass through"])
    }

    /// Every message the troubleshooting page quotes is in the code: each piece between `…`
    /// elisions is found in a source file as it stands.
    @Test func everyQuotedTroubleshootingMessageIsInTheCode() throws {
        let page = try Self.read("docs/troubleshooting.md")
        let sources = try Self.sourceText()
        var checked = 0
        for line in page.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| Message") && !line.hasPrefix("|---") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            guard cells.count > 2 else { continue }
            for quoted in cells[1].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter({ $0.offset % 2 == 1 }).map(\.element) {
                for piece in quoted.split(separator: "…").map({ $0.trimmingCharacters(in: .whitespaces) }) where piece.count >= 8 {
                    checked += 1
                    let found = sources.contains(piece)
                    #expect(found, "troubleshooting quotes '\(piece)', which no source file says")
                }
            }
        }
        #expect(checked > 40, "the page quotes the messages it explains")
    }

    static func sourceText() throws -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: "\(root)/Sources")
        while let file = enumerator?.nextObject() as? String {
            guard file.hasSuffix(".swift") else { continue }
            text += try String(contentsOfFile: "\(root)/Sources/\(file)", encoding: .utf8) + "\n"
        }
        return text
    }
}
