import ChunkFerrySupport

/// When uploaded files leave the recorder's disk. Off by default: ChunkFerry deletes nothing
/// local unless one of these is set, and then only files the store was asked about and holds.
///
/// Keys: `DELETE_AFTER_UPLOAD` (default false: delete each file once finalized and confirmed),
/// `LOCAL_RETENTION` (instead keep uploaded files this long, e.g. `7d`), `MIN_FREE_SPACE` (`10%` or
/// a size: below it, delete uploaded files oldest-uploaded first), `CLEANUP_BATCH_SIZE` (default
/// 100: deletions per pass, so a long backlog never stalls uploads), `FORGET_AFTER` (default `7d`:
/// a finished or abandoned stream whose file left the disk that long ago leaves Redis; its objects
/// and manifest stay in the bucket).
package struct RetentionSettings: Sendable {
    package enum FreeSpace: Sendable, Equatable {
        case percent(Double)
        case bytes(Int64)

        /// The free bytes wanted on a filesystem of `total` bytes.
        package func bytes(ofTotal total: Int64) -> Int64 {
            switch self {
            case .percent(let percent): Int64(Double(total) * percent / 100)
            case .bytes(let bytes): bytes
            }
        }
    }

    package var deleteAfterUpload = false
    var keepFor: Duration?
    package var minimumFree: FreeSpace?
    var batchSize = 100
    package var forgetAfter: Duration = .seconds(7 * 86_400)

    package var isEnabled: Bool { deleteAfterUpload || keepFor != nil || minimumFree != nil }

    /// The settings in force, for messages that say why a file may be deleted.
    package var enablingKeys: [SettingKey] {
        (deleteAfterUpload ? [.deleteAfterUpload] : []) + (keepFor != nil ? [.localRetention] : [])
            + (minimumFree != nil ? [.minFreeSpace] : [])
    }

    package init() {}

    package init(config: SettingsReader) throws(SettingsError) {
        deleteAfterUpload = try config.bool(.deleteAfterUpload) ?? false
        // `off`, the documented default, may be written out too.
        keepFor = Self.isOff(config.string(.localRetention)) ? nil : try config.duration(.localRetention)
        if deleteAfterUpload && keepFor != nil {
            throw SettingsError(key: .localRetention, message: "DELETE_AFTER_UPLOAD and LOCAL_RETENTION both say when to delete: set only one (LOCAL_RETENTION=0 is DELETE_AFTER_UPLOAD)")
        }
        if let text = config.string(.minFreeSpace), !Self.isOff(text) {
            minimumFree = try Self.freeSpace(text)
        }
        batchSize = try config.integer(.cleanupBatchSize, range: 1...100_000) ?? 100
        forgetAfter = try config.duration(.forgetAfter) ?? .seconds(7 * 86_400)
        guard forgetAfter >= .seconds(1) else {
            throw SettingsError(.forgetAfter, value: config.string(.forgetAfter), expected: "at least 1s, e.g. 7d")
        }    }

    static func isOff(_ text: String?) -> Bool {
        text?.trimmed().lowercased() == "off"
    }

    static func freeSpace(_ text: String) throws(SettingsError) -> FreeSpace {
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast().trimmed()), percent > 0, percent < 100 else {
                throw SettingsError(.minFreeSpace, value: text, expected: "a percentage from 0 to 100 such as 10%, or a size such as 20GiB")
            }
            return .percent(percent)
        }
        guard let bytes = SettingsReader.parseByteSize(text), bytes > 0 else {
            throw SettingsError(.minFreeSpace, value: text, expected: "a percentage such as 10%, or a size such as 20GiB")
        }
        return .bytes(Int64(bytes))
    }
}
