import ArgumentParser
import ChunkFerryCore

@main
struct ChunkFerryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunkferry",
        abstract: "Uploads growing video files in checkpointed chunks to S3-compatible storage, a folder or an HTTP server.",
        discussion: SettingsOptions.settingsHelp,
        version: "0.1.0",
        subcommands: [RunCommand.self, StatusCommand.self, RestoreCommand.self, CheckCommand.self],
        defaultSubcommand: nil
    )
}
