import ChunkFerrySupport
import Foundation

/// The AWS CLI's shared files, as `aws configure` leaves them: `~/.aws/credentials` (sections
/// `[name]`) and `~/.aws/config` (sections `[profile name]`, and `[default]`), for the profile
/// `AWS_PROFILE` (else `default`). Settings given in the environment, as flags or in the config
/// file win over them, as they do in the AWS CLI.
struct AWSSharedConfig: Sendable {
    var accessKeyID: String?
    var secretAccessKey: String?
    var sessionToken: String?
    var region: String?
    var endpointURL: String?

    /// Keys: `AWS_PROFILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`. Files that are not
    /// there give nothing; `home` is where `~/.aws` is looked for.
    init(config: SettingsReader, home: String? = ProcessInfo.processInfo.environment["HOME"]) {
        let profile = config.string(.awsProfile) ?? "default"
        let aws = home.map { $0 + "/.aws" }
        let credentials = Self.sections(at: config.string(.awsSharedCredentialsFile) ?? aws.map { $0 + "/credentials" })[profile] ?? [:]
        let settings = Self.sections(at: config.string(.awsConfigFile) ?? aws.map { $0 + "/config" })
        let profileSettings = (profile == "default" ? settings["default"] : settings["profile \(profile)"]) ?? settings[profile] ?? [:]
        accessKeyID = credentials["aws_access_key_id"] ?? profileSettings["aws_access_key_id"]
        secretAccessKey = credentials["aws_secret_access_key"] ?? profileSettings["aws_secret_access_key"]
        sessionToken = credentials["aws_session_token"] ?? profileSettings["aws_session_token"]
        region = profileSettings["region"]
        endpointURL = profileSettings["endpoint_url"]
    }

    /// An INI file's sections: name → key → value (keys lower-cased; `#` and `;` comments).
    static func sections(at path: String?) -> [String: [String: String]] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [:] }
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let line = String(raw).trimmed()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmed()
                continue
            }
            // Nested settings (`s3 =` followed by indented lines) belong to a sub-section: skipped.
            guard let current, !raw.hasPrefix(" "), !raw.hasPrefix("\t"), let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmed().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmed()
            if !value.isEmpty { sections[current, default: [:]][key] = value }
        }
        return sections
    }
}
