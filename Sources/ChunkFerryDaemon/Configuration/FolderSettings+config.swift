import ChunkFerryStorage
import ChunkFerrySupport

extension FolderSettings {
    /// Reads the folder from the settings.
    ///
    /// Key: `LOCAL_STORAGE_PATH` (required with `STORAGE_BACKEND=filesystem`): the folder, which must
    /// exist; a NAS share is mounted there by the system (NFS or SMB), not by ChunkFerry.
    package init(config: SettingsReader) throws(SettingsError) {
        let path = try config.required(.localStoragePath, "set it to the folder recordings are copied into, e.g. /mnt/nas/footage")
        self.init(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
    }
}
