@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// age v1, X25519 recipients: the C2SP/CCTV test vectors decrypt (or fail) as the spec says,
/// and files pass both ways between ChunkFerry and the real `age` and `age-keygen`.
@Suite struct AgeTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/age")

    struct Vector {
        var name: String
        var fields: [(String, String)]
        var file: [UInt8]

        func values(_ key: String) -> [String] { fields.filter { $0.0 == key }.map(\.1) }
    }

    static func load(_ name: String) throws -> Vector {
        let data = try [UInt8](Data(contentsOf: vectors.appendingPathComponent(name)))
        let split = try #require((0..<data.count - 1).first { data[$0] == 0x0A && data[$0 + 1] == 0x0A })
        let fields = String(decoding: data[..<split], as: UTF8.self).split(separator: "\n").map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        var file = Array(data[(split + 2)...])
        if fields.contains(where: { $0 == ("compressed", "zlib") }) { file = try inflate(file) }
        return Vector(name: name, fields: fields, file: file)
    }

    /// zlib, as upstream keeps the larger vectors, through Python's zlib.
    static func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
        let folder = Scratch.directory("age-vector")
        try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/in"))
        let process = ManagedProcess(name: "python3", executable: "python3",
                                     arguments: ["-c", "import sys, zlib; open(sys.argv[2], 'wb').write(zlib.decompress(open(sys.argv[1], 'rb').read()))", "\(folder)/in", "\(folder)/out"],
                                     logPath: "\(folder)/log")
        try process.start()
        while process.isRunning { usleep(10_000) }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(folder)/out")))
    }

    static var vectorNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: vectors.path)) ?? []).filter { $0 != "README.md" }.sorted()
    }

    @Test func theSpecsVectorsDecryptOrFailAsTheyShould() throws {
        let names = Self.vectorNames
        #expect(names.count >= 60, "the vectors are there")
        for name in names {
            let vector = try Self.load(name)
            let identities = vector.values("identity").compactMap(AgeIdentity.init)
            #expect(identities.count == vector.values("identity").count, "\(name): its identities parse")
            let opened = AgeFile.decrypt(vector.file, identities: identities)
            let expected = vector.values("expect").first ?? ""
            let got: String = switch opened.error {
            case nil: "success"
            case .unsupportedVersion, .header: "header failure"
            case .noMatch: "no match"
            case .mac: "HMAC failure"
            case .payload: "payload failure"
            }
            #expect(got == expected, "\(name): \(got), expected \(expected) (\(opened.error.map { "\($0)" } ?? "no error"))")
            if let payload = vector.values("payload").first {
                #expect(ByteEncoding.hex(Digest.sha256(opened.plaintext)) == payload, "\(name): the plaintext released")
            }
        }
    }

    @Test func keysRoundTripAndMalformedOnesAreRefused() throws {
        let identity = AgeIdentity.generate()
        #expect(AgeIdentity(identity.secretText)?.recipient == identity.recipient)
        #expect(AgeRecipient(identity.recipient.description) == identity.recipient)
        #expect(!"\(identity)".contains(identity.secretText), "an identity never shows its key")
        var dumped = ""
        dump(identity, to: &dumped)
        #expect(!dumped.contains(identity.secretText) && !dumped.contains("\(identity.secretKey)"), "nor does its mirror")
        let lowOrder = Bech32.encode(hrp: "age", [UInt8](repeating: 0, count: 32))
        #expect(AgeRecipient(lowOrder) == nil, "a point of low order is no recipient")
        let recipient = identity.recipient.description
        for bad in [recipient.uppercased(), String(recipient.dropLast()) + (recipient.last == "q" ? "p" : "q"), "age1", "ssh-ed25519 AAAA", identity.secretText] {
            #expect(AgeRecipient(bad) == nil, "\(bad) is not a recipient")
        }
    }

    /// Runs `age` or `age-keygen`; its exit status and output.
    static func run(_ tool: String, _ arguments: [String], in folder: String) async throws -> (status: Int32?, log: String) {
        let process = ManagedProcess(name: tool, executable: tool, arguments: arguments, logPath: "\(folder)/\(tool)-\(UUID().uuidString.prefix(6)).log")
        try process.start()
        let status = await process.waitForExit(timeout: .seconds(30))
        return (status, process.log())
    }

    /// A key made by `age-keygen`: the identity and its recipient as our code reads them.
    static func keygen(in folder: String, name: String = "key.txt") async throws -> (path: String, identity: AgeIdentity, recipient: AgeRecipient) {
        let path = "\(folder)/\(name)"
        #expect(try await run("age-keygen", ["-o", path], in: folder).status == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let identities = try AgeIdentity.parseFile(text).get()
        let publicLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
        let recipient = try #require(AgeRecipient(String(publicLine.dropFirst("# public key: ".count))))
        let identity = try #require(identities.first)
        #expect(identity.recipient == recipient, "our public key of age-keygen's identity is the one it prints")
        return (path, identity, recipient)
    }

    @Test(arguments: [0, 1, 65536, 65537, 200_000])
    func filesPassBothWaysWithTheRealAge(size: Int) async throws {
        let folder = Scratch.directory("age-interop")
        let key = try await Self.keygen(in: folder)
        let plaintext = FileWriter.randomBytes(size)
        try Data(plaintext).write(to: URL(fileURLWithPath: "\(folder)/plain"))

        // Ours, opened by age.
        try Data(AgeFile.encrypt(plaintext, to: [key.recipient])).write(to: URL(fileURLWithPath: "\(folder)/ours.age"))
        let decrypted = try await Self.run("age", ["-d", "-i", key.path, "-o", "\(folder)/ours.out", "\(folder)/ours.age"], in: folder)
        #expect(decrypted.status == 0, "\(decrypted.log)")
        // age writes its output only once there is a byte to write.
        let out = (try? Data(contentsOf: URL(fileURLWithPath: "\(folder)/ours.out"))) ?? Data()
        #expect(out == Data(plaintext), "age decrypts ours to the bytes")

        // age's, opened by ours.
        let encrypted = try await Self.run("age", ["-r", key.recipient.description, "-o", "\(folder)/theirs.age", "\(folder)/plain"], in: folder)
        #expect(encrypted.status == 0, "\(encrypted.log)")
        let opened = AgeFile.decrypt(try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(folder)/theirs.age"))), identities: [key.identity])
        #expect(opened.error == nil && opened.plaintext == plaintext, "ours decrypts age's to the bytes")
        #expect(AgeFile.payloadSize(plaintext: Int64(size)) + Int64(AgeFile.header(fileKey: LibCrypto.random(16), recipients: [key.recipient]).count)
                == Int64(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/ours.age")).count), "the size is known in advance")
    }

    @Test func eitherOfTwoRecipientsOpensAndAThirdDoesNot() async throws {
        let folder = Scratch.directory("age-recipients")
        let owner = try await Self.keygen(in: folder, name: "owner.txt")
        let police = try await Self.keygen(in: folder, name: "police.txt")
        let stranger = try await Self.keygen(in: folder, name: "stranger.txt")
        let plaintext = FileWriter.randomBytes(100_000)
        try Data(AgeFile.encrypt(plaintext, to: [owner.recipient, police.recipient])).write(to: URL(fileURLWithPath: "\(folder)/two.age"))
        for key in [owner, police] {
            let out = "\(folder)/\(UUID().uuidString.prefix(6)).out"
            #expect(try await Self.run("age", ["-d", "-i", key.path, "-o", out, "\(folder)/two.age"], in: folder).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(plaintext))
        }
        let refused = try await Self.run("age", ["-d", "-i", stranger.path, "-o", "\(folder)/stranger.out", "\(folder)/two.age"], in: folder)
        #expect(refused.status != 0, "a third identity cannot open it")
        #expect(AgeFile.decrypt(try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(folder)/two.age"))), identities: [stranger.identity]).error == .noMatch)
    }

    @Test func everyFileHasAFreshFileKeyAndNonce() throws {
        let recipient = AgeIdentity.generate().recipient
        let plaintext = FileWriter.randomBytes(1000)
        let files = (0..<50).map { _ in AgeFile.encrypt(plaintext, to: [recipient]) }
        #expect(Set(files.map { ByteEncoding.hex($0) }).count == 50, "the same bytes twice never give the same file")
        let nonces = try files.map { file in try AgeHeader.parse(file).payloadOffset }.enumerated().map { index, offset in ByteEncoding.hex(Array(files[index][offset..<offset + 16])) }
        #expect(Set(nonces).count == 50)
    }
}
