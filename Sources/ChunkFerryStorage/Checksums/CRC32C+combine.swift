/// The CRC32C of two byte runs joined, from the CRC32C of each and the second's length, without
/// the bytes: so a whole file's CRC32C comes from its chunks' (`FILE_DIGEST=crc32c`) with no
/// second pass. ISA-L has no combine. The arithmetic is zlib's (`crc32_combine`): appending
/// `length` bytes multiplies the first CRC by x^(8·length) modulo the polynomial, in the
/// reflected bit order CRC32C uses.
extension CRC32C {
    /// CRC32C's polynomial, reflected.
    private static let polynomial: UInt32 = 0x82F6_3B78

    /// x^(2^k) modulo the polynomial, for k in 0..<32 (x^1 is bit 30 when reflected).
    private static let powers: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 32)
        var power: UInt32 = 1 << 30
        for index in 0..<32 {
            table[index] = power
            power = multiply(power, power)
        }
        return table
    }()

    /// a·b modulo the polynomial (reflected: bit 31 is x^0).
    private static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var (a, b) = (a, b)
        var product: UInt32 = 0
        var mask: UInt32 = 1 << 31
        while a != 0 {
            if a & mask != 0 {
                product ^= b
                a ^= mask
            }
            mask >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// x^(8·bytes) modulo the polynomial.
    private static func shift(bytes: Int64) -> UInt32 {
        var power: UInt32 = 1 << 31  // x^0
        var remaining = UInt64(bytes)
        var bit = 3  // 8·bytes = bytes·2^3
        while remaining != 0 {
            if remaining & 1 != 0 { power = multiply(powers[bit & 31], power) }
            remaining >>= 1
            bit += 1
        }
        return power
    }

    /// This CRC followed by `next`, a CRC of `length` bytes.
    package func appending(_ next: CRC32C, length: Int64) -> CRC32C {
        guard length > 0 else { return self }
        return CRC32C(value: Self.multiply(Self.shift(bytes: length), value) ^ next.value)
    }

    /// The CRC of runs joined in order, from each run's CRC and length.
    package static func combined(_ runs: [(crc: CRC32C, length: Int64)]) -> CRC32C {
        runs.reduce(CRC32C()) { $0.appending($1.crc, length: $1.length) }
    }
}
