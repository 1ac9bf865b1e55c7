import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Bytes (a file range, or a buffer) hashed as they are read, so each byte is read from the page
/// cache once: the CRC32C and, when asked, the whole file's SHA-256 take it on its way out.
///
/// For S3 it is a PUT body that carries its CRC32C after the bytes instead of in a header (S3's
/// trailing checksum: `aws-chunked` encoding, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`), read straight
/// into curl's send buffer (`fill`); the store recomputes the CRC32C and rejects a mismatch, as it
/// does for the header form. A folder store takes the bare bytes (`fillPayload`) and writes them.
///
/// `@unchecked`: used by one request on one thread (a retry gets a new body), so its running
/// CRC and position are never touched from two threads.
package final class ChecksummedBody: @unchecked Sendable {
    /// Payload bytes per aws-chunk. AWS asks for at least 8 KiB (but the last); four of these,
    /// framed, fill one curl upload buffer.
    package static let pieceSize = 64 * 1024
    package static let uploadBufferSize = 4 * framed(pieceSize)
    package static let trailerName = "x-amz-checksum-crc32c"
    private static let fullPieceHeader = Array("\(String(pieceSize, radix: 16))\r\n".utf8)

    package enum Source {
        case file(FileRange)
        case bytes([UInt8])
        /// An age file made from plaintext as it is read (`ENCRYPT_TO`).
        case sealed(SealingReader)
    }

    package let source: Source
    /// Payload length (the object's size).
    package let length: Int
    /// Fed with every payload byte, in order (the whole file's digest), when given.
    package let feeding: DigestBox?
    /// The file's status-change time (ns) when it was opened, and the wall clock then (ms).
    package private(set) var changed: Int64 = 0
    package private(set) var openedAt: Int64 = 0
    package private(set) var failure: FileReadError?
    private var crc = CRC32C()
    private var descriptor: Int32 = -1
    private var consumed = 0
    /// Framing (and, with a small curl buffer, payload) bytes not yet handed to curl.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// Every payload byte went out (and, framed, the trailer).
    private var trailerWritten = false

    package init(_ source: Source, feeding: DigestBox? = nil) {
        self.source = source
        self.feeding = feeding
        length = switch source {
        case .file(let range): range.length
        case .bytes(let bytes): bytes.count
        case .sealed(let reader): reader.length
        }
    }

    /// The CRC32C of the payload, once every byte went out.
    package var checksum: ChunkChecksum? { trailerWritten ? .crc32c(crc.value) : nil }

    /// What goes over the wire: each piece framed as `<hex size>\r\n<bytes>\r\n`, then `0\r\n`,
    /// the trailer line and an empty line.
    package var encodedLength: Int {
        let rest = length % Self.pieceSize
        return length / Self.pieceSize * Self.framed(Self.pieceSize) + (rest > 0 ? Self.framed(rest) : 0)
            + 3 + Self.trailerName.utf8.count + 1 + 8 + 2 + 2
    }

    private static func framed(_ size: Int) -> Int { String(size, radix: 16).utf8.count + 2 + size + 2 }

    package func open() throws(FileReadError) {
        openedAt = WallClock.nowMilliseconds()
        switch source {
        case .file(let range):
            let opened = try range.open()
            descriptor = opened.descriptor
            changed = opened.changed
        case .sealed(let reader):
            try reader.open()
            changed = reader.changed
        case .bytes:
            break
        }
    }

    package func close() {
        if case .sealed(let reader) = source { reader.close() }
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Fills `buffer` with the next encoded bytes; 0 at the end, nil on a read failure.
    package func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var written = 0
        while written < buffer.count {
            if pendingStart < pending.count {
                let count = min(pending.count - pendingStart, buffer.count - written)
                pending.withUnsafeBytes { bytes in
                    buffer.baseAddress!.advanced(by: written).copyMemory(from: bytes.baseAddress!.advanced(by: pendingStart), byteCount: count)
                }
                pendingStart += count
                written += count
                continue
            }
            if consumed < length {
                let piece = min(Self.pieceSize, length - consumed)
                let header = piece == Self.pieceSize ? Self.fullPieceHeader : Array("\(String(piece, radix: 16))\r\n".utf8)
                let space = buffer.count - written
                if space >= header.count + piece + 2 {
                    // The common case: the whole frame goes straight into curl's buffer.
                    let start = buffer.baseAddress!.advanced(by: written)
                    header.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: header.count) }
                    let payload = UnsafeMutableRawBufferPointer(start: start.advanced(by: header.count), count: piece)
                    guard readPayload(into: payload) else { return nil }
                    start.advanced(by: header.count + piece).storeBytes(of: (13, 10) as (UInt8, UInt8), as: (UInt8, UInt8).self)
                    written += header.count + piece + 2
                } else if written > 0 {
                    return written  // curl asks again with a fresh buffer
                } else {
                    pending = header + [UInt8](repeating: 0, count: piece) + [13, 10]
                    pendingStart = 0
                    let ok = pending.withUnsafeMutableBytes { bytes in
                        readPayload(into: UnsafeMutableRawBufferPointer(rebasing: bytes[header.count..<(header.count + piece)]))
                    }
                    guard ok else { return nil }
                }
                continue
            }
            guard !trailerWritten else { break }
            trailerWritten = true
            let value = ByteEncoding.base64(CRC32C(value: crc.value).bytes)
            pending = Array("0\r\n\(Self.trailerName):\(value)\r\n\r\n".utf8)
            pendingStart = 0
        }
        return written
    }

    /// Reads exactly `buffer.count` payload bytes and hashes them.
    private func readPayload(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        switch source {
        case .bytes(let bytes):
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[consumed..<(consumed + buffer.count)])) }
        case .sealed(let reader):
            do throws(FileReadError) {
                try reader.read(into: buffer)
            } catch {
                failure = error
                return false
            }
        case .file(let range):
            var filled = 0
            while filled < buffer.count {
                do throws(FileReadError) {
                    let got = try FileRange.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]),
                                                 at: range.offset + Int64(consumed + filled))
                    guard got > 0 else { throw .truncated(available: consumed + filled) }
                    filled += got
                } catch {
                    failure = error
                    return false
                }
            }
        }
        let bytes = UnsafeRawBufferPointer(buffer)
        crc.update(bytes)
        feeding?.update(bytes)
        consumed += buffer.count
        return true
    }

    /// The next bare payload bytes, hashed, for a store that writes them as they are: 0 at the
    /// end (`checksum` is then set), nil on a read failure (see `failure`).
    package func fillPayload(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = min(buffer.count, length - consumed)
        guard count > 0 else {
            trailerWritten = true
            return 0
        }
        guard readPayload(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])) else { return nil }
        return count
    }

    /// Whether the body can start over (curl rewinds before resending, e.g. after a redirect):
    /// only before any byte was taken, since the hashes cannot go back.
    package var canRewind: Bool { consumed == 0 && pending.isEmpty }
}
