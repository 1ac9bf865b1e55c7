@testable import ChunkFerryEvents
@testable import ChunkFerrySupport
import Foundation
import Testing

/// What event sources send, read without a daemon: the webhook's body and token, Frigate's
/// messages (the fixtures keep their real shapes), and the clip's key.
@Suite struct EventMessageTests {
    static func fixture(_ name: String, start: Double = 1_796_637_930.25, end: Double = 1_796_637_945.5, severity: String = "alert") throws -> [UInt8] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/frigate")
        let text = try String(contentsOf: folder.appendingPathComponent("\(name).json"), encoding: .utf8)
            .replacing("__ID__", with: "1796637930.25-abc").replacing("__CAMERA__", with: "front_door")
            .replacing("__SEVERITY__", with: severity).replacing("__START__", with: String(start)).replacing("__END__", with: String(end))
        return Array(text.utf8)
    }

    @Test func frigateReviewsAndEventsAreRead() throws {
        let new = try FrigateMessage.parse(Self.fixture("review-new")).get()
        #expect(new.type == "new" && new.camera == "front_door" && new.label == "person" && new.start == 1_796_637_930_250 && new.end == nil)
        let end = try FrigateMessage.parse(Self.fixture("review-end")).get()
        #expect(end.type == "end" && end.end == 1_796_637_945_500 && end.label == "person+car")
        let detection = try FrigateMessage.parse(Self.fixture("review-new", severity: "detection")).get()
        #expect(!detection.passes(.alert) && detection.passes(.detection))
        let older = try FrigateMessage.parse(Self.fixture("event-new")).get()
        #expect(older.label == "person" && older.passes(.alert), "Frigate's older events count as alerts")
        #expect(throws: Never.self) { if case .success = FrigateMessage.parse(Array("{}".utf8)) { Issue.record("an empty object is not Frigate's") } }
    }

    @Test func webhookBodiesAreReadOrRefusedNamingTheField() throws {
        let update = try WebhookRequest.parse(Array(#"{"camera": "front", "label": "person", "id": 7, "start": "2026-12-07T10:05:30Z", "end": 1796637945.5}"#.utf8),
                                              now: 1_796_637_950_000)
        #expect(update == EventUpdate(id: "7", camera: "front", label: "person", start: 1_796_637_930_000, end: 1_796_637_945_500, source: .webhook))
        for (body, field) in [(#"{"camera": 3}"#, "'camera'"), (#"{"camera": "a", "end": true}"#, "'end'"), (#"[1]"#, "JSON object"), (#"{"camera": "a", "id": 1.5}"#, "'id'")] {
            #expect { _ = try WebhookRequest.parse(Array(body.utf8)) } throws: { error in
                (error as? WebhookRequest.Refusal).map { $0.status == 400 && $0.message.contains(field) } ?? false
            }
        }
    }

    @Test func theTokenMustMatchExactly() {
        let token = Secret("events-token-0123456789abcdef")
        #expect(WebhookRequest.authorizes("Bearer events-token-0123456789abcdef", token: token))
        #expect(WebhookRequest.authorizes("bearer events-token-0123456789abcdef", token: token))
        #expect(!WebhookRequest.authorizes("Bearer events-token-0123456789abcde", token: token))
        #expect(!WebhookRequest.authorizes("Basic events-token-0123456789abcdef", token: token))
        #expect(!WebhookRequest.authorizes(nil, token: token))
    }

    @Test func clipKeysFollowTheTemplate() throws {
        let event = CameraEvent(id: "a/b", camera: "front", label: "person car", start: 1_796_637_930_250, source: .webhook)
        let key = EventKeyTemplate.standard.render(event, timeZone: TimeZone(identifier: "UTC")!)
        #expect(key == "events/front/2026/12/07/100530-person_car.mp4")
        #expect(EventKeyTemplate.recordKey(clip: key) == "events/front/2026/12/07/100530-person_car.json")
        #expect(throws: SettingsError.self) { try EventKeyTemplate("events/{camera}.mp4") }
        #expect(throws: SettingsError.self) { try EventKeyTemplate("../{id}.mp4") }
    }
}
