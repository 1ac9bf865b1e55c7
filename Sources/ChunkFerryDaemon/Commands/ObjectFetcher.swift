import ChunkFerryStorage

/// The raw bytes of objects in the store, as they are (age files stay sealed), for `decrypt`.
package struct ObjectFetcher: Sendable {
    let storage: any ObjectStore
    /// `S3_PREFIX`, normalized: keys given are under it.
    package let prefix: String

    package init(settings: ChunkFerrySettings) throws(StartupFailure) {
        do {
            storage = try settings.storage.makeStore(connections: 1)
        } catch {
            throw StartupFailure(message: "\(error)")
        }
        prefix = ObjectLayout(prefix: settings.upload.keyPrefix).prefix
    }

    package func shutDown() { storage.shutDown() }

    /// Every key under `prefix` (below S3_PREFIX).
    package func keys(under prefix: String) async throws(StartupFailure) -> [String] {
        do {
            return try await storage.list(prefix: self.prefix + prefix).map(\.key).sorted()
        } catch {
            throw StartupFailure(message: "\(error)")
        }
    }

    /// The object at `key` (a full key as listed, or one below S3_PREFIX).
    package func fetch(_ key: String) async throws(StartupFailure) -> [UInt8] {
        let full = key.hasPrefix(prefix) ? key : prefix + key
        do {
            return try await storage.get(key: full)
        } catch {
            throw StartupFailure(message: "\(error)")
        }
    }
}
