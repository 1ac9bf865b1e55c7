@testable import ChunkFerryDaemon
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `chunkferry policy`: the real binary's JSON for a few configurations (no server needed), and
/// the review that keeps it complete: every request the S3 client can send has its permission
/// decided in `StorePolicy.actions`.
@Suite struct PolicyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Never granted, whatever the settings.
    static let forbidden: Set = [
        "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
        "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration",
        "s3:CreateBucket", "s3:DeleteBucket", "s3:PutObjectLegalHold",
    ]

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Actions by resource, from the JSON on stdout.
        func actions() throws -> [String: Set<String>] {
            let document = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")
            #expect(document["Version"] as? String == "2012-10-17")
            let statements = try #require(document["Statement"] as? [[String: Any]])
            var actions: [String: Set<String>] = [:]
            for statement in statements {
                #expect(statement["Effect"] as? String == "Allow")
                #expect(!statement.keys.contains("Condition"), "a condition on s3:prefix refuses HeadBucket")
                let resource = try #require(statement["Resource"] as? String)
                let granted = try #require(statement["Action"] as? [String])
                actions[resource, default: []].formUnion(granted)
            }
            return actions
        }

        func allActions() throws -> Set<String> { try actions().values.reduce([], { $0.union($1) }) }
    }

    /// `chunkferry policy` with only the settings given (a value of "" unsets a default here).
    static func policy(_ arguments: [String] = [], _ settings: [String: String] = [:]) throws -> Run {
        #expect(FileManager.default.fileExists(atPath: DaemonFixture.binary), "build chunkferry first: \(DaemonFixture.binary) is missing")
        let base = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "S3_BUCKET": "footage", "S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binary)
        process.arguments = ["policy"] + arguments
        process.environment = base.merging(settings) { $1 }.filter { !$0.value.isEmpty }
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A few hundred bytes each: neither pipe fills while the other is read.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test func theDefaultPolicyIsJSONAndGrantsNothingThatUndoesStoredFootage() throws {
        let run = try Self.policy()
        #expect(run.status == 0, "\(run.stderr)")
        let actions = try run.actions()
        #expect(actions["arn:aws:s3:::footage"] == Set(["s3:ListBucket"]))
        // MAX_LAG is on by default: replaced provisional pieces are deleted.
        #expect(actions["arn:aws:s3:::footage/*"] == Set(["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]))
        let all = try run.allActions()
        #expect(all.isDisjoint(with: Self.forbidden))
        #expect(!all.contains(where: { $0.contains("*") }))
        #expect(run.stderr.contains("aws iam put-user-policy"))

        let minio = try Self.policy(["--format", "minio"])
        #expect(minio.status == 0, "\(minio.stderr)")
        #expect(minio.stdout == run.stdout, "MinIO reads the same document")
        #expect(minio.stderr.contains("mc admin policy create") && minio.stderr.contains("mc admin policy attach"))
    }

    @Test func deleteAndRetentionOnlyWhereTheSettingsNeedThem() throws {
        let chunks = try Self.policy([], ["MAX_LAG": "0", "OUTPUT": "chunks"])
        #expect(chunks.status == 0, "\(chunks.stderr)")
        #expect(try !chunks.allActions().contains("s3:DeleteObject"))
        let both = try Self.policy([], ["MAX_LAG": "0", "OUTPUT": "both"])
        #expect(try !both.allActions().contains("s3:DeleteObject"))
        let whole = try Self.policy([], ["MAX_LAG": "0", "OUTPUT": "whole"])
        #expect(try whole.allActions().contains("s3:DeleteObject"))

        let locked = try Self.policy([], ["OBJECT_LOCK": "compliance", "S3_PREFIX": "/cams/front/", "S3_CREATE_BUCKET": "true"])
        #expect(locked.status == 0, "\(locked.stderr)")
        let actions = try locked.actions()
        #expect(actions["arn:aws:s3:::footage"] == Set(["s3:ListBucket", "s3:GetBucketObjectLockConfiguration"]))
        #expect(actions["arn:aws:s3:::footage/cams/front/*"]?.contains("s3:PutObjectRetention") == true)
        #expect(try locked.allActions().isDisjoint(with: Self.forbidden))
        // The bucket is made once with an admin key instead.
        #expect(locked.stderr.contains("--object-lock-enabled-for-bucket") && locked.stderr.contains("S3_CREATE_BUCKET=false"))
    }

    @Test func anotherBackendGetsOneLineSayingWhatStandsInForAPolicy() throws {
        let folder = Scratch.directory("policy-folder")
        let run = try Self.policy([], ["STORAGE_BACKEND": "filesystem", "LOCAL_STORAGE_PATH": folder, "S3_BUCKET": "", "S3_REGION": ""])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.contains("STORAGE_BACKEND=s3") && line.contains("LOCAL_STORAGE_PATH"), "\(run.stderr)")
    }

    /// The review: every `operation: "X"` in the S3 client is a request whose action is decided,
    /// either granted to the most permissive configuration or withheld on purpose.
    @Test func everyRequestTheS3ClientSendsHasItsPermissionDecided() throws {
        let folder = Self.root + "/Sources/ChunkFerryStorage/S3"
        var operations: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)
            for piece in text.components(separatedBy: "operation: \"").dropFirst() {
                operations.insert(String(piece.prefix(while: { $0 != "\"" })))
            }
        }
        #expect(operations.isSuperset(of: ["PutObject", "HeadBucket", "ListObjectsV2", "UploadPartCopy"]), "\(operations)")
        let fullest = StorePolicy(bucket: "b", prefix: "", deletes: true, objectLock: true, createsBucket: true)
        let granted = Set(fullest.granted.bucket + fullest.granted.objects)
        for operation in operations.sorted() where !StorePolicy.localOperations.contains(operation) {
            let action = StorePolicy.action(for: operation)
            #expect(action != nil, "\(operation) is sent to S3, but StorePolicy.actions does not say which permission it needs")
            if let action {
                #expect(granted.contains(action) || StorePolicy.withheld.contains(action), "\(operation): \(action) is neither granted nor withheld")
            }
        }
        #expect(granted.isDisjoint(with: Self.forbidden))
    }

    /// The daemon under exactly the printed policy: moto enforcing IAM (and checking SigV4) for
    /// a user that has only it. A compliance-locked bucket, a file that grows past MAX_LAG (so
    /// pieces go up and are deleted), OUTPUT=both (assembly): `check` passes and finds that
    /// these keys cannot delete footage, the recording is stored, nothing is refused, and
    /// `restore` with the same keys gives the file back.
    @Test func theDaemonRunsUnderExactlyThePrintedPolicy() async throws {
        // Two requests of moto's own start, then the four of the setup below, go unchecked.
        let moto = try await MotoServer(authorizeAfter: 6)
        defer { moto.stop() }
        let bucket = Scratch.uniqueName("policy")
        let settings = ["S3_ENDPOINT": moto.endpoint, "S3_BUCKET": bucket, "OBJECT_LOCK": "compliance", "OUTPUT": "both", "MAX_LAG": "1s"]
        let printed = try Self.policy([], settings)
        #expect(printed.status == 0, "\(printed.stderr)")
        _ = try printed.allActions()
        let setup = """
            import boto3, json, sys
            endpoint, bucket, policy = sys.argv[1], sys.argv[2], sys.stdin.read()
            admin = dict(endpoint_url=endpoint, aws_access_key_id="admin", aws_secret_access_key="admin", region_name="us-east-1")
            boto3.client("s3", **admin).create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
            iam = boto3.client("iam", **admin)
            iam.create_user(UserName="chunkferry")
            key = iam.create_access_key(UserName="chunkferry")["AccessKey"]
            iam.put_user_policy(UserName="chunkferry", PolicyName="chunkferry", PolicyDocument=policy)
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """
        let keys = try Self.python(setup, arguments: [moto.endpoint, bucket], input: printed.stdout).split(separator: " ").map(String.init)
        #expect(keys.count == 2)
        let fixture = try await DaemonFixture(environment: settings.merging([
            "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys.last ?? "", "LOG_LEVEL": "debug",
            // Long enough that the file is not finalized between its two writes on a busy runner.
            "IDLE_TIMEOUT": "6s",
        ]) { $1 })
        fixture.storage = try S3Client(settings: S3Settings(endpoint: moto.endpoint, bucket: bucket, accessKeyID: keys[0],
                                                            secretAccessKey: Secret(keys.last ?? "")))
        defer { fixture.stopAllInBackground() }
        let check = try fixture.start(["check"])
        #expect(await check.waitForExit(timeout: .seconds(60)) == 0, "\(check.log())")
        #expect(check.log().contains("a thief with these keys can delete footage: no (object lock compliance, 30d)"), "\(check.log())")

        try fixture.start()
        let path = "porch/20261207_031000.mp4"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/porch", withIntermediateDirectories: true)
        try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(2 * 1024 * 1024))
        try await fixture.waitUntil("a provisional piece", timeout: .seconds(30)) { !fixture.events("provisional tail uploaded").isEmpty }
        try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(4 * 1024 * 1024))
        let manifest = try await fixture.waitForManifestMatchingFile(path)
        #expect(manifest.object != nil)
        let refused = fixture.events().filter { ($0["error"] ?? "").contains("AccessDenied") || ($0["message"] ?? "").contains("AccessDenied") }
        #expect(refused.isEmpty, "\(refused)")

        let output = Scratch.directory("restore") + "/porch.mp4"
        let restore = try fixture.restoreFromStoreAlone(path, to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == manifest.sha256)
    }

    /// Runs a Python script (the admin's setup), returns its stdout.
    static func python(_ script: String, arguments: [String], input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let (stdin, stdout) = (Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
