import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

extension EncryptionSettings {
    /// Keys: `ENCRYPT_TO` (age recipients, comma-separated), `ENCRYPT_TO_FILE` (a recipients
    /// file, one per line, as `age -R` reads it; both may be set) and `STATE_DIR` (the box's own
    /// folder, where its key for checking its work is made).
    package init(config: SettingsReader) throws(SettingsError) {
        self.init()
        for text in config.list(.encryptTo) ?? [] where !text.isEmpty {
            guard let recipient = AgeRecipient(text) else {
                // A secret key pasted by mistake is never repeated: logs outlive the mistake.
                if Self.looksSecret(text) {
                    throw SettingsError(key: .encryptTo, message: "ENCRYPT_TO holds an age identity (a secret key), not a recipient: give its public key (age-keygen -y key.txt), and keep the secret key off this box")
                }
                throw SettingsError(key: .encryptTo, message: "ENCRYPT_TO holds '\(text)', which is not an age X25519 recipient (age1… as age-keygen prints it): fix or remove it")
            }
            recipients.append(recipient)
        }
        if let path = config.string(.encryptToFile), !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SettingsError(key: .encryptToFile, message: "ENCRYPT_TO_FILE '\(path)' cannot be read: give a file of age recipients, one per line")
            }
            switch Self.parseRecipients(String(decoding: data, as: UTF8.self)) {
            case .success(let found): recipients += found
            case .failure(let error) where Self.looksSecret(error.text):
                throw SettingsError(key: .encryptToFile, message: "ENCRYPT_TO_FILE '\(path)' line \(error.line) is an age identity (a secret key), not a recipient: give a file of public keys (age-keygen -y key.txt), and keep the secret key off this box")
            case .failure(let error):
                throw SettingsError(key: .encryptToFile, message: "ENCRYPT_TO_FILE '\(path)' line \(error.line) is '\(error.text)', not an age X25519 recipient (age1…): fix or remove it")
            }
            if recipients.isEmpty {
                throw SettingsError(key: .encryptToFile, message: "ENCRYPT_TO_FILE '\(path)' names no recipient: nothing could ever be decrypted; add one (age-keygen -y key.txt prints it)")
            }
        }
        var seen = Set<AgeRecipient>()
        recipients = recipients.filter { seen.insert($0).inserted }
        stateDirectory = config.string(.stateDir, default: stateDirectory)
    }

    /// An age identity (or anything like one): never shown.
    static func looksSecret(_ text: String) -> Bool {
        text.uppercased().contains("SECRET-KEY") || text.uppercased().hasPrefix("AGE-")
    }
}
