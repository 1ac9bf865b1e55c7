import Foundation

/// Listings from a server that indexes its folders as JSON, the way nginx does with
/// `autoindex on; autoindex_format json;`: `GET <url>/<folder>/` answers
/// `[{"name", "type": "file"|"directory", "mtime", "size"}]`. A server without such an index
/// (404, 405, HTML, anything else) lists nothing.
extension HTTPStore {
    package func listIndexed(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        let base = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        guard !base.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else { return [] }
        var found: [ObjectInfo] = []
        var pending = [base]
        while let folder = pending.popLast() {
            for entry in try await index(folder) {
                let key = folder + entry.name
                if entry.isDirectory {
                    if prefix.hasPrefix(key + "/") || (key + "/").hasPrefix(prefix) { pending.append(key + "/") }
                } else if key.hasPrefix(prefix) {
                    found.append(ObjectInfo(key: key, size: entry.size, etag: "", checksumSHA256: nil, lastModified: entry.modified))
                }
            }
        }
        return found.sorted { $0.key < $1.key }
    }

    private struct Entry {
        package var name: String
        package var isDirectory: Bool
        package var size: Int64
        /// RFC 3339, so that listings sort by time.
        package var modified: String
    }

    /// One folder's entries; none when the server shows no JSON index there.
    private func index(_ folder: String) async throws(StoreError) -> [Entry] {
        let response = try await send("ListObjects", .get, key: folder.isEmpty ? "" : folder, headers: [("Accept", "application/json")],
                                      accepted: [403, 404, 405, 501])
        guard response.status == 200,
              let items = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]] else { return [] }
        return items.compactMap { item in
            guard let name = item["name"] as? String, !name.isEmpty, !name.contains("/"), name != ".", name != "..",
                  let type = item["type"] as? String else { return nil }
            let size = (item["size"] as? NSNumber)?.int64Value ?? 0
            return Entry(name: name, isDirectory: type == "directory", size: size,
                         modified: (item["mtime"] as? String).flatMap(Self.rfc3339(httpDate:)) ?? "")
        }
    }

    /// `Sat, 05 Dec 2026 09:00:00 GMT` (what nginx's index and HTTP dates use) as RFC 3339.
    package static func rfc3339(httpDate: String) -> String? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = httpDate.split(separator: " ")
        guard parts.count >= 5, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]),
              parts[4].split(separator: ":").count == 3 else { return nil }
        let pad = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(pad(month + 1))-\(pad(day))T\(parts[4])Z"
    }
}
