import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// An age file's bytes made as they are read: the plaintext (a file range, or a buffer) is read
/// 64 KiB at a time and sealed into STREAM chunks, so no chunk is ever held in memory whole.
///
/// The plaintext is checked against the checksum the pipeline hashed before the send: bytes
/// that changed since fail the read before the last sealed chunk leaves, so the store never
/// holds an object other than the one recorded. Each attempt uses a new reader and a new
/// sealer (a fresh file key): a file key never seals two plaintexts.
///
/// `@unchecked`: used by one request on one thread, like the `ChecksummedBody` that holds it.
package final class SealingReader: @unchecked Sendable {
    package enum Source: Sendable {
        case file(FileRange)
        case bytes([UInt8])
    }

    let source: Source
    let sealer: AgeSealer
    /// What the plaintext must hash to; nil to take it as it is.
    let expected: ChunkChecksum?
    let plaintextLength: Int
    /// The age file's size.
    package let length: Int
    package private(set) var changed: Int64 = 0

    private var descriptor: Int32 = -1
    private var plainBuffer = [UInt8](repeating: 0, count: AgeFile.chunkSize)
    /// Sealed bytes not yet handed out: the prefix first, then each chunk sealed in place.
    private var pending: [UInt8]
    private var pendingCount: Int
    private var pendingStart = 0
    private var plainRead = 0
    private var counter: UInt64 = 0
    private var sealedLast = false
    private var crc = CRC32C()
    private var sha: DigestBox?
    /// Each plaintext chunk's CRC32C, as read (when `recordsChunks`: the header form's two passes).
    package private(set) var chunkCRCs: [UInt32] = []
    let recordsChunks: Bool
    /// What an earlier pass with the same sealer read (see `EncryptedStore`'s header form): a
    /// chunk whose plaintext differs is never sealed.
    let mustRead: [UInt32]?

    package init(_ source: Source, sealer: AgeSealer, expected: ChunkChecksum?, recordsChunks: Bool = false, mustRead: [UInt32]? = nil) {
        self.source = source
        self.sealer = sealer
        self.expected = expected
        self.recordsChunks = recordsChunks || mustRead != nil
        self.mustRead = mustRead
        plaintextLength = switch source {
        case .file(let range): range.length
        case .bytes(let bytes): bytes.count
        }
        length = Int(sealer.fileSize(plaintext: Int64(plaintextLength)))
        pending = sealer.prefix
        pendingCount = pending.count
        if case .sha256? = expected { sha = DigestBox(Digest(.sha256)) }
    }

    package func open() throws(FileReadError) {
        guard case .file(let range) = source else { return }
        let opened = try range.open()
        descriptor = opened.descriptor
        changed = opened.changed
    }

    package func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Fills `buffer` whole with the file's next bytes (the caller asks for no more than are left).
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileReadError) {
        var filled = 0
        while filled < buffer.count {
            if pendingStart == pendingCount {
                guard !sealedLast else { throw .truncated(available: plaintextLength) }
                try sealNext()
                continue
            }
            let count = min(pendingCount - pendingStart, buffer.count - filled)
            pending.withUnsafeBytes {
                buffer.baseAddress!.advanced(by: filled).copyMemory(from: $0.baseAddress!.advanced(by: pendingStart), byteCount: count)
            }
            pendingStart += count
            filled += count
        }
    }

    /// Reads the next plaintext chunk and seals it; the last one only if the plaintext is the one hashed.
    private func sealNext() throws(FileReadError) {
        let count = min(AgeFile.chunkSize, plaintextLength - plainRead)
        let read = plainBuffer.withUnsafeMutableBytes { buffer -> Result<UInt32, FileReadError> in
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            switch source {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[plainRead..<(plainRead + count)])) }
            case .file(let range):
                var got = 0
                while got < count {
                    do throws(FileReadError) {
                        let read = try FileRange.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: piece[got...]),
                                                      at: range.offset + Int64(plainRead + got))
                        guard read > 0 else { return .failure(.truncated(available: plainRead + got)) }
                        got += read
                    } catch {
                        return .failure(error)
                    }
                }
            }
            let bytes = UnsafeRawBufferPointer(piece)
            if let sha { sha.update(bytes) } else { crc.update(bytes) }
            guard recordsChunks else { return .success(0) }
            var chunkCRC = CRC32C()
            chunkCRC.update(bytes)
            return .success(chunkCRC.value)
        }
        let chunkCRC = try read.get()
        if recordsChunks { chunkCRCs.append(chunkCRC) }
        if let mustRead, mustRead.count < chunkCRCs.count || mustRead[chunkCRCs.count - 1] != chunkCRC { throw .changed }
        plainRead += count
        let last = plainRead == plaintextLength
        if last, let expected {
            let read: ChunkChecksum = if let sha { .sha256(sha.copy().finalize()) } else { .crc32c(crc.value) }
            guard read == expected else { throw .changed }
        }
        if pending.count < AgeFile.chunkSize + 16 { pending = [UInt8](repeating: 0, count: AgeFile.chunkSize + 16) }
        plainBuffer.withUnsafeBytes { plain in
            pending.withUnsafeMutableBytes { out in
                sealer.seal(UnsafeRawBufferPointer(rebasing: plain[0..<count]), counter: counter, last: last,
                            into: UnsafeMutableRawBufferPointer(rebasing: out[0..<(count + 16)]))
            }
        }
        pendingCount = count + 16
        pendingStart = 0
        counter += 1
        sealedLast = last
    }
}
