import ArgumentParser
import ChunkFerryDaemon
import Foundation

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Print the least S3 permissions these settings need, as a policy for AWS IAM or MinIO.",
        discussion: "The JSON goes to stdout (redirect it to policy.json), notes to stderr. AWS and MinIO take the same document; only the notes on installing it differ. Print it again after changing MAX_LAG, OUTPUT, S3_PREFIX or OBJECT_LOCK.")

    /// ArgumentParser's own enum: StorePolicy's stays free of the CLI's protocols.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case aws, minio

        var policyFormat: StorePolicy.Format { self == .aws ? .aws : .minio }
    }

    @Option(name: .long, help: "aws: for aws iam put-user-policy; minio: for mc admin policy create.")
    var format: Format = .aws

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try await options.loadSettings()
        let policy: StorePolicy
        do {
            policy = try StorePolicy(settings: settings)
        } catch {
            throw fail(error, code: 1)
        }
        print(policy.document(for: format.policyFormat))
        for note in policy.notes(for: format.policyFormat) {
            FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        }
    }
}
