import ArgumentParser
import ChunkFerryDaemon

@main
struct ChunkFerryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunkferry",
        abstract: "Uploads growing video files in checkpointed chunks to S3-compatible storage, a folder or an HTTP server.",
        discussion: SettingsOptions.settingsHelp,
        version: DaemonStatus.versionLine,
        subcommands: [RunCommand.self, StatusCommand.self, RestoreCommand.self, DecryptCommand.self, VerifyCommand.self, ServeCommand.self, CheckCommand.self, PolicyCommand.self, HealthCommand.self, RetryCommand.self, SettingsCommand.self],
        defaultSubcommand: nil
    )
}
