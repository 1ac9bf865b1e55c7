import Foundation

/// One HTTP request as a client makes it (Python's urllib, not our code): status, headers and
/// body, the body saved to a file when asked (video), else kept as text.
enum HTTPFetch {
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var bytes: Int
        /// The time to the first byte of the body, in seconds.
        var firstByte: Double

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    static func get(_ url: String, headers: [String: String] = [:], saveTo path: String? = nil) async throws -> Reply {
        let script = """
        import json, sys, time, urllib.request, urllib.error
        request = urllib.request.Request(sys.argv[1], headers=json.loads(sys.argv[2]))
        started = time.monotonic()
        first = None
        out = open(sys.argv[3], "wb") if sys.argv[3] else None
        kept = b""
        count = 0
        try:
            response = urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        status, head = response.status if hasattr(response, "status") else response.code, dict(response.headers)
        while True:
            piece = response.read(1 << 16)
            if not piece:
                break
            if first is None:
                first = time.monotonic() - started
            count += len(piece)
            if out:
                out.write(piece)
            elif len(kept) < 1 << 20:
                kept += piece
        print(json.dumps({"status": status, "headers": head, "body": kept.decode("utf-8", "replace"), "bytes": count, "first": first or 0}))
        """
        let headerJSON = String(decoding: try JSONSerialization.data(withJSONObject: headers), as: UTF8.self)
        let process = ManagedProcess(name: "fetch", executable: "/usr/bin/env", arguments: ["python3", "-c", script, url, headerJSON, path ?? ""],
                                     logPath: Scratch.directory("fetch") + "/" + Scratch.uniqueName("fetch") + ".log")
        try process.start()
        _ = await process.waitForExit(timeout: .seconds(120))
        let output = process.log().split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw HarnessError("no answer from \(url): \(process.log().suffix(2000))")
        }
        return Reply(status: object["status"] as? Int ?? 0, headers: object["headers"] as? [String: String] ?? [:],
                     body: object["body"] as? String ?? "", bytes: object["bytes"] as? Int ?? 0, firstByte: object["first"] as? Double ?? 0)
    }
}
