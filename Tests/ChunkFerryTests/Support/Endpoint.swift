import Foundation

/// The daemon's HTTP endpoint as a client sees it: pages fetched by Python's urllib, metrics
/// parsed by the Prometheus project's own text-format parser (`prometheus_client`), not by
/// string matching.
struct Endpoint: Sendable {
    let port: Int

    struct Page: Sendable {
        var status: Int
        var body: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    /// `GET` (or `HEAD`) of `path`; nil when nothing answers.
    func fetch(_ path: String, method: String = "GET") throws -> Page? {
        try request(path, method: method)
    }

    /// `POST` of `body` to `path` with `headers`, as a webhook caller would; nil when nothing answers.
    func post(_ path: String, body: String, headers: [String: String] = [:]) throws -> Page? {
        try request(path, method: "POST", body: body, headers: headers)
    }

    private func request(_ path: String, method: String, body: String? = nil, headers: [String: String] = [:]) throws -> Page? {
        let script = """
        import json, sys, urllib.request, urllib.error
        data = sys.argv[3].encode() if sys.argv[4] == "1" else None
        request = urllib.request.Request(sys.argv[1], data=data, method=sys.argv[2], headers=json.loads(sys.argv[5]))
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError:
            sys.exit(3)
        print(json.dumps({"status": status, "body": body.decode()}))
        """
        let headerJSON = String(decoding: try JSONSerialization.data(withJSONObject: headers), as: UTF8.self)
        guard let output = try Self.python(script, ["http://127.0.0.1:\(port)\(path)", method, body ?? "", body == nil ? "0" : "1", headerJSON]),
              let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else { return nil }
        return Page(status: object["status"] as? Int ?? 0, body: object["body"] as? String ?? "")
    }

    /// Every sample of `/metrics`, keyed `name{label="value",...}` (labels sorted), parsed by
    /// prometheus_client; throws if the page does not parse.
    func metrics() throws -> [String: Double] {
        let script = """
        import json, sys, urllib.request
        from prometheus_client.parser import text_string_to_metric_families
        text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                samples[sample.name + ("{" + labels + "}" if labels else "")] = sample.value
        print(json.dumps(samples))
        """
        guard let output = try Self.python(script, ["http://127.0.0.1:\(port)/metrics"]),
              let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Double] else {
            throw HarnessError("/metrics did not answer or did not parse")
        }
        return object
    }

    /// Waits until `path` answers `status`.
    func waitFor(_ path: String, status: Int, timeout: Duration = .seconds(60)) async throws -> Page {
        let deadline = ContinuousClock.now + timeout
        var last: Page?
        while ContinuousClock.now < deadline {
            last = try fetch(path)
            if let last, last.status == status { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw HarnessError("\(path) did not answer \(status); last: \(last.map { "\($0.status) \($0.body)" } ?? "no answer")")
    }

    private static func python(_ script: String, _ arguments: [String]) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 { return nil }
        guard process.terminationStatus == 0 else { throw HarnessError("python3 failed: \(problems)") }
        return String(decoding: data, as: UTF8.self)
    }
}
