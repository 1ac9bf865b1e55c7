import ChunkFerryStorage
import ChunkFerrySupport

extension HTTPStoreSettings {
    /// Reads the server from the settings.
    ///
    /// Keys: `HTTP_UPLOAD_URL` (required with `STORAGE_BACKEND=http`; `http(s)://host[:port][/path]`,
    /// no credentials in it), `HTTP_AUTH_TOKEN` (sent as `Authorization: Bearer`, never logged),
    /// `HTTP_METHOD` (`PUT`, the default, or `POST`), `HTTP_CA_FILE` (PEM CA certificates to trust).
    package init(config: SettingsReader) throws(SettingsError) {
        let url = try config.required(.httpUploadURL, "set it to the URL objects are sent under, e.g. https://archive.example.com/upload")
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw SettingsError(.httpUploadURL, value: url, expected: "an http:// or https:// URL")
        }
        let authority = url.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        guard !authority.isEmpty else {
            throw SettingsError(.httpUploadURL, value: url, expected: "a URL with a host, e.g. https://archive.example.com/upload")
        }
        // The URL is logged and shown by `check`: a password in it would leak.
        guard !authority.contains("@") else {
            throw SettingsError(key: .httpUploadURL, message: "HTTP_UPLOAD_URL carries a user or password: remove it and put the server's token in HTTP_AUTH_TOKEN")
        }
        guard !url.contains("?"), !url.contains("#") else {
            throw SettingsError(.httpUploadURL, value: url, expected: "a URL without a query or fragment: object keys are appended to its path")
        }
        let methodText = config.string(.httpMethod) ?? "PUT"
        guard let method = Method(rawValue: methodText.uppercased()) else {
            throw SettingsError(.httpMethod, value: methodText, expected: "PUT or POST")
        }
        self.init(url: url, token: config.string(.httpAuthToken).map(Secret.init), method: method, caFile: config.string(.httpCAFile))
    }
}
