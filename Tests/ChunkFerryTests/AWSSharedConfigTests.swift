@testable import ChunkFerryDaemon
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Credentials the way AWS users keep them (`aws configure`): the shared credentials and config
/// files, a profile, and the environment winning as in the AWS CLI.
@Suite struct AWSSharedConfigTests {
    /// A credentials file and a config file in a fresh folder, as `aws configure --profile cam` writes them.
    func profileFiles(accessKey: String, secretKey: String, region: String, endpoint: String?) throws -> (credentials: String, config: String) {
        let folder = Scratch.directory("aws-profile")
        let credentials = "\(folder)/credentials"
        let config = "\(folder)/config"
        try """
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = default-secret

        # the recorder's keys
        [cam]
        aws_access_key_id = \(accessKey)
        aws_secret_access_key = \(secretKey)
        """.write(toFile: credentials, atomically: true, encoding: .utf8)
        try """
        [default]
        region = eu-west-1

        [profile cam]
        region = \(region)
        \(endpoint.map { "endpoint_url = \($0)" } ?? "")
        s3 =
          addressing_style = path
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return (credentials, config)
    }

    func settings(_ environment: [String: String]) async throws -> S3Settings {
        try S3Settings(config: try await ConfigurationLoader.load(flags: [], environment: ["S3_BUCKET": "b"].merging(environment) { $1 }))
    }

    @Test func aProfileGivesKeysRegionAndEndpointAndTheEnvironmentWins() async throws {
        let files = try profileFiles(accessKey: "CAMKEY", secretKey: "cam-secret", region: "eu-central-2", endpoint: "http://127.0.0.1:9000")
        let shared = ["AWS_SHARED_CREDENTIALS_FILE": files.credentials, "AWS_CONFIG_FILE": files.config]
        let fromProfile = try await settings(shared.merging(["AWS_PROFILE": "cam"]) { $1 })
        #expect(fromProfile.accessKeyID == "CAMKEY" && fromProfile.secretAccessKey.value == "cam-secret")
        #expect(fromProfile.region == "eu-central-2" && fromProfile.endpoint == "http://127.0.0.1:9000" && fromProfile.forcePathStyle)

        let fromDefault = try await settings(shared)
        #expect(fromDefault.accessKeyID == "DEFAULTKEY" && fromDefault.region == "eu-west-1" && fromDefault.endpoint.isEmpty)

        // Keys, region and endpoint from the environment beat the profile's, keys as a pair.
        let fromEnvironment = try await settings(shared.merging([
            "AWS_PROFILE": "cam", "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "env-secret", "S3_REGION": "us-west-2",
            "S3_ENDPOINT": "http://127.0.0.1:9100",
        ]) { $1 })
        #expect(fromEnvironment.accessKeyID == "ENVKEY" && fromEnvironment.secretAccessKey.value == "env-secret")
        #expect(fromEnvironment.region == "us-west-2" && fromEnvironment.endpoint == "http://127.0.0.1:9100")

        // No keys anywhere: the line says where keys may come from.
        await #expect(throws: SettingsError.self) {
            _ = try await settings(["AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent", "HOME": "/nonexistent"])
        }
    }

    /// The real binary with no key variables at all: a profile file is enough to reach the store.
    @Test func theDaemonRunsWithAProfileFileAndNoKeyVariables() async throws {
        let fixture = try await DaemonFixture()
        defer { fixture.stopAllInBackground() }
        let files = try profileFiles(accessKey: SeaweedServer.accessKey, secretKey: SeaweedServer.secretKey, region: "us-east-1",
                                     endpoint: fixture.seaweed.endpoint)
        let environment = [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "S3_ENDPOINT": "", "AWS_PROFILE": "cam",
            "AWS_SHARED_CREDENTIALS_FILE": files.credentials, "AWS_CONFIG_FILE": files.config,
        ]
        let check = try fixture.start(["check"], environment: environment)
        #expect(await check.waitForExit(timeout: .seconds(60)) == 0, "\(check.log())")
        #expect(check.log().contains("write access"))
        try fixture.start(environment: environment)
        try FileWriter.write("\(fixture.watchDir)/profile.mp4", FileWriter.randomBytes(6 * 1024 * 1024 + 9))
        try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile("profile.mp4"))
        #expect(fixture.runs.allSatisfy { !$0.log().contains(SeaweedServer.secretKey) }, "the secret from the profile never shows")
    }
}
