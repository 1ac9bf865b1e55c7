@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The folder store against a real folder: what lands on disk, under which names, with which
/// checksum, and what it refuses.
@Suite struct FolderStoreTests {
    /// A file of random bytes and a range of it the store can read.
    func source(_ count: Int) throws -> (bytes: [UInt8], path: String) {
        let path = Scratch.directory("folder-source") + "/source.mp4"
        let bytes = FileWriter.randomBytes(count)
        try FileWriter.write(path, bytes)
        return (bytes, path)
    }

    func range(_ path: String, offset: Int64, length: Int) throws -> FileRange {
        let status = try FileStatus.of(path).get()
        return FileRange(path: Array(path.utf8CString), offset: offset, length: length, device: status.device, inode: status.inode)
    }

    func files(under root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
    }

    @Test(arguments: [false, true])
    func chunksLandWholeUnderTheirKeyWithTheirChecksum(sidecars: Bool) async throws {
        let root = Scratch.directory("folder-store")
        let store = FolderStore(settings: FolderSettings(path: root), sidecars: sidecars)
        let (bytes, path) = try source(6 * 1024 * 1024 + 123)
        let expected = Array(bytes[1_048_576..<(1_048_576 + 5 * 1024 * 1024)])
        let key = "cam/front.mp4/0123456789abcdef0123/chunk-00000001"

        let body = ChecksummedBody(.file(try range(path, offset: 1_048_576, length: expected.count)))
        let put = try await store.put(key: key, streaming: body, attributes: ObjectAttributes())
        #expect(body.checksum == ChunkChecksum.crc32c(CRC32C.of(expected).value))
        #expect(put.checksum == body.checksum?.header.value)
        #expect(Digest.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(key)")))) == Digest.sha256(expected))

        let head = try #require(try await store.head(key: key))
        #expect(head.size == Int64(expected.count))
        #expect(head.checksumCRC32C == body.checksum?.header.value, "recovery trusts this checksum")
        #expect(try await store.list(prefix: "cam/").map(\.key) == [key])
        #expect(try await store.get(key: key, range: 10..<20) == Array(expected[10..<20]))
        let leftovers = files(under: root).filter { $0.contains(".cf-tmp-") }
        #expect(leftovers.isEmpty, "no temporary file stays behind: \(leftovers)")
        #expect(files(under: root).contains { $0.hasSuffix(".cf-meta.chunk-00000001") } == sidecars)

        // Bytes that do not match the caller's checksum never reach the key.
        let wrong = "cam/front.mp4/0123456789abcdef0123/chunk-00000002"
        await #expect(throws: StoreError.self) {
            _ = try await store.put(key: wrong, file: try range(path, offset: 0, length: 1000), checksum: .crc32c(1), md5: nil,
                                    attributes: ObjectAttributes())
        }
        #expect(try await store.head(key: wrong) == nil)

        // Another file put at the name by hand is not vouched for by the old checksum.
        try FileWriter.write("\(root)/\(key).new", [1, 2, 3])
        try FileManager.default.removeItem(atPath: "\(root)/\(key)")
        try FileManager.default.moveItem(atPath: "\(root)/\(key).new", toPath: "\(root)/\(key)")
        #expect(try await store.head(key: key)?.checksumCRC32C == nil)
    }

    @Test func keysThatWouldLeaveTheFolderAreRefusedAndNothingIsWrittenOutside() async throws {
        let root = Scratch.directory("folder-jail")
        let outside = Scratch.directory("folder-outside")
        let store = FolderStore(settings: FolderSettings(path: root))
        try FileManager.default.createSymbolicLink(atPath: "\(root)/link", withDestinationPath: outside)
        for key in ["../escape", "a/../../escape", "/etc/escape", "a//b", "link/escape", "./x"] {
            let error = await #expect(throws: StoreError.self, "\(key)") {
                _ = try await store.put(key: key, bytes: [1], attributes: ObjectAttributes())
            }
            #expect(error?.code == "InvalidKey", "\(key): \(String(describing: error))")
        }
        #expect(files(under: outside).isEmpty)
        #expect(files(under: root) == ["link"])
    }

    @Test func wholeObjectsAreAssembledByTheFilesystemInPartOrder() async throws {
        let root = Scratch.directory("folder-assembly")
        let store = FolderStore(settings: FolderSettings(path: root))
        let parts = [FileWriter.randomBytes(5 * 1024 * 1024), FileWriter.randomBytes(5 * 1024 * 1024), FileWriter.randomBytes(777)]
        for (index, part) in parts.enumerated() {
            _ = try await store.put(key: "s/chunk-\(index)", bytes: part, attributes: ObjectAttributes())
        }
        let attributes = ObjectAttributes(contentType: "video/mp4", metadata: ["chunkferry-stream": "abc"])
        let assembly = try await store.beginAssembly(key: "cam/2024/clip.mp4", attributes: attributes)
        var offset: Int64 = 0
        for (index, part) in parts.enumerated() {
            _ = try await store.addPart(key: "cam/2024/clip.mp4", assembly: assembly, number: index + 1, source: "s/chunk-\(index)", offset: offset)
            if index == 1 {  // a part sent again lands where it belongs
                _ = try await store.addPart(key: "cam/2024/clip.mp4", assembly: assembly, number: 2, source: "s/chunk-1", offset: offset)
            }
            offset += Int64(part.count)
        }
        #expect(try await store.head(key: "cam/2024/clip.mp4") == nil, "nothing under the real name before completion")
        try await store.completeAssembly(key: "cam/2024/clip.mp4", assembly: assembly, parts: [])
        #expect(try await store.get(key: "cam/2024/clip.mp4") == parts.flatMap { $0 })
        let head = try #require(try await store.head(key: "cam/2024/clip.mp4"))
        #expect(head.metadata["chunkferry-stream"] == "abc")

        try await store.copy(key: "cam/one.mp4", source: "s/chunk-2", attributes: attributes)
        #expect(try await store.get(key: "cam/one.mp4") == parts[2])
        let dropped = try await store.beginAssembly(key: "cam/dropped.mp4", attributes: attributes)
        try await store.abortAssembly(key: "cam/dropped.mp4", assembly: dropped)
        #expect(!files(under: root).contains { $0.contains(".cf-tmp-") })
    }

    @Test func aMissingFolderIsNamedWithItsSetting() async throws {
        let store = FolderStore(settings: FolderSettings(path: Scratch.directory("folder-gone") + "/not-mounted"))
        let error = await #expect(throws: StoreError.self) { _ = try await store.prepare(create: false) }
        #expect(error?.code == "FolderMissing")
        #expect(error?.isRetryable == true, "a share that is not mounted yet may come")
        #expect(error?.description.contains("LOCAL_STORAGE_PATH") == true, "\(String(describing: error))")
    }

    /// The marker that tells the store from an unmounted share's empty mount point: written at
    /// first use; after that (or for a deployment from before the marker whose checkpoints hold
    /// streams) a folder without it is an outage, and every operation says so.
    @Test func theMarkerTellsAStoreFromAnEmptyMountPoint() async throws {
        let fresh = FolderStore(settings: FolderSettings(path: Scratch.directory("marker-fresh")))
        let id = try #require(try await fresh.prepareMarker(remembered: false), "the first use writes the marker")
        #expect(try await fresh.prepareMarker(remembered: true) == id, "found again")

        let upgraded = Scratch.directory("marker-upgrade")
        try FileManager.default.createDirectory(atPath: "\(upgraded)/cam", withIntermediateDirectories: true)
        #expect(try await FolderStore(settings: FolderSettings(path: upgraded)).prepareMarker(remembered: false, used: true) != nil,
                "a store in use before the marker existed, mounted: it gets its marker")

        let empty = FolderStore(settings: FolderSettings(path: Scratch.directory("marker-unmounted")))
        #expect(try await empty.prepareMarker(remembered: false, used: true) == nil, "checkpoints hold streams, the folder is empty")
        await #expect(throws: StoreError.self) { _ = try await empty.list(prefix: "") }
        do {
            _ = try await empty.put(key: "cam/x", bytes: [1, 2, 3], attributes: ObjectAttributes(contentType: "video/mp4"))
            Issue.record("a write onto the bare mount point")
        } catch {
            #expect(error.code == "StoreNotMounted" && error.isRetryable)
            #expect(error.description.contains("LOCAL_STORAGE_PATH has no .chunkferry-store: is the share mounted?"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.root).isEmpty)
    }
}
