import Foundation
import Testing

/// The Dockerfile's runtime stage against the binary CI built the same way the image does.
@Suite struct ContainerImageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let releaseBinary = ProcessInfo.processInfo.environment["CHUNKFERRY_RELEASE_BINARY"] ?? "\(root)/.build/release/chunkferry"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary), "needs scripts/build-release (scripts/test runs it)"))
    func runtimeStageInstallsEveryLibraryLddReports() async throws {
        let check = ManagedProcess(name: "check-runtime-libs", executable: "\(Self.root)/scripts/check-runtime-libs",
                                   arguments: [Self.releaseBinary], logPath: Scratch.directory("ldd") + "/check.log")
        try check.start()
        #expect(await check.waitForExit(timeout: .seconds(60)) == 0, "\(check.log())")
        #expect(check.log().contains("runtime stage covers all"))
    }

    @Test func imageRunsTheDaemonAsANonRootUserWatchingInput() throws {
        let dockerfile = try String(contentsOfFile: "\(Self.root)/Dockerfile", encoding: .utf8)
        #expect(dockerfile.contains("FROM swift:6.3.1-bookworm AS build"))
        #expect(dockerfile.contains("RUN scripts/build-release /usr/local/bin/chunkferry"))
        #expect(dockerfile.contains("FROM debian:12.12-slim"))
        #expect(dockerfile.contains("ENV WATCH_DIR=/input"))
        #expect(dockerfile.contains("ENTRYPOINT [\"chunkferry\"]"))
        #expect(dockerfile.contains("CMD [\"run\"]"))
        let user = dockerfile.split(separator: "\n").last { $0.hasPrefix("USER ") }
        #expect(user != nil && user != "USER root" && user != "USER 0")
    }

    /// A stack that works today must work next year: every image pinned, checked by parsing the
    /// resolved compose file, so a comment or a variable cannot fool it.
    @Test func everyImageIsPinnedAndAFloatingOneIsRefused() async throws {
        #expect(try await Self.checkImages([]) == 0)

        let folder = Scratch.directory("check-images")
        let compose = try String(contentsOfFile: "\(Self.root)/docker-compose.yml", encoding: .utf8)
        let floating = compose.replacingOccurrences(of: "image: quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z",
                                                    with: "image: minio/minio # RELEASE.2025-09-07T16-13-09Z")
        #expect(floating != compose)
        try floating.write(toFile: "\(folder)/docker-compose.yml", atomically: true, encoding: .utf8)
        let latest = compose.replacingOccurrences(of: "image: redis:7.4.6", with: "image: ${REDIS_IMAGE:-redis:latest}")
        try latest.write(toFile: "\(folder)/latest.yml", atomically: true, encoding: .utf8)

        #expect(try await Self.checkImages(["\(folder)/docker-compose.yml"], log: "\(folder)/floating.log") == 1)
        #expect(try String(contentsOfFile: "\(folder)/floating.log", encoding: .utf8)
            .contains("service 'minio' image 'minio/minio' has no tag"))
        #expect(try await Self.checkImages(["\(folder)/latest.yml"], log: "\(folder)/latest.log") == 1)
        #expect(try String(contentsOfFile: "\(folder)/latest.log", encoding: .utf8)
            .contains("service 'redis' image 'redis:latest' names 'latest'"))
    }

    private static func checkImages(_ arguments: [String], log: String? = nil) async throws -> Int32? {
        let logPath = log ?? Scratch.directory("check-images") + "/pinned.log"
        let check = ManagedProcess(name: "check-images", executable: "\(root)/scripts/check-images",
                                   arguments: arguments, logPath: logPath)
        try check.start()
        let status = await check.waitForExit(timeout: .seconds(60))
        if status != 0 && log == nil { Issue.record("\(check.log())") }
        return status
    }
}
