import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real RTSP camera: GStreamer's RTSP server on a free loopback port, serving a live H.264 test
/// pattern (25 fps, a keyframe each second) at `/cam` behind basic authentication, through one
/// shared pipeline however many clients watch. It runs under the system Python, the only one here
/// that can import `gi`. Stop and start again (a rebooting camera), freeze and thaw (a hung one).
final class RTSPServer: Sendable {
    let port: Int
    let user: String
    let password: String
    private let process: ManagedProcess

    static let script = #"""
import sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer
port, user, password, kbps, width, height, pattern = sys.argv[1:8]
Gst.init(None)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f"( videotestsrc is-live=true pattern={pattern} ! video/x-raw,width={width},height={height},framerate=25/1"
    f" ! x264enc tune=zerolatency speed-preset=ultrafast bitrate={kbps} key-int-max=25"
    " ! rtph264pay name=pay0 pt=96 config-interval=1 )")
factory.set_shared(True)
permissions = GstRtspServer.RTSPPermissions()
for action in ("media.factory.access", "media.factory.construct"):
    permissions.add_permission_for_role("user", action, True)
factory.set_permissions(permissions)
token = GstRtspServer.RTSPToken()
token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
auth = GstRtspServer.RTSPAuth()
auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
server.set_auth(auth)
server.get_mount_points().add_factory("/cam", factory)
if server.attach(None) == 0: sys.exit("cannot listen on port " + port)
print("rtsp server on port", port, flush=True)
GLib.MainLoop().run()
"""#

    /// `pattern` is videotestsrc's: "snow" (noise) really carries `bitrateKbps`, where "ball"
    /// compresses to about 150 kbit/s whatever is asked. 1920x1080 snow at 8000 kbit/s keeps up
    /// in real time on two cores (about 0.7 of one core).
    init(user: String = "viewer", password: String = "cam-pass-93f1", bitrateKbps: Int = 2000,
         width: Int = 320, height: Int = 180, pattern: String = "snow") async throws {
        port = FreePort.next()
        self.user = user
        self.password = password
        let directory = Scratch.directory("rtsp-server")
        let scriptPath = "\(directory)/rtsp-server.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process = ManagedProcess(
            name: "rtsp-server", executable: "/usr/bin/python3",
            arguments: [scriptPath, String(port), user, password, String(bitrateKbps), String(width), String(height), pattern],
            logPath: "\(directory)/rtsp-server.log")
        try await start()
    }

    /// `rtsp://user:password@127.0.0.1:PORT/cam`, credentials percent-encoded.
    func url(path: String = "cam", withCredentials: Bool = true) -> String {
        let encodedUser = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user
        let encodedPassword = password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? password
        return "rtsp://\(withCredentials ? "\(encodedUser):\(encodedPassword)@" : "")127.0.0.1:\(port)/\(path)"
    }

    /// Starts the server (again, on the same port) and returns once it accepts connections. A
    /// connect, not a bind test: after a stop, TIME_WAIT sockets keep the port unbindable to
    /// others while the server itself (SO_REUSEADDR) can listen.
    func start() async throws {
        try process.start()
        let deadline = ContinuousClock.now + .seconds(30)  // a readiness wait on a loaded runner
        while !FreePort.acceptsConnections(port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw HarnessError("RTSP server on port \(port) did not start within 30 s:\n\(process.log().suffix(4000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Ends the server at once, as a camera losing power; clients see the connection close.
    /// (GStreamer ignores SIGTERM while a client is connected.)
    func stop() {
        process.kill9()
    }

    /// SIGSTOP: connections stay open and no data comes, as from a hung camera.
    func freeze() { process.freeze() }
    func thaw() { process.thaw() }

    var log: String { process.log() }
}
