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
        #expect(dockerfile.contains("FROM swift:6.3-bookworm AS build"))
        #expect(dockerfile.contains("RUN scripts/build-release /usr/local/bin/chunkferry"))
        #expect(dockerfile.contains("FROM debian:bookworm-slim"))
        #expect(dockerfile.contains("ENV WATCH_DIR=/input"))
        #expect(dockerfile.contains("ENTRYPOINT [\"chunkferry\"]"))
        #expect(dockerfile.contains("CMD [\"run\"]"))
        let user = dockerfile.split(separator: "\n").last { $0.hasPrefix("USER ") }
        #expect(user != nil && user != "USER root" && user != "USER 0")
    }
}
