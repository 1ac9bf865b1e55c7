import ChunkFerryStorage
import ChunkFerrySupport

extension ChunkFerrySettings {
    /// The store objects go to: with ENCRYPT_TO behind `EncryptedStore`, with the box key from
    /// STATE_DIR (made there at the first start).
    func makeStore(connections: Int, abort: TransferAbort? = nil, throttle: UplinkThrottle? = nil) throws(StartupFailure) -> any ObjectStore {
        let store: any ObjectStore
        do {
            store = try storage.makeStore(connections: connections, abort: abort, throttle: throttle)
        } catch {
            throw StartupFailure(message: "\(error)")
        }
        guard encryption.isOn else { return store }
        switch BoxKey.loadOrCreate(in: encryption.stateDirectory) {
        case .success(let box): return EncryptedStore(store, recipients: encryption.recipients, box: box)
        case .failure(let error): throw StartupFailure(message: "\(error)")
        }
    }
}

/// Why the daemon or a command could not start: one line for the log or the terminal.
package struct StartupFailure: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }

    package init(message: String) { self.message = message }
}
