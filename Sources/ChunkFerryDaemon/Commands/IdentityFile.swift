import ChunkFerryStorage
import Foundation

/// `--identity FILE`: age identity files as `age-keygen` writes them. A line that is not an
/// identity is named by its number only: it may be a key.
package enum IdentityFile {
    package static func read(_ paths: [String]) throws(StartupFailure) -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StartupFailure(message: "the identity file '\(path)' cannot be read: give the file age-keygen wrote (AGE-SECRET-KEY-1…)")
            }
            switch AgeIdentity.parseFile(String(decoding: data, as: UTF8.self)) {
            case .success(let found) where found.isEmpty:
                throw StartupFailure(message: "the identity file '\(path)' holds no age identity (AGE-SECRET-KEY-1…)")
            case .success(let found):
                identities += found
            case .failure(let error):
                throw StartupFailure(message: "the identity file '\(path)' line \(error.line) is not an age identity (AGE-SECRET-KEY-1…, as age-keygen writes it)")
            }
        }
        return identities
    }
}
