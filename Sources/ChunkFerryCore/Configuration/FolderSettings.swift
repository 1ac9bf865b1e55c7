/// A folder objects are written into as files, at their keys.
///
/// Key: `LOCAL_STORAGE_PATH` (required with `STORAGE_BACKEND=filesystem`): the folder, which must
/// exist; a NAS share is mounted there by the system (NFS or SMB), not by ChunkFerry.
public struct FolderSettings: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public init(config: SettingsReader) throws(SettingsError) {
        let path = try config.required(.localStoragePath, "set it to the folder recordings are copied into, e.g. /mnt/nas/footage")
        self.init(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
    }
}
