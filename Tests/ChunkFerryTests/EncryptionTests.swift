@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `ENCRYPT_TO` with the real binary, SeaweedFS and the real `age`: every object in the bucket is
/// an age file only the recipients open, no file key repeats, nothing of the footage is readable
/// in the bucket or its metadata, and restore and recovery still work.
@Suite struct EncryptionTests {
    /// Two recipients made by `age-keygen`, and a third identity that is not one.
    struct Keys {
        var first: (path: String, identity: AgeIdentity, recipient: AgeRecipient)
        var second: (path: String, identity: AgeIdentity, recipient: AgeRecipient)
        var stranger: (path: String, identity: AgeIdentity, recipient: AgeRecipient)
        var folder: String

        static func make() async throws -> Keys {
            let folder = Scratch.directory("encryption-keys")
            return Keys(first: try await AgeTests.keygen(in: folder, name: "first.txt"),
                        second: try await AgeTests.keygen(in: folder, name: "second.txt"),
                        stranger: try await AgeTests.keygen(in: folder, name: "stranger.txt"), folder: folder)
        }

        var environment: [String: String] {
            ["ENCRYPT_TO": "\(first.recipient),\(second.recipient)", "STATE_DIR": folder + "/state"]
        }
    }

    /// Every object in the bucket, as stored.
    static func rawObjects(_ fixture: DaemonFixture) async throws -> [(key: String, bytes: [UInt8])] {
        var objects: [(key: String, bytes: [UInt8])] = []
        for object in try await fixture.s3.listAllObjects(prefix: "") {
            objects.append((object.key, try await fixture.s3.getObject(key: object.key)))
        }
        return objects
    }

    /// `bytes` decrypted by the real `age` with the identity file at `identity`; nil if it refuses.
    static func ageDecrypt(_ bytes: [UInt8], identity: String) async throws -> [UInt8]? {
        let folder = Scratch.directory("age-decrypt")
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/in.age"))
        let result = try await AgeTests.run("age", ["-d", "-i", identity, "-o", folder + "/out", folder + "/in.age"], in: folder)
        guard result.status == 0 else { return nil }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/out")))
    }

    /// The source's 16-byte blocks at every 16th offset: any run of 32 bytes or more that an
    /// object shares with the source holds one of them whole.
    struct Block: Hashable { var low: UInt64, high: UInt64 }
    static func blocks(of source: [UInt8]) -> Set<Block> {
        source.withUnsafeBytes { bytes in
            Set(stride(from: 0, to: bytes.count - 15, by: 16).map {
                Block(low: bytes.loadUnaligned(fromByteOffset: $0, as: UInt64.self), high: bytes.loadUnaligned(fromByteOffset: $0 + 8, as: UInt64.self))
            })
        }
    }
    static func sharesARun(_ object: [UInt8], with blocks: Set<Block>) -> Bool {
        guard object.count >= 16 else { return false }
        return object.withUnsafeBytes { bytes in
            (0...(bytes.count - 16)).contains {
                blocks.contains(Block(low: bytes.loadUnaligned(fromByteOffset: $0, as: UInt64.self),
                                      high: bytes.loadUnaligned(fromByteOffset: $0 + 8, as: UInt64.self)))
            }
        }
    }

    @Test func everyObjectIsAnAgeFileOnlyTheRecipientsOpenAndRestoreTakesAnIdentity() async throws {
        let keys = try await Keys.make()
        let fixture = try await DaemonFixture(environment: keys.environment.merging([
            "OUTPUT": "both", "MAX_LAG": "1s", "IDLE_TIMEOUT": "4s", "LOG_LEVEL": "debug",
        ]) { $1 })
        defer { fixture.stopAllInBackground() }
        fixture.storage = EncryptedStore(fixture.s3, recipients: [], box: nil, identities: [keys.first.identity])
        try fixture.start()
        let path = "cam/recording.mp4"
        let file = "\(fixture.watchDir)/\(path)"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/cam", withIntermediateDirectories: true)
        var written = FileWriter.randomBytes(300_000)
        try FileWriter.write(file, written)

        // A provisional tail replaced three times, one opened by the real age on the way.
        var openedPiece = false
        for _ in 0..<3 {
            try await fixture.waitUntil("a piece with the bytes so far", timeout: .seconds(30)) {
                fixture.events(event: "provisional.uploaded", path: path).count >= 1
            }
            if !openedPiece, let piece = try await fixture.s3.listAllObjects(prefix: "").first(where: { $0.key.contains("/provisional-") }) {
                let sealed = try await fixture.s3.getObject(key: piece.key)
                let from = Int(piece.key.split(separator: "-").last.flatMap { Int($0) } ?? 0)
                if let plain = try await Self.ageDecrypt(sealed, identity: keys.first.path) {
                    #expect(Array(written[from..<(from + plain.count)]) == plain, "a provisional piece holds the file's bytes")
                    openedPiece = true
                }
            }
            let more = FileWriter.randomBytes(300_000)
            try FileWriter.append(file, more)
            written += more
            try await Task.sleep(for: .milliseconds(1500))
        }
        // Past a whole chunk; then the header patched after chunk 0 went (as a muxer does).
        let rest = FileWriter.randomBytes(5 * 1024 * 1024 - written.count + 4321)
        try FileWriter.append(file, rest)
        written += rest
        try await fixture.waitUntil("chunk 0 in the store") { !fixture.events(event: "chunk.uploaded", path: path).isEmpty }
        let header = FileWriter.randomBytes(4096)
        try FileWriter.overwrite(file, at: 64, header)
        written.replaceSubrange(64..<(64 + 4096), with: header)
        let small = "cam/small.mp4"
        let smallBytes = FileWriter.randomBytes(70_000)
        try FileWriter.write("\(fixture.watchDir)/\(small)", smallBytes)

        let manifest = try await fixture.waitForManifestMatchingFile(path, timeout: .seconds(120))
        try await fixture.expectBucketMatchesFile(manifest)
        _ = try await fixture.waitForManifestMatchingFile(small, timeout: .seconds(60))
        #expect(openedPiece, "a provisional piece was caught and opened")
        try await fixture.waitUntil("the whole objects", timeout: .seconds(60)) {
            let whole = try await fixture.s3.headObject(key: path)
            let smallWhole = try await fixture.s3.headObject(key: small)
            return whole != nil && smallWhole != nil
        }
        try await Task.sleep(for: .seconds(1))  // the last pieces' deletion

        // Every object: an age file, a file key of its own, nothing of the footage in it.
        let objects = try await Self.rawObjects(fixture)
        let blocks = Self.blocks(of: written).union(Self.blocks(of: smallBytes))
        var fileKeys = Set<[UInt8]>()
        let wholeKeys: Set = [path, small]
        for object in objects {
            #expect(object.bytes.starts(with: Array("age-encryption.org/v1\n".utf8)), "\(object.key) is an age file")
            let header = try AgeHeader.parse(object.bytes)
            let fileKey = try AgeFile.unwrap(header, identities: [keys.first.identity])
            // A whole object is its chunks' age files joined in the store: their keys and their
            // bytes, checked as the chunks.
            if !wholeKeys.contains(object.key) {
                #expect(fileKeys.insert(fileKey).inserted, "\(object.key): a file key used twice")
                #expect(!Self.sharesARun(object.bytes, with: blocks), "\(object.key) holds a run of the footage's bytes")
            }
            let head = try #require(try await fixture.s3.headObject(key: object.key))
            let values = head.metadata.values.joined(separator: " ")
            #expect(!values.contains(manifest.sha256 ?? "-") && !values.contains(ByteEncoding.base64(ByteEncoding.bytes(fromHex: manifest.sha256!)!)),
                    "\(object.key)'s metadata holds the recording's SHA-256: \(head.metadata)")
            for chunk in manifest.chunks {
                let checksum = try #require(chunk.checksum)
                #expect(!values.contains(checksum.encoded) && !values.contains(checksum.header.value), "\(object.key)'s metadata holds a chunk's checksum")
            }
        }
        #expect(objects.count >= 6, "two recordings' chunks, manifests and whole objects: \(objects.map(\.key))")
        #expect(manifest.chunks.count == 2)

        // The real age opens every object but the whole ones with either recipient's key, and a
        // stranger's key opens none.
        for object in objects where !wholeKeys.contains(object.key) {
            let plain = try await Self.ageDecrypt(object.bytes, identity: keys.first.path)
            #expect(plain != nil, "age -d opens \(object.key)")
            if let chunk = manifest.chunks.first(where: { $0.key == object.key }), let plain {
                #expect(Array(written[Int(chunk.offset)..<Int(chunk.offset) + chunk.size]) == plain, "\(object.key) is its range of the file")
            }
            if object.key.hasSuffix("/manifest.json") {
                #expect(try await Self.ageDecrypt(object.bytes, identity: keys.second.path) != nil, "the second recipient opens it too")
            }
            #expect(try await Self.ageDecrypt(object.bytes, identity: keys.stranger.path) == nil, "a stranger's key opens \(object.key)")
        }

        // Whole objects: `chunkferry decrypt`, as the docs say.
        let folder = Scratch.directory("decrypted")
        let decrypt = try fixture.start(["decrypt", "--identity", keys.second.path, "-o", folder, path, small])
        #expect(await decrypt.waitForExit(timeout: .seconds(60)) == 0, "\(decrypt.log())")
        #expect(try DaemonFixture.sha256(ofFile: folder + "/recording.mp4") == manifest.sha256)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/small.mp4"))) == smallBytes)

        // A folder of chunks: every object under the stream's prefix, into plain files.
        let streamFolder = String(try #require(manifest.chunks.first).key.dropLast("chunk-00000000".count))
        let chunks = Scratch.directory("decrypted-chunks")
        let byPrefix = try fixture.start(["decrypt", "--identity", keys.first.path, "-o", chunks, "--prefix", streamFolder])
        #expect(await byPrefix.waitForExit(timeout: .seconds(60)) == 0, "\(byPrefix.log())")
        for chunk in manifest.chunks {
            let plain = try [UInt8](Data(contentsOf: URL(fileURLWithPath: chunks + "/" + String(chunk.key.dropFirst(streamFolder.count)))))
            #expect(plain == Array(written[Int(chunk.offset)..<Int(chunk.offset) + chunk.size]), "\(chunk.key) decrypted by prefix")
        }

        // Restore from the bucket alone, with an identity; a stranger's gets a line and no file.
        let output = Scratch.directory("restore") + "/recording.mp4"
        let restore = try fixture.start(["restore", path, "--output", output, "--identity", keys.first.path],
                                        environment: ["REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0", "WATCH_DIR": "/nonexistent"])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == manifest.sha256)
        let elsewhere = Scratch.directory("restore") + "/stranger.mp4"
        let refused = try fixture.start(["restore", path, "--output", elsewhere, "--identity", keys.stranger.path])
        #expect(await refused.waitForExit(timeout: .seconds(60)) != 0)
        #expect(refused.log().contains("encrypted to other age recipients"), "\(refused.log())")
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        let check = try fixture.start(["check"])
        #expect(await check.waitForExit(timeout: .seconds(60)) == 0, "\(check.log())")
        #expect(check.log().contains("\(keys.first.recipient)") && check.log().contains("\(keys.second.recipient)"), "\(check.log())")
    }

    /// Redis wiped mid-recording, then the daemon killed mid-chunk: what the store holds is found
    /// again by the box (its sealed checksums) and not sent twice; the recording restores whole.
    @Test func redisWipedAndAKillMidChunkSendNothingTwiceAndRestoreWhole() async throws {
        let keys = try await Keys.make()
        let redis = try await RedisServer(persistent: false)
        let fixture = try await DaemonFixture(redis: redis, environment: keys.environment.merging(["MAX_LAG": "2s"]) { $1 })
        defer {
            fixture.stopAllInBackground()
            redis.stop()
        }
        fixture.storage = EncryptedStore(fixture.s3, recipients: [], box: nil, identities: [keys.second.identity])
        let daemon = try fixture.start()
        let path = "amnesia.mp4"
        let file = "\(fixture.watchDir)/\(path)"
        try FileWriter.write(file, FileWriter.randomBytes(11 * 1024 * 1024))
        try await fixture.waitUntil("two chunks in the store") { fixture.events(event: "chunk.uploaded", path: path).count >= 2 }
        try await redis.restart()
        for _ in 0..<4 {
            try FileWriter.append(file, FileWriter.randomBytes(1_000_000))
            try await Task.sleep(for: .milliseconds(700))
        }
        try await fixture.waitUntil("the checkpoint rebuilt from the bucket") { !fixture.events(event: "checkpoint.rebuilt", path: path).isEmpty }
        daemon.kill9()
        try FileWriter.append(file, FileWriter.randomBytes(3_000_000))
        try fixture.start()
        let manifest = try await fixture.waitForManifestMatchingFile(path, timeout: .seconds(120))
        try await fixture.expectBucketMatchesFile(manifest)
        let uploaded = fixture.events(event: "chunk.uploaded", path: path).compactMap { $0["chunk.index"] }
        #expect(uploaded.filter { $0 == "0" }.count == 1 && uploaded.filter { $0 == "1" }.count == 1,
                "chunks the store held were not sent again: \(uploaded)")
        var fileKeys = Set<[UInt8]>()
        for object in try await Self.rawObjects(fixture) {
            let fileKey = try AgeFile.unwrap(try AgeHeader.parse(object.bytes), identities: [keys.second.identity])
            #expect(fileKeys.insert(fileKey).inserted, "\(object.key): a file key used twice")
        }
        let output = Scratch.directory("restore") + "/amnesia.mp4"
        let restore = try fixture.start(["restore", path, "--output", output, "--identity", keys.second.path])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == DaemonFixture.sha256(ofFile: file))
    }

    /// The folder and HTTP backends, and S3 checksums in headers (two passes over the plaintext):
    /// the same age files, restored whole, and a local file deleted only once the store holds it.
    @Test(arguments: ["filesystem", "http", "s3-sha256"])
    func everyBackendStoresAgeFiles(backend: String) async throws {
        let keys = try await Keys.make()
        var environment = keys.environment
        var server: UploadServer?
        let folder = Scratch.directory("encrypted-store")
        switch backend {
        case "filesystem":
            environment.merge(["STORAGE_BACKEND": "filesystem", "LOCAL_STORAGE_PATH": folder, "DELETE_AFTER_UPLOAD": "true",
                               "OUTPUT": "both"]) { $1 }
        case "http":
            let started = try await UploadServer(token: "encrypted-http-token")
            server = started
            environment.merge(["STORAGE_BACKEND": "http", "HTTP_UPLOAD_URL": started.url, "HTTP_AUTH_TOKEN": started.token,
                               "DELETE_AFTER_UPLOAD": "true"]) { $1 }
        default:
            environment["S3_INTEGRITY"] = "sha256"
        }
        defer { server?.stop() }
        let fixture = try await DaemonFixture(environment: environment)
        defer { fixture.stopAllInBackground() }
        let raw: any ObjectStore = switch backend {
        case "filesystem": FolderStore(settings: FolderSettings(path: folder))
        case "http": FolderStore(settings: FolderSettings(path: server!.folder))
        default: fixture.s3
        }
        fixture.storage = EncryptedStore(raw, recipients: [], box: nil, identities: [keys.first.identity])
        try fixture.start()
        let path = "yard.mp4"
        let bytes = FileWriter.randomBytes(5 * 1024 * 1024 + 77)
        try FileWriter.write("\(fixture.watchDir)/\(path)", bytes)
        let expected = ByteEncoding.hex(Digest.sha256(bytes))
        var manifest: Manifest?
        try await fixture.waitUntil("the manifest", timeout: .seconds(90)) {
            manifest = try await fixture.manifests(for: path).first { $0.sha256 == expected }
            return manifest != nil
        }
        let chunk = try #require(manifest?.chunks.first)
        let sealed = switch backend {
        case "filesystem": try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + chunk.key)))
        case "http": try [UInt8](Data(contentsOf: URL(fileURLWithPath: server!.folder + "/" + chunk.key)))
        default: try await fixture.s3.getObject(key: chunk.key)
        }
        #expect(try await Self.ageDecrypt(sealed, identity: keys.second.path) == Array(bytes[0..<chunk.size]), "age -d opens a chunk")
        if backend == "filesystem" {
            // The folder joins the chunks' age files at their real offsets: one file that opens.
            let whole = Scratch.directory("encrypted-whole") + "/yard.mp4"
            try await fixture.waitUntil("the whole object") { FileManager.default.fileExists(atPath: folder + "/" + path) }
            let decrypt = try fixture.start(["decrypt", "--identity", keys.second.path, "-o", whole, folder + "/" + path])
            #expect(await decrypt.waitForExit(timeout: .seconds(60)) == 0, "\(decrypt.log())")
            #expect(try DaemonFixture.sha256(ofFile: whole) == expected)
        }
        if backend != "s3-sha256" {
            try await fixture.waitUntil("the local file deleted once the store holds it") {
                !FileManager.default.fileExists(atPath: "\(fixture.watchDir)/\(path)")
            }
        }
        let output = Scratch.directory("restore") + "/yard.mp4"
        let restore = try fixture.start(["restore", path, "--output", output, "--identity", keys.first.path])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == expected)
    }

    /// The burglar case, encrypted: the recorder destroyed mid-recording, the bucket alone and an
    /// identity give back all but MAX_LAG + 5 s, and the recording plays.
    @Test func theRecordingBeingMadeRestoresAndPlaysFromTheBucketAlone() async throws {
        let keys = try await Keys.make()
        let fixture = try await DaemonFixture(environment: keys.environment.merging(["MAX_LAG": "2s", "IDLE_TIMEOUT": "30s"]) { $1 })
        defer { fixture.stopAllInBackground() }
        let daemon = try fixture.start()
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/cam", withIntermediateDirectories: true)
        let path = "cam/live.ts"
        let recorder = ManagedProcess(
            name: "ffmpeg", executable: "ffmpeg",
            arguments: ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "40",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-b:v", "1M", "-flush_packets", "1", "-f", "mpegts",
                        "\(fixture.watchDir)/\(path)"],
            logPath: Scratch.directory("ffmpeg") + "/live.log")
        try recorder.start()
        try await Task.sleep(for: .seconds(12))
        daemon.kill9()
        recorder.kill9()
        let recorded = try #require(try await FFmpeg.duration(of: "\(fixture.watchDir)/\(path)"))
        let output = Scratch.directory("restore") + "/live.ts"
        let restore = try fixture.start(["restore", path, "--output", output, "--identity", keys.second.path],
                                        environment: ["REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0", "WATCH_DIR": "/nonexistent"])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        let restored = try #require(try await FFmpeg.duration(of: output), "the restored recording plays")
        #expect(restored >= recorded - 7, "restored \(restored) s of \(recorded) s")
    }

    /// ENCRYPT_TO turned on mid-recording with OUTPUT=whole: the clear first chunk and the sealed
    /// rest cannot join into one object that opens, so the recording stays as chunks (none
    /// deleted) and restores whole.
    @Test func aRecordingBegunInTheClearStaysAsChunksOnceEncrypted() async throws {
        let keys = try await Keys.make()
        let fixture = try await DaemonFixture(environment: ["OUTPUT": "whole", "IDLE_TIMEOUT": "3s", "MAX_LAG": "0"])
        defer { fixture.stopAllInBackground() }
        let path = "porch.mp4"
        let file = "\(fixture.watchDir)/\(path)"
        // Not idle long enough to be finished in the clear, however slow the runner: only its
        // first chunk goes up before ENCRYPT_TO.
        let clear = try fixture.start(environment: ["IDLE_TIMEOUT": "60s"])
        try FileWriter.write(file, FileWriter.randomBytes(5 * 1024 * 1024 + 10))
        try await fixture.waitUntil("the first chunk in the clear") { !fixture.events(event: "chunk.uploaded", path: path).isEmpty }
        clear.stop()
        _ = await clear.waitForExit(timeout: .seconds(20))
        try FileWriter.append(file, FileWriter.randomBytes(6 * 1024 * 1024))
        try fixture.start(environment: keys.environment)
        try await fixture.waitUntil("finished as chunks", timeout: .seconds(60)) {
            !fixture.events(event: "stream.finalized", path: path).isEmpty
        }
        #expect(fixture.events("this recording's first chunks went up before ENCRYPT_TO was set; it stays as chunks").count == 1)
        #expect(try await fixture.s3.headObject(key: path) == nil, "no whole object of mixed parts")
        let output = Scratch.directory("restore") + "/porch.mp4"
        let restore = try fixture.start(["restore", path, "--output", output, "--identity", keys.first.path])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == DaemonFixture.sha256(ofFile: file))
    }

    @Test func aMalformedRecipientIsRefusedNamingItButNeverASecretKey() async throws {
        let fixture = try await DaemonFixture(environment: ["ENCRYPT_TO": "age1notakey"])
        let run = try fixture.start(["check"])
        #expect(await run.waitForExit(timeout: .seconds(30)) != 0)
        #expect(run.log().contains("ENCRYPT_TO holds 'age1notakey'"), "\(run.log())")
        let secret = AgeIdentity.generate().secretText
        let pasted = try fixture.start(["check"], environment: ["ENCRYPT_TO": secret])
        #expect(await pasted.waitForExit(timeout: .seconds(30)) != 0)
        #expect(pasted.log().contains("an age identity (a secret key), not a recipient") && !pasted.log().contains(secret), "\(pasted.log())")
    }

    @Test func sizesAndRecipientsFilesReadAsAgeWritesThem() throws {
        let recipient = AgeIdentity.generate().recipient
        let parsed = try EncryptionSettings.parseRecipients("# owner\n\(recipient)\n\n  \(recipient)  \r\n").get()
        #expect(parsed == [recipient, recipient])
        if case .failure(let error) = EncryptionSettings.parseRecipients("\(recipient)\nAGE-SECRET-KEY-1\n") { #expect(error.line == 2) } else { Issue.record("a secret key is not a recipient") }
        for count in [1, 2, 3] {
            let recipients = (0..<count).map { _ in AgeIdentity.generate().recipient }
            for size in [0, 1, 65535, 65536, 65537, 5 * 1024 * 1024] {
                let file = AgeFile.encrypt(FileWriter.randomBytes(size), to: recipients)
                #expect(Int64(file.count) == AgeSealer.fileSize(plaintext: Int64(size), recipients: count))
                #expect(AgeSealer.plaintextSize(file: Int64(file.count), headerSize: AgeSealer.headerSize(recipients: count)) == Int64(size))
            }
        }
        // Two files one after the other open as one, whatever their sizes.
        let identity = AgeIdentity.generate()
        // A last chunk just short of 64 KiB leaves the next file's version line past a chunk's length.
        for (a, b) in [(65536, 10), (100, 65536 * 2), (0, 5), (70_000, 0), (65536 + 65520, 3), (65535, 65535)] {
            let first = FileWriter.randomBytes(a), second = FileWriter.randomBytes(b)
            let joined = AgeFile.encrypt(first, to: [identity.recipient]) + AgeFile.encrypt(second, to: [identity.recipient])
            let opened = AgeFile.decrypt(joined, identities: [identity], concatenated: true)
            #expect(opened.error == nil && opened.plaintext == first + second, "\(a) + \(b)")
            #expect(AgeFile.decrypt(joined, identities: [identity]).error != nil, "a single file has nothing after its last chunk")
        }
    }
}
