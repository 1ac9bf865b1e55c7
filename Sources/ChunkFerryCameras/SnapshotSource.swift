import ChunkFerryStorage
import Subprocess

/// Where a camera's still images come from: its HTTP snapshot URL (Reolink `cmd=Snap`, ONVIF
/// snapshot URIs; Basic or Digest authentication), else one frame of its RTSP stream.
struct SnapshotSource: Sendable {
    package let camera: CameraSettings
    package let http: CurlPool?

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// A JPEG, or why there is none (credentials scrubbed).
    package func take() async -> Result<[UInt8], Failure> {
        let bytes: [UInt8]
        if let url = camera.snapshotURL, let http {
            let credentials = url.decodedCredentials.map { HTTPRequest.Credentials(user: $0.user, password: $0.password) }
            do {
                let response = try await http.perform("GetSnapshot", resource: url.description, secrets: url.password.map { [$0] } ?? []) {
                    HTTPRequest(method: .get, url: url.withoutCredentials, headers: [], body: nil, credentials: credentials)
                }
                guard response.status == 200 else {
                    let hint = response.status == 401 || response.status == 403 ? " (check the user and password in snapshot_url)" : ""
                    return .failure(Failure(description: "snapshot_url answered HTTP \(response.status)\(hint)"))
                }
                bytes = response.body
            } catch {
                return .failure(Failure(description: url.scrub(error.message)))
            }
        } else {
            switch await frame() {
            case .success(let frame): bytes = frame
            case .failure(let failure): return .failure(failure)
            }
        }
        guard Self.isJPEG(bytes) else {
            return .failure(Failure(description: "the answer is not a JPEG (\(bytes.count) bytes; a login page?); not stored"))
        }
        return .success(bytes)
    }

    /// JPEG files start with the SOI marker and a segment marker.
    static func isJPEG(_ bytes: [UInt8]) -> Bool {
        bytes.count > 100 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    /// One decoded frame of the stream, as JPEG, from ffmpeg's stdout.
    private func frame() async -> Result<[UInt8], Failure> {
        let arguments = RecordingCommand.input(camera, logLevel: "error")
            + ["-frames:v", "1", "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", "pipe:1"]
        do {
            var options = PlatformOptions()
            options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
            let result = try await Subprocess.run(.name("ffmpeg"), arguments: Arguments(arguments), platformOptions: options,
                                                  output: .bytes(limit: 16 << 20), error: .string(limit: 8192))
            guard result.terminationStatus.isSuccess else {
                let reason = camera.rtspURL.scrub(result.standardError).split(separator: "\n").last.map(String.init) ?? "\(result.terminationStatus)"
                return .failure(Failure(description: "ffmpeg could not take a frame: \(reason)"))
            }
            return .success(result.standardOutput)
        } catch {
            return .failure(Failure(description: "cannot run ffmpeg: \(error)"))
        }
    }
}
