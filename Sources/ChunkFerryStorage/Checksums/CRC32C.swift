import CIsal

/// CRC32C (Castagnoli), as S3 checks it in `x-amz-checksum-crc32c`: computed by ISA-L with the
/// CPU's CRC instructions (SSE4.2 on x86, the CRC extension on ARM), about 20× cheaper per byte
/// than SHA-256. The only place libisal is called.
package struct CRC32C: Sendable, Equatable {
    package private(set) var value: UInt32 = 0

    package init() {}

    package init(value: UInt32) { self.value = value }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = cf_crc32c_update(value, base, bytes.count)
    }

    package static func of(_ bytes: [UInt8]) -> CRC32C {
        var crc = CRC32C()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc
    }

    /// Big-endian bytes, as S3 encodes the checksum before Base64.
    package var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    package init?(bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
