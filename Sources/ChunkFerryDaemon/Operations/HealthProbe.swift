import ChunkFerryStorage
import Foundation

/// `chunkferry health`: asks a running daemon's `/health`, for Docker's HEALTHCHECK (the image
/// has no curl). Healthy and degraded pass; unhealthy, no answer or an odd answer fail.
package enum HealthProbe {
    package struct Verdict: Sendable {
        package let passed: Bool
        /// One line: the status and its reasons, or why there is no answer.
        package let line: String
    }

    package static func ask(_ baseURL: String) async -> Verdict {
        let url = baseURL + "/health"
        let http = CurlPool(name: "health", connections: 1, options: .init(
            connectTimeoutMilliseconds: 2_000, stallTimeoutSeconds: 5, requestTimeoutMilliseconds: 5_000))
        let response: HTTPResponse
        do {
            response = try await http.perform("GetHealth", resource: url, secrets: []) {
                HTTPRequest(method: .get, url: url, headers: [], body: nil)
            }
        } catch {
            return Verdict(passed: false, line: "no answer from \(url): \(error.message) (is the daemon running, with this HTTP_PORT and HTTP_BIND?)")
        }
        struct Answer: Decodable {
            var status: String
            var reasons: [String]
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)) else {
            return Verdict(passed: false, line: "\(url) answered HTTP \(response.status) without a health report (another program on HTTP_PORT?)")
        }
        let line = ([answer.status] + answer.reasons).joined(separator: "; ")
        return Verdict(passed: response.status == 200 && answer.status != "unhealthy", line: line)
    }
}
