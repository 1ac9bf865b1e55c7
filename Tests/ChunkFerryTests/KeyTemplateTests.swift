@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

@Suite struct KeyTemplateTests {
    // 2024-01-18T23:30:00Z: late evening in UTC, already the next day in Berlin.
    let lateEvening: Int64 = 1_705_620_600_000
    let utc = TimeZone(identifier: "UTC")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func render(_ template: String, _ path: String, stream: String = "ab12", firstSeen: Int64 = 0, in zone: TimeZone? = nil) throws -> String {
        try KeyTemplate(template).render(path: path, streamID: stream, firstSeen: firstSeen, timeZone: zone ?? utc)
    }

    @Test func defaultKeepsThePath() throws {
        #expect(try render("{path}", "front-door/20240118_120000.mp4") == "front-door/20240118_120000.mp4")
        #expect(try render("{path}", "a/b/%2E%2E/x%25.mp4") == "a/b/%2E%2E/x%25.mp4")
    }

    @Test func recorderLayout() throws {
        #expect(try render("{camera}/{yyyy}/{mm}/{dd}/{name}", "front-door/20240118_120000.mp4")
                == "front-door/2024/01/18/20240118_120000.mp4")
    }

    @Test func everyPlaceholder() throws {
        let all = KeyTemplate.placeholders.map { "\($0)={\($0)}" }.joined(separator: "/")
        let key = try render(all, "cam/sub/clip_2024-03-05_06-07-08.v1.mp4", stream: "f00d")
        #expect(key == "path=cam/sub/clip_2024-03-05_06-07-08.v1.mp4/dir=cam/sub/name=clip_2024-03-05_06-07-08.v1.mp4"
                + "/stem=clip_2024-03-05_06-07-08.v1/ext=mp4/camera=cam/yyyy=2024/mm=03/dd=05/HH=06/MM=07/SS=08/stream=f00d")
        #expect(Set(KeyTemplate.placeholders).count == 13)
    }

    @Test func emptyPlaceholdersLeaveNoStraySlashes() throws {
        // A top-level file has no dir or camera; a name without a dot has no extension.
        #expect(try render("{camera}/{dir}/{name}", "clip.mp4") == "clip.mp4")
        #expect(try render("{dir}/{stem}/{ext}", "a/b/README") == "a/b/README")
        #expect(try render("{camera}//x/{ext}", "clip") == "x")
        #expect(try render("{stem}.{ext}", ".hidden") == ".hidden.")
    }

    @Test(arguments: [
        ("20240118_120000", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("2024-01-18_12-00-00", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("2024-01-18T12:00:00", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("20240118120000", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("front_20240118-120000_x", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("cam1_2024.01.18_12.00.00", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("RecM01_20240118_120000_120500_6E2E", RecordingTime(year: 2024, month: 1, day: 18, hour: 12, minute: 0, second: 0)),
        ("2024-01-18 23:59:58.mp4", RecordingTime(year: 2024, month: 1, day: 18, hour: 23, minute: 59, second: 58)),
        ("2024-01-18", RecordingTime(year: 2024, month: 1, day: 18, hour: 0, minute: 0, second: 0)),
        ("x2024_02_29y", RecordingTime(year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0)),
        // Digits after a separator that do not make a whole time leave a date-only match.
        ("2024-01-18_12", RecordingTime(year: 2024, month: 1, day: 18, hour: 0, minute: 0, second: 0)),
        // Invalid candidates are skipped and scanning goes on.
        ("1999-2024-01-18", RecordingTime(year: 2024, month: 1, day: 18, hour: 0, minute: 0, second: 0)),
        ("a_20241318_b_20240119_080000", RecordingTime(year: 2024, month: 1, day: 19, hour: 8, minute: 0, second: 0)),
        ("2024-01-32_2024-02-01", RecordingTime(year: 2024, month: 2, day: 1, hour: 0, minute: 0, second: 0)),
        ("20240118_250000_20240119_010203", RecordingTime(year: 2024, month: 1, day: 19, hour: 1, minute: 2, second: 3)),
    ])
    func datesInNames(name: String, expected: RecordingTime) {
        #expect(RecordingTime.parse(name: name) == expected)
    }

    @Test(arguments: [
        "clip", "120240118", "202401181", "2024011812", "120240118_120000", "1969-12-31", "2100-01-01",
        "2024-13-01", "2023-02-29", "2024-0118", "2024-01_18", "20240118_250000", "20240118_126000",
    ])
    func notDates(name: String) {
        #expect(RecordingTime.parse(name: name) == nil)
    }

    @Test func nameDatesAreWallClockNotConverted() throws {
        #expect(try render("{dd} {HH}", "cam/20240118_233000.mp4", firstSeen: 0, in: berlin) == "18 23")
    }

    @Test func fallbackUsesTheTimeZone() throws {
        let template = "{yyyy}-{mm}-{dd} {HH}:{MM}:{SS}"
        #expect(try render(template, "cam/clip.mp4", firstSeen: lateEvening, in: berlin) == "2024-01-19 00:30:00")
        #expect(try render(template, "cam/clip.mp4", firstSeen: lateEvening, in: utc) == "2024-01-18 23:30:00")
        #expect(RecordingTime(unixMilliseconds: lateEvening + 999, timeZone: utc).second == 0)
        #expect(RecordingTime(unixMilliseconds: -1, timeZone: utc)
                == RecordingTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
    }

    @Test(arguments: [
        ("", "the default is {path}"),
        ("   ", "the default is {path}"),
        ("{foo}/{name}", "{foo}"),
        ("{camera}/{Name}", "{Name}"),
        ("{camera}/{yyyy", "{yyyy"),
        ("{camera}}/{name}", "stray }"),
        ("/{path}", "leading or trailing /"),
        ("{camera}/{name}/", "leading or trailing /"),
        ("../{path}", "'..'"),
        ("{camera}/../x/{name}", "'..'"),
        ("./{path}", "'.'"),
        ("{name}/{ext}..", "'{ext}..'"),
        ("{dir}/.{camera}/{name}", "'.{camera}'"),
        ("{camera}/{dir}", "can all be empty"),
        ("{ext}", "can all be empty"),
        ("x\n{name}", "control characters"),
    ])
    func refusals(template: String, offending: String) {
        let error = #expect(throws: SettingsError.self) { try KeyTemplate(template) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("KEY_TEMPLATE="), "got: \(message)")
        #expect(message.contains(offending), "got: \(message)")
        #expect(!message.contains("\n"))
        // Every refusal tells the user what is accepted.
        #expect(message.contains("{path} {dir} {name}"), "got: \(message)")
    }

    @Test(arguments: ["{path}", "{camera}/{yyyy}/{mm}/{dd}/{name}", "{dir}/{stem}.{stream}.{ext}", "archive/{camera}",
                      "{camera}/..{name}", "{name}/x.y", "{camera}/...", "{yyyy}/{dir}"])
    func accepted(template: String) throws {
        #expect(try KeyTemplate(template).text == template)
    }

    @Test func distinctKeysCarryTheStream() {
        #expect(KeyTemplate.distinct("a/b/x.mp4", streamID: "9f") == "a/b/x.9f.mp4")
        #expect(KeyTemplate.distinct("x.tar.gz", streamID: "9f") == "x.tar.9f.gz")
        #expect(KeyTemplate.distinct("a.b/x", streamID: "9f") == "a.b/x.9f")
        #expect(KeyTemplate.distinct("a/.hidden", streamID: "9f") == "a/.hidden.9f")
        #expect(KeyTemplate.distinct("x.mp4", streamID: "9f") != KeyTemplate.distinct("x.mp4", streamID: "a0"))
    }
}
