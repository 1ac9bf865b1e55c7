/// A setting that is missing or has a value ChunkFerry cannot use; says which and what is accepted.
package struct SettingsError: Error, Sendable, CustomStringConvertible {
    package let key: SettingKey
    package let message: String

    package init(_ key: SettingKey, value: String?, expected: String) {
        self.key = key
        if let value, !key.isSecret {
            message = "\(key.environmentName)='\(value)' is not valid: expected \(expected)"
        } else if value != nil {
            message = "\(key.environmentName) is not valid: expected \(expected)"
        } else {
            message = "\(key.environmentName) is not set: \(expected)"
        }
    }

    /// A problem the key's value alone does not explain (two settings that contradict).
    package init(key: SettingKey, message: String) {
        self.key = key
        self.message = message
    }

    package var description: String { message }
}
