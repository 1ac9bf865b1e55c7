import ChunkFerrySupport

/// File names are bytes; Swift strings, S3 keys, Redis and JSON want valid, printable UTF-8.
/// Relative paths therefore travel as an escaped form that maps back to the exact bytes:
/// `%` becomes `%25`, control bytes and bytes that are not valid UTF-8 become `%XX`, and a
/// component that is exactly `.` or `..` is escaped whole, so no key can climb out of its prefix.
/// Ordinary names (spaces, accents, CJK) stay as they are.
package enum PathEscaping {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The escaped form of one file or directory name.
    package static func escape<Bytes: Collection<UInt8>>(name bytes: Bytes) -> String {
        let raw = Array(bytes)
        if raw == [0x2e] { return "%2E" }
        if raw == [0x2e, 0x2e] { return "%2E%2E" }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let length = validSequenceLength(raw, at: index)
            if length == 0 || raw[index] == UInt8(ascii: "%") || raw[index] < 0x20 || raw[index] == 0x7f {
                out += [UInt8(ascii: "%"), hexDigits[Int(raw[index] >> 4)], hexDigits[Int(raw[index] & 0x0f)]]
                index += 1
            } else {
                out += raw[index..<index + length]
                index += length
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The exact bytes an escaped path (or name) stands for.
    package static func unescape(_ escaped: String) -> [UInt8] {
        ByteEncoding.percentDecoded(escaped)
    }

    /// A NUL-terminated path for system calls: `root` as given, then the relative path's bytes.
    static func systemPath(root: String, relative: String) -> [CChar] {
        var bytes = Array(root.utf8)
        if !relative.isEmpty {
            if bytes.last != UInt8(ascii: "/") { bytes.append(UInt8(ascii: "/")) }
            bytes += unescape(relative)
        }
        return bytes.map { CChar(bitPattern: $0) } + [0]
    }

    /// The original name for people and manifests: exact when the bytes are valid UTF-8.
    package static func display(_ escaped: String) -> (text: String, isExact: Bool) {
        let bytes = unescape(escaped)
        var isValid = true
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length == 0 { isValid = false; break }
            index += length
        }
        return (String(decoding: bytes, as: UTF8.self), isValid)
    }

    /// Length of the valid UTF-8 sequence starting at `index`, or 0 if the byte starts none.
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let first = bytes[index]
        let length: Int
        switch first {
        case 0x00...0x7f: return 1
        case 0xc2...0xdf: length = 2
        case 0xe0...0xef: length = 3
        case 0xf0...0xf4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length where bytes[index + offset] & 0xc0 != 0x80 { return 0 }
        // Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8.
        let second = bytes[index + 1]
        if first == 0xe0 && second < 0xa0 { return 0 }
        if first == 0xed && second >= 0xa0 { return 0 }
        if first == 0xf0 && second < 0x90 { return 0 }
        if first == 0xf4 && second >= 0x90 { return 0 }
        return length
    }
}
