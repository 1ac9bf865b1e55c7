import ArgumentParser
import ChunkFerryCore

@main
struct ChunkFerryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunkferry",
        abstract: "Uploads growing video files to S3-compatible storage in checkpointed chunks.",
        discussion: SettingsOptions.settingsHelp,
        version: "0.1.0",
        subcommands: [RunCommand.self, StatusCommand.self, RestoreCommand.self, CheckCommand.self],
        defaultSubcommand: nil
    )
}
