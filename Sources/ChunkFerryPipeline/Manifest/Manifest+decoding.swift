extension Manifest {
    /// Reads manifests written before `complete`, `path_base64` and `output` existed: they were
    /// complete, and held chunks only.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        streamID = try container.decode(String.self, forKey: .streamID)
        path = try container.decode(String.self, forKey: .path)
        pathBase64 = try container.decodeIfPresent(String.self, forKey: .pathBase64)
        complete = try container.decodeIfPresent(Bool.self, forKey: .complete) ?? true
        size = try container.decode(Int64.self, forKey: .size)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        crc32c = try container.decodeIfPresent(String.self, forKey: .crc32c)
        chunkSize = try container.decode(Int.self, forKey: .chunkSize)
        chunks = try container.decode([Chunk].self, forKey: .chunks)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        completedAt = try container.decode(String.self, forKey: .completedAt)
        host = try container.decode(String.self, forKey: .host)
        repairedChunks = try container.decodeIfPresent(Int.self, forKey: .repairedChunks) ?? 0
        output = try container.decodeIfPresent(String.self, forKey: .output) ?? OutputSettings.Mode.chunks.rawValue
        object = try container.decodeIfPresent(WholeObject.self, forKey: .object)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        previous = try container.decodeIfPresent(Link.self, forKey: .previous)
        mediaStart = try container.decodeIfPresent(String.self, forKey: .mediaStart)
        mediaEnd = try container.decodeIfPresent(String.self, forKey: .mediaEnd)
    }
}
