/// Percent-encoding of RFC 3986: every byte outside the unreserved `A–Z a–z 0–9 - . _ ~`
/// becomes `%XX` (upper-case hex) of its UTF-8 encoding, `/` kept only in paths. SigV4 and S3
/// require exactly this form, and any HTTP server takes it.
package enum URIEncoding {
    package static func encode(_ text: String, keepSlash: Bool) -> String {
        ByteEncoding.percentEncoded(text, keepSlash: keepSlash)
    }

    /// The path of an object key, each segment encoded and `/` kept as the separator.
    package static func encodePath(_ key: String) -> String {
        encode(key, keepSlash: true)
    }

    /// Decodes `%XX` sequences; with `plusIsSpace`, `+` is a space as in form-encoded text (S3
    /// listings with `encoding-type=url`, where a literal `+` arrives as `%2B`).
    package static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) || (plusIsSpace && text.utf8.contains(UInt8(ascii: "+"))) else { return text }
        return String(decoding: ByteEncoding.percentDecoded(text, plusIsSpace: plusIsSpace), as: UTF8.self)
    }
}
