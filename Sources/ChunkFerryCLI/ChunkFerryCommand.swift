import ArgumentParser

@main
struct ChunkFerryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunkferry",
        abstract: "Uploads growing video files to S3-compatible storage in checkpointed chunks.",
        version: "0.1.0"
    )
}
