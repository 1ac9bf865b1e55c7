import ChunkFerrySupport

/// The header of an age v1 file (age-encryption.org/v1): the version line, recipient stanzas,
/// and the MAC line. Parsing is strict, as the spec asks: canonical unpadded base64, body lines
/// of exactly 64 columns but the last, LF only.
package struct AgeHeader: Sendable {
    struct Stanza: Sendable, Equatable {
        var type: String
        var arguments: [String]
        var body: [UInt8]
    }

    package static let versionLine = Array("age-encryption.org/v1\n".utf8)

    var stanzas: [Stanza]
    /// The header's bytes up to and including `---`: what the MAC covers.
    var macInput: [UInt8]
    var mac: [UInt8]
    /// Where the payload (its nonce) starts.
    var payloadOffset: Int

    /// The header at the start of `bytes`.
    static func parse(_ bytes: [UInt8]) throws(AgeError) -> AgeHeader {
        guard bytes.starts(with: versionLine) else {
            throw bytes.starts(with: Array("age-encryption.org/".utf8)) ? .unsupportedVersion : .header("it does not start with age-encryption.org/v1")
        }
        var position = versionLine.count
        func line() throws(AgeError) -> ArraySlice<UInt8> {
            guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw .header("a line does not end") }
            defer { position = end + 1 }
            return bytes[position..<end]
        }
        var stanzas: [Stanza] = []
        while true {
            let start = position
            let text = try line()
            if text.starts(with: Array("---".utf8)) {
                guard text.count > 4, text[text.startIndex + 3] == 0x20 else { throw .header("the MAC line is malformed") }
                guard let mac = Base64.decodeCanonical(text[(text.startIndex + 4)...]), mac.count == 32 else { throw .header("the MAC is not 32 bytes of canonical base64") }
                return AgeHeader(stanzas: stanzas, macInput: Array(bytes[..<(start + 3)]), mac: mac, payloadOffset: position)
            }
            guard text.starts(with: Array("-> ".utf8)) else { throw .header("a stanza does not start with ->") }
            let arguments = text.dropFirst(3).split(separator: 0x20, omittingEmptySubsequences: false)
            guard !arguments.isEmpty, arguments.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (0x21...0x7E).contains($0) } }) else {
                throw .header("a stanza's arguments are malformed")
            }
            var body: [UInt8] = []
            while true {
                let bodyLine = try line()
                guard bodyLine.count <= 64, let decoded = Base64.decodeCanonical(bodyLine) else { throw .header("a stanza's body is not canonical base64") }
                body += decoded
                if bodyLine.count < 64 { break }
            }
            stanzas.append(Stanza(type: String(decoding: arguments[0], as: UTF8.self),
                                  arguments: arguments.dropFirst().map { String(decoding: $0, as: UTF8.self) }, body: body))
        }
    }

    /// A header's bytes for `stanzas`, its MAC made with `fileKey`.
    static func encode(_ stanzas: [Stanza], fileKey: [UInt8]) -> [UInt8] {
        var out = versionLine
        for stanza in stanzas {
            out += Array((["->", stanza.type] + stanza.arguments).joined(separator: " ").utf8) + [0x0A]
            let body = Base64.encodeUnpadded(stanza.body)
            var index = body.startIndex
            repeat {
                let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
                out += body[index..<end] + [0x0A]
                index = end
                // A body whose last line is full ends with an empty line.
                if end == body.endIndex && (end - body.startIndex) % 64 == 0 && !body.isEmpty { out += [0x0A] }
            } while index < body.endIndex
        }
        out += Array("---".utf8)
        let mac = LibCrypto.hmacSHA256(key: macKey(fileKey), out)
        return out + Array(" ".utf8) + Base64.encodeUnpadded(mac) + [0x0A]
    }

    static func macKey(_ fileKey: [UInt8]) -> [UInt8] {
        LibCrypto.hkdfSHA256(key: fileKey, salt: [], info: "header", count: 32)
    }
}

/// Base64 as age writes it: the standard alphabet, no padding, canonical (unused bits zero).
/// Decoding is strict, unlike `ByteEncoding`'s, which the store's headers need lenient.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    static func encodeUnpadded(_ bytes: [UInt8]) -> [UInt8] {
        Array(ByteEncoding.base64(bytes).utf8.prefix { $0 != UInt8(ascii: "=") })
    }

    static func decodeCanonical(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var accumulator = 0, bits = 0
        for byte in text {
            let value = values[Int(byte)]
            guard value >= 0 else { return nil }
            accumulator = (accumulator << 6 | Int(value)) & 0x3FFF  // what is not yet out: fewer than 14 bits
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> bits) & 0xFF))
            }
        }
        // Leftover bits must be zero, or two encodings would give the same bytes.
        guard accumulator & ((1 << bits) - 1) == 0 else { return nil }
        return out
    }
}
