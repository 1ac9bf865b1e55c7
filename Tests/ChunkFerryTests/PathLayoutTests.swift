@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// PATH_LAYOUT: the camera and start time where recorders put them.
@Suite struct PathLayoutTests {
    let utc = TimeZone(identifier: "UTC")!
    var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        return calendar
    }

    @Test func frigatesTreeGivesCameraAndTime() throws {
        let layout = try PathLayout("frigate")
        let match = try #require(layout.match("2026-12-07/10/front_door/05.30.mp4"))
        #expect(match.camera == "front_door")
        #expect(match.start(in: utcCalendar) == Int64(Date(timeIntervalSince1970: 1_796_637_930).timeIntervalSince1970 * 1000))
        #expect(layout.match("front_door/20261207_100530.mp4") == nil, "a path of another shape does not fit")
    }

    @Test func blueIrisNamesGiveCameraAndTime() throws {
        let layout = try PathLayout("{camera}.{yyyy}{mm}{dd}_{HH}{MM}{SS}")
        let match = try #require(layout.match("Driveway.20261207_100530.mp4"))
        #expect(match.camera == "Driveway")
        let nested = try PathLayout("{*}/{camera}.{yyyy}{mm}{dd}_{HH}{MM}{SS}")
        #expect(nested.match("New/Driveway.20261207_100530.mp4")?.camera == "Driveway")
    }

    @Test func withoutALayoutTheFirstFolderAndTheNameSay() {
        let said = PathLayout.read("front/20261207_100530.mp4", layout: nil)
        #expect(said.camera == "front")
        #expect(said.start(in: utcCalendar) != nil)
        #expect(PathLayout.read("loose.mp4", layout: nil).camera == nil)
    }

    @Test(arguments: [
        ("{camera}/{yyyy", "not closed"),
        ("{camera}/{hour}", "{hour} is not a placeholder"),
        ("recordings/", "neither {camera} nor {yyyy}"),
    ])
    func badLayoutsAreRefusedNamingTheProblem(text: String, says: String) {
        #expect {
            _ = try PathLayout(text)
        } throws: { error in
            "\(error)".contains("PATH_LAYOUT") && "\(error)".contains(says)
        }
    }

    @Test func keyTemplateUsesTheLayoutsCameraAndTime() throws {
        let template = try KeyTemplate("{camera}/{yyyy}-{mm}-{dd}/{HH}{MM}{SS}.mp4")
        let key = template.render(path: "2026-12-07/10/front_door/05.30.mp4", streamID: "s", firstSeen: 0, timeZone: utc,
                                  layout: try PathLayout("frigate"))
        #expect(key == "front_door/2026-12-07/100530.mp4")
    }
}
