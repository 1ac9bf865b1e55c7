import ArgumentParser
import ChunkFerryDaemon
import Foundation

struct DecryptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Turn age-encrypted objects (ENCRYPT_TO) into plain files, offline: local files, keys in the store, or every object under a prefix.",
        discussion: "A whole object (OUTPUT=whole or both) is several age files one after another; it decrypts as one. Each output is written only once every byte authenticated.")

    @Option(name: .long, help: "An age identity file (as age-keygen writes it); may be given more than once.")
    var identity: [String] = []

    @Option(name: .long, help: "Decrypt every object under this key prefix of the store, into the --output folder.")
    var prefix: String?

    @Option(name: .shortAndLong, help: "The file to write (one object), or the folder (several, or --prefix).")
    var output: String

    @Option(name: .customLong("config"), help: "YAML file of settings, for keys in the store; also CONFIG_FILE (the environment's settings apply too).")
    var configFile: String?

    @Argument(help: "Local files, or keys in the store (read with the store settings of the environment or --config).")
    var objects: [String] = []

    func validate() throws {
        if identity.isEmpty { throw ValidationError("give --identity FILE: the age identity the objects were encrypted to") }
        if objects.isEmpty && prefix == nil { throw ValidationError("give the objects to decrypt, or --prefix") }
    }

    func run() async throws {
        let decryptor: Decryptor
        do { decryptor = try Decryptor(identityFiles: identity) } catch { throw fail(error) }
        let local = objects.filter { FileManager.default.fileExists(atPath: $0) }
        let remote = objects.filter { !FileManager.default.fileExists(atPath: $0) }
        let intoFolder = objects.count > 1 || prefix != nil
        if intoFolder { try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        func target(_ name: String) -> String {
            intoFolder ? (output as NSString).appendingPathComponent((name as NSString).lastPathComponent) : output
        }
        do {
            for path in local {
                let size = try decryptor.decryptFile(path, to: target(path))
                print("decrypted \(path) (\(size) bytes) to \(target(path))")
            }
            guard !remote.isEmpty || prefix != nil else { return }
            let fetcher = try ObjectFetcher(settings: try ChunkFerrySettings(config: try await ConfigurationLoader.load(flags: [], configFile: configFile)))
            defer { fetcher.shutDown() }
            var keys = remote.map { ($0, target($0)) }
            if let prefix {
                keys += try await fetcher.keys(under: prefix).compactMap { key in
                    let parts = key.dropFirst(fetcher.prefix.count + prefix.count).split(separator: "/")
                    // A key is a name in the store, not a path to follow: none leaves the folder.
                    guard !parts.contains(where: { $0 == ".." || $0 == "." }) else {
                        FileHandle.standardError.write(Data("chunkferry: skipping \(key): its name would leave \(output)\n".utf8))
                        return nil
                    }
                    let relative = parts.joined(separator: "/")
                    let path = (output as NSString).appendingPathComponent(relative.isEmpty ? (key as NSString).lastPathComponent : relative)
                    try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    return (key, path)
                }
            }
            for (key, path) in keys {
                let size = try decryptor.decrypt(try await fetcher.fetch(key), named: key, to: path)
                print("decrypted \(key) (\(size) bytes) to \(path)")
            }
        } catch {
            throw fail(error, code: 1)
        }
    }
}
