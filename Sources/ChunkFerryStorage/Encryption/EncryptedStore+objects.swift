import ChunkFerrySupport

/// Sealing on the way in, and the plaintext's view on the way out.
extension EncryptedStore {
    /// `source` sealed to the recipients (and the box, for what it reads back) and stored. With a
    /// store that hashes as it takes bytes (S3's trailing CRC32C, a folder) one pass seals and
    /// sends. Otherwise the age file is made twice with the same sealer: once to checksum it,
    /// once to send it; the second pass seals a chunk only if its plaintext reads as in the first.
    func seal(key: String, _ source: SealingReader.Source, checksum: ChunkChecksum, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        let length = switch source {
        case .file(let range): Int64(range.length)
        case .bytes(let bytes): Int64(bytes.count)
        }
        var attributes = sealed(attributes, checksum: checksum)
        attributes.metadata[Self.sizeMetadata] = String(length)
        if inner.streamsChecksums {
            let reader = SealingReader(source, sealer: sealer(for: attributes), expected: checksum)
            do throws(StoreError) {
                return try await inner.put(key: key, streaming: ChecksummedBody(.sealed(reader)), attributes: attributes)
            } catch where error.code == "TrailerNotAccepted" {
                _ = inner.stopStreamingChecksums()  // and on in the header form, with a new sealer
            }
        }
        let sealer = sealer(for: attributes)
        let kind = inner.checksumKind
        let md5 = inner.sendsMD5
        let first: Result<(ChunkChecksum, [UInt8]?, [UInt32]), FileReadError>
        do {
            first = try await sealers.run { _ in Self.checksum(of: source, sealer: sealer, expected: checksum, kind: kind, md5: md5) }
        } catch {
            throw StoreError(code: "Aborted", message: "stopped while sealing", httpStatus: nil, requestID: nil, operation: "PutObject", resource: key)
        }
        switch first {
        case .success(let (sealedChecksum, sealedMD5, chunkCRCs)):
            let reader = SealingReader(source, sealer: sealer, expected: checksum, mustRead: chunkCRCs)
            return try await inner.put(key: key, pulled: ChecksummedBody(.sealed(reader)), checksum: sealedChecksum, md5: sealedMD5,
                                       attributes: attributes)
        case .failure(let failure):
            throw StoreError(code: "SourceChanged", message: "\(failure)", httpStatus: nil, requestID: nil, operation: "PutObject",
                             resource: key, sourceFailure: failure)
        }
    }

    private func sealer(for attributes: ObjectAttributes) -> AgeSealer {
        AgeSealer(recipients: attributes.readableByBox ? recipients + (box.map { [$0.identity.recipient] } ?? []) : recipients)
    }

    /// The first pass of the header form: the age file's checksum (and MD5), and what each
    /// plaintext chunk read as.
    private static func checksum(of source: SealingReader.Source, sealer: AgeSealer, expected: ChunkChecksum, kind: ChunkChecksum.Kind,
                                 md5 wantsMD5: Bool) -> Result<(ChunkChecksum, [UInt8]?, [UInt32]), FileReadError> {
        let reader = SealingReader(source, sealer: sealer, expected: expected, recordsChunks: true)
        do throws(FileReadError) {
            try reader.open()
            defer { reader.close() }
            var sha = kind == .sha256 ? Digest(.sha256) : nil
            var crc = CRC32C()
            var md5 = wantsMD5 ? Digest(.md5) : nil
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            var left = reader.length
            while left > 0 {
                let count = min(left, buffer.count)
                let read = buffer.withUnsafeMutableBytes { bytes -> FileReadError? in
                    let piece = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count])
                    do throws(FileReadError) { try reader.read(into: piece) } catch { return error }
                    if kind == .sha256 { sha?.update(UnsafeRawBufferPointer(piece)) } else { crc.update(UnsafeRawBufferPointer(piece)) }
                    md5?.update(UnsafeRawBufferPointer(piece))
                    return nil
                }
                if let read { throw read }
                left -= count
            }
            let checksum: ChunkChecksum = if let digest = sha?.finalize() { .sha256(digest) } else { .crc32c(crc.value) }
            return .success((checksum, md5?.finalize(), reader.chunkCRCs))
        } catch {
            return .failure(error)
        }
    }

    /// `attributes` with the marker, the plaintext's checksum sealed, and hashes of footage sealed.
    func sealed(_ attributes: ObjectAttributes, checksum: ChunkChecksum?) -> ObjectAttributes {
        var sealed = attributes
        sealed.metadata[Self.markerMetadata] = "age"
        if let length = attributes.length { sealed.metadata[Self.sizeMetadata] = String(length) }
        for (name, value) in attributes.metadata where Self.sealedMetadata.contains(name) {
            if let box { sealed.metadata[name] = box.seal(value) } else { sealed.metadata[name] = nil }
        }
        if let checksum, let box { sealed.metadata[Self.checksumMetadata] = box.seal(checksum.encoded) }
        return sealed
    }

    /// Whether ChunkFerry sealed the object (its metadata says so; an HTTP server keeps none).
    func isSealed(_ info: ObjectInfo) -> Bool { info.metadata[Self.markerMetadata] != nil }

    /// The object as the plaintext would show: its size, its checksum (if the box can unseal
    /// it) and its sealed metadata opened. An object from before `ENCRYPT_TO` shows as it is.
    package func head(key: String) async throws(StoreError) -> ObjectInfo? {
        guard let info = try await inner.head(key: key) else { return nil }
        return try await view(of: info)
    }

    private func view(of info: ObjectInfo) async throws(StoreError) -> ObjectInfo {
        if isSealed(info) { return plaintextView(info) }
        guard inner.backend == .http, info.size >= Int64(AgeHeader.versionLine.count) else { return info }
        // A server that keeps no metadata: the age header says how long it is.
        let start = try await inner.get(key: info.key, range: 0..<min(info.size, 64 * 1024))
        guard start.starts(with: AgeHeader.versionLine), let header = try? AgeHeader.parse(start),
              let size = AgeSealer.plaintextSize(file: info.size, headerSize: Int64(header.payloadOffset)) else { return info }
        var view = info
        view.size = size
        view.checksumCRC32C = nil
        view.checksumSHA256 = nil
        return view
    }

    func plaintextView(_ info: ObjectInfo) -> ObjectInfo {
        var view = info
        view.size = info.metadata[Self.sizeMetadata].flatMap { Int64($0) } ?? info.size
        view.checksumCRC32C = nil
        view.checksumSHA256 = nil
        if let sealed = info.metadata[Self.checksumMetadata], let encoded = box?.unseal(sealed), let checksum = ChunkChecksum(encoded: encoded) {
            switch checksum {
            case .crc32c: view.checksumCRC32C = checksum.header.value
            case .sha256: view.checksumSHA256 = checksum.header.value
            }
        }
        for name in Self.sealedMetadata {
            view.metadata[name] = info.metadata[name].flatMap { box?.unseal($0) }
        }
        return view
    }

    /// Whether an object of `size` bytes could be an age file (to up to 10 recipients).
    func couldBeSealed(_ size: Int64) -> Bool {
        (1...10).contains { AgeSealer.plaintextSize(file: size, headerSize: AgeSealer.headerSize(recipients: $0)) != nil }
    }

    /// Listings carry no metadata: an object whose size could be an age file's is asked (HEAD)
    /// for what it holds; the others are clear, from before `ENCRYPT_TO`.
    package func list(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        var views: [ObjectInfo] = []
        for info in try await inner.list(prefix: prefix) {
            views.append(couldBeSealed(info.size) ? try await head(key: info.key) ?? info : info)
        }
        return views
    }

    /// The plaintext, opened with the identities given, or the object as it is if it is no age
    /// file (written before `ENCRYPT_TO`). A whole object is several age files one after another.
    package func get(key: String, range: Range<Int64>?) async throws(StoreError) -> [UInt8] {
        if let range, inner.backend != .http {
            // A range of a clear object is read as a range; a sealed one is opened whole.
            guard let info = try await inner.head(key: key), isSealed(info) else { return try await inner.get(key: key, range: range) }
        }
        let bytes = try await inner.get(key: key, range: nil)
        let plaintext: [UInt8]
        if bytes.starts(with: AgeHeader.versionLine) {
            let opened = AgeFile.decrypt(bytes, identities: identities, concatenated: true)
            if let error = opened.error {
                // The daemon reads only what it sealed to itself: anything else is as unreadable as garbage.
                guard failsUnopened else { return bytes }
                throw StoreError(code: error == .noMatch ? "NotYourKey" : "Undecryptable",
                                 message: error == .noMatch ? "it is encrypted to other age recipients: give an identity file of one of them (--identity)" : "\(error)",
                                 httpStatus: nil, requestID: nil, operation: "GetObject", resource: key)
            }
            plaintext = opened.plaintext
        } else {
            plaintext = bytes
        }
        guard let range else { return plaintext }
        let count = Int64(plaintext.count)
        return Array(plaintext[Int(min(range.lowerBound, count))..<Int(min(range.upperBound, count))])
    }
}
