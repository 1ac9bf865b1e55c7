#if canImport(Glibc)
import Glibc
#endif

/// Writing to a descriptor until every byte is out, for the folder store, restore and snapshots.
package enum FileOutput {
    /// Writes all of `buffer` at the descriptor's position; false with errno set on failure.
    package static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var written = 0
        while written < buffer.count {
            let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += result
        }
        return true
    }
}
