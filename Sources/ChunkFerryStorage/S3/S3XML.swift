/// Reads the few flat elements S3 answers carry (errors, listings, upload ids).
///
/// S3 responses are machine-written, namespace-free in element names and never nest an
/// element inside one of the same name, so a scan for `<Name>…</Name>` is exact for them;
/// a general XML parser would bring libxml2 into the image for no gain.
package struct S3XML: Sendable {
    package let text: Substring

    package init(_ text: String) { self.text = Substring(text) }
    package init(_ bytes: [UInt8]) { self.init(String(decoding: bytes, as: UTF8.self)) }
    private init(slice: Substring) { text = slice }

    /// The decoded text of the first `<name>` element.
    package func value(_ name: String) -> String? {
        elements(name).first.map { Self.unescape(String($0.text)) }
    }

    package func values(_ name: String) -> [String] {
        elements(name).map { Self.unescape(String($0.text)) }
    }

    /// Every `<name>` element's inner content, in document order.
    package func elements(_ name: String) -> [S3XML] {
        let open = "<\(name)>"
        let openWithAttributes = "<\(name) "
        let close = "</\(name)>"
        var found: [S3XML] = []
        var rest = text[...]
        while let start = rest.firstRange(of: open) ?? rest.firstRange(of: openWithAttributes) {
            var contentStart = start.upperBound
            if rest[start].hasPrefix(openWithAttributes) {
                guard let end = rest[start.upperBound...].firstIndex(of: ">") else { break }
                contentStart = rest.index(after: end)
            }
            guard let end = rest[contentStart...].firstRange(of: close) else { break }
            found.append(S3XML(slice: rest[contentStart..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    package static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(1)) : nil
                if let number, let scalar = Unicode.Scalar(number) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "&\(entity);"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }

    package static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
