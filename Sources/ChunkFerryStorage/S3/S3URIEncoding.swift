import ChunkFerrySupport

/// SigV4's canonical query string (the rest of its encoding is `URIEncoding`'s).
package enum S3URIEncoding {
    /// Names and values encoded, sorted by name then value.
    package static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters
            .map { (URIEncoding.encode($0.name, keepSlash: false), URIEncoding.encode($0.value, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}
