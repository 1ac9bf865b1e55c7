import ChunkFerrySupport

/// Percent-encoding as SigV4 and S3 define it: every byte outside `A–Z a–z 0–9 - . _ ~`
/// becomes `%XX` (upper-case hex) of its UTF-8 encoding; `/` is kept only in paths.
package enum S3URIEncoding {
    package static func encode(_ text: String, keepSlash: Bool) -> String {
        ByteEncoding.percentEncoded(text, keepSlash: keepSlash)
    }

    /// The path of an object key, each segment encoded and `/` kept as the separator.
    package static func encodePath(_ key: String) -> String {
        encode(key, keepSlash: true)
    }

    /// Canonical query string: names and values encoded, sorted by name then value.
    package static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters
            .map { (encode($0.name, keepSlash: false), encode($0.value, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Decodes `%XX` sequences; with `plusIsSpace`, `+` is a space as in S3 listings with
    /// `encoding-type=url`, which form-encode keys (a literal `+` arrives as `%2B`).
    package static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) || (plusIsSpace && text.utf8.contains(UInt8(ascii: "+"))) else { return text }
        return String(decoding: ByteEncoding.percentDecoded(text, plusIsSpace: plusIsSpace), as: UTF8.self)
    }
}
