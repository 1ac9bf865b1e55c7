import ChunkFerrySupport

/// `ENCRYPT_TO`: whom every object is encrypted to, and where the box keeps its own key.
/// Read by `init(config:)` in the daemon's configuration.
package struct EncryptionSettings: Sendable {
    /// Empty: objects go as they are.
    package var recipients: [AgeRecipient] = []
    /// The box's own folder (`STATE_DIR`), where `BoxKey` lives.
    package var stateDirectory = "./state"

    package init() {}

    package var isOn: Bool { !recipients.isEmpty }

    /// The recipients of a recipients file as `age -R` reads it: one per line, `#` comments and
    /// blank lines skipped. A line that is not a recipient: its number and text (public keys).
    package static func parseRecipients(_ text: String) -> Result<[AgeRecipient], RecipientLineError> {
        var recipients: [AgeRecipient] = []
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = String(raw).trimmed(of: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let recipient = AgeRecipient(line) else { return .failure(RecipientLineError(line: number + 1, text: line)) }
            recipients.append(recipient)
        }
        return .success(recipients)
    }

    package struct RecipientLineError: Error, Sendable {
        package var line: Int
        package var text: String
    }
}
