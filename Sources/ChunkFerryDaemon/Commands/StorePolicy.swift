import ChunkFerryPipeline
import ChunkFerryStorage
import Foundation

/// The least S3 permissions the configuration needs (`chunkferry policy`), as an IAM policy.
///
/// AWS and MinIO read the same document: MinIO's policies are AWS's language (`2012-10-17`,
/// `arn:aws:s3:::` resources) and know every action used here, so `--format` changes only how
/// the notes say to install it. Built from a few facts, so tests can state them directly.
package struct StorePolicy: Sendable, Equatable {
    package enum Format: String, Sendable, CaseIterable {
        case aws, minio
    }

    package let bucket: String
    /// `S3_PREFIX`, normalized: empty or ending in `/`.
    package let prefix: String
    /// Whether the daemon deletes objects: replaced provisional pieces (MAX_LAG) and chunks once
    /// their whole object is stored (OUTPUT=whole). Check objects alone need no grant: a refused
    /// delete of one leaves it behind, nothing more.
    package let deletes: Bool
    package let objectLock: Bool
    /// `S3_CREATE_BUCKET`: only a note, the grant is left out (see `notes(for:)`).
    package let createsBucket: Bool

    package init(bucket: String, prefix: String, deletes: Bool, objectLock: Bool, createsBucket: Bool) {
        self.bucket = bucket
        self.prefix = ObjectLayout.normalizedPrefix(prefix)
        self.deletes = deletes
        self.objectLock = objectLock
        self.createsBucket = createsBucket
    }

    package init(settings: ChunkFerrySettings) throws(StartupFailure) {
        guard case .s3(let s3, let createBucket) = settings.storage else {
            throw StartupFailure(message: Self.otherBackend(settings.storage.backend))
        }
        self.init(bucket: s3.bucket, prefix: settings.upload.keyPrefix,
                  deletes: settings.upload.maxLag != nil || settings.output.mode == .whole,
                  objectLock: s3.objectLock != nil, createsBucket: createBucket)
    }

    /// Every request the S3 client sends, by its `operation:` name, and the action AWS and MinIO
    /// check for it. PolicyTests fails for a name missing here: a new request cannot be added
    /// without deciding its permission.
    static let actions: [String: String] = [
        "HeadBucket": "s3:ListBucket",
        "ListObjectsV2": "s3:ListBucket",
        "HeadObject": "s3:GetObject",
        "GetObject": "s3:GetObject",
        "PutObject": "s3:PutObject",
        "CreateMultipartUpload": "s3:PutObject",
        // Both copies also read their source: s3:GetObject, granted anyway.
        "UploadPartCopy": "s3:PutObject",
        "CopyObject": "s3:PutObject",
        "CompleteMultipartUpload": "s3:PutObject",
        "AbortMultipartUpload": "s3:AbortMultipartUpload",
        // With a versionId (the deletion probe) AWS checks s3:DeleteObjectVersion instead,
        // withheld: the probe is meant to be refused.
        "DeleteObject": "s3:DeleteObject",
        "DeleteObjectVersion": "s3:DeleteObjectVersion",
        "CreateBucket": "s3:CreateBucket",
        "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
        "PutObjectRetention": "s3:PutObjectRetention",
    ]

    /// `operation:` names that send nothing: a setting refused before any request.
    static let localOperations: Set<String> = ["Configure"]

    /// Never granted, whatever the configuration: each would let a stolen key undo what the
    /// store keeps (delete versions, shorten or lift a lock, change the bucket's rules).
    /// `s3:CreateBucket` (and for a locked bucket versioning and lock configuration) is wanted
    /// once, at setup, and is done with an admin key instead.
    static let withheld: Set<String> = [
        "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectLegalHold",
        "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration",
    ]

    /// Actions on the bucket itself; the others are on objects.
    static let bucketActions: Set<String> = ["s3:ListBucket", "s3:GetBucketObjectLockConfiguration", "s3:CreateBucket"]

    static func action(for operation: String) -> String? { actions[operation] }

    /// The requests this configuration sends, in the daemon and in `check`.
    var operations: [String] {
        var names = [
            "HeadBucket", "ListObjectsV2", "HeadObject", "GetObject", "PutObject", "CreateMultipartUpload",
            "UploadPartCopy", "CopyObject", "CompleteMultipartUpload", "AbortMultipartUpload",
        ]
        if deletes { names.append("DeleteObject") }
        // GetObjectLockConfiguration: startup and `check` confirm the bucket has Object Lock.
        // PutObjectRetention: what AWS and MinIO ask of every write carrying x-amz-object-lock-*
        // headers (the deletion probe also sends it, and must fail to shorten a retention).
        if objectLock { names += ["GetObjectLockConfiguration", "PutObjectRetention"] }
        return names
    }

    /// What is granted, sorted: on the bucket, and on the objects under the prefix.
    ///
    /// s3:ListBucket has no `s3:prefix` condition: HeadBucket carries no prefix, so a condition
    /// would refuse it (and startup with it), and AWS answers a HEAD of a missing object 403
    /// instead of 404 without an unconditional s3:ListBucket, which recovery takes for a refusal.
    /// The key can list the names of other prefixes' objects, never read or write them.
    var granted: (bucket: [String], objects: [String]) {
        let all = Set(operations.compactMap { Self.action(for: $0) }).subtracting(Self.withheld)
        return (all.filter { Self.bucketActions.contains($0) }.sorted(), all.filter { !Self.bucketActions.contains($0) }.sorted())
    }

    var bucketResource: String { "arn:aws:s3:::\(bucket)" }
    var objectResource: String { "arn:aws:s3:::\(bucket)/\(prefix)*" }

    /// The policy document, pretty-printed JSON with sorted keys; the same for both formats.
    package func document(for format: Format = .aws) -> String {
        let grants = granted
        let document = Document(statement: [
            .init(sid: "ChunkFerryBucket", action: grants.bucket, resource: bucketResource),
            .init(sid: "ChunkFerryObjects", action: grants.objects, resource: objectResource),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(document)) ?? Data(), as: UTF8.self)
    }

    /// What to tell the user beside the document (stderr): how to install it, and what it
    /// leaves to an admin key.
    package func notes(for format: Format) -> [String] {
        let install = switch format {
        case .aws: "install with: aws iam put-user-policy --user-name USER --policy-name chunkferry --policy-document file://policy.json"
        case .minio: "install with: mc admin policy create ALIAS chunkferry policy.json && mc admin policy attach ALIAS chunkferry --user USER"
        }
        var notes = [install]
        if createsBucket {
            let create = switch format {
            case .aws: "aws s3api create-bucket --bucket \(bucket)\(objectLock ? " --object-lock-enabled-for-bucket" : "")"
            case .minio: "mc mb\(objectLock ? " --with-lock" : "") ALIAS/\(bucket)"
            }
            let grants = objectLock ? "s3:CreateBucket, s3:PutBucketVersioning and s3:PutBucketObjectLockConfiguration" : "s3:CreateBucket"
            notes.append("S3_CREATE_BUCKET=true, but this policy leaves out \(grants), which would let the key change the bucket: "
                + "create it once with an admin key (\(create)) and set S3_CREATE_BUCKET=false")
        }
        return notes
    }

    /// One line for `policy` with another backend: what stands in for a policy there.
    static func otherBackend(_ backend: StorageBackend) -> String {
        let equivalent = switch backend {
        case .filesystem: "the folder's permissions are the policy: only ChunkFerry's user may write LOCAL_STORAGE_PATH (it creates, renames and deletes files there, so no append-only flag), and read-only snapshots keep what it wrote"
        case .http: "the server is the policy: let HTTP_AUTH_TOKEN PUT, HEAD and GET under HTTP_UPLOAD_URL, and answer DELETE with 405, which ChunkFerry accepts"
        case .s3: "none is needed"
        }
        return "policy prints an S3 policy, for STORAGE_BACKEND=s3; with STORAGE_BACKEND=\(backend.rawValue) \(equivalent)"
    }

    /// The JSON IAM and MinIO take: `Version`, `Statement` of `Sid`, `Effect`, `Action`, `Resource`.
    struct Document: Encodable {
        struct Statement: Encodable {
            var sid: String
            var effect = "Allow"
            var action: [String]
            var resource: String

            init(sid: String, action: [String], resource: String) {
                self.sid = sid
                self.action = action
                self.resource = resource
            }

            enum CodingKeys: String, CodingKey {
                case sid = "Sid", effect = "Effect", action = "Action", resource = "Resource"
            }
        }

        var version = "2012-10-17"
        var statement: [Statement]

        enum CodingKeys: String, CodingKey {
            case version = "Version", statement = "Statement"
        }
    }
}
