import CCurl
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// One libcurl easy handle, reused request after request so the TCP (and TLS) connection
/// stays alive. Not thread-safe: each worker thread owns its own.
package final class CurlConnection {
    package struct Options: Sendable {
        package var connectTimeoutMilliseconds: Int
        /// A request that moves no byte for this long is abandoned (a hung or frozen server).
        package var stallTimeoutSeconds: Int
        /// Upper bound for one whole request.
        package var requestTimeoutMilliseconds: Int
        package var caFile: String?
        package var verifyTLS: Bool
        /// When triggered, transfers under way stop at their next progress tick.
        package var abort: TransferAbort?
        /// BANDWIDTH_LIMIT and the uplink's classes: request bodies go through it piece by piece.
        package var throttle: UplinkThrottle?

        package init(connectTimeoutMilliseconds: Int = 10_000, stallTimeoutSeconds: Int = 30, requestTimeoutMilliseconds: Int = 600_000,
                     caFile: String? = nil, verifyTLS: Bool = true, abort: TransferAbort? = nil, throttle: UplinkThrottle? = nil) {
            self.throttle = throttle
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.stallTimeoutSeconds = stallTimeoutSeconds
            self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
            self.caFile = caFile
            self.verifyTLS = verifyTLS
            self.abort = abort
        }
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    private let handle: UnsafeMutableRawPointer
    private let options: Options
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// `nonisolated(unsafe)`: one byte, written once when first used and only read after (curl
    /// reads it as an empty body), so threads never race on it.
    nonisolated(unsafe) private static let emptyBody: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    /// CURLAUTH_BASIC | CURLAUTH_DIGEST (macros Swift cannot import): curl picks what the server asks.
    private static let basicOrDigest = 1 | 2

    package init(options: Options) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { fatalError("libcurl could not create a handle") }
        self.handle = handle
        self.options = options
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sends `request`; its body, if any, goes through the throttle as `lane`.
    package func perform(_ request: HTTPRequest, lane: UplinkClass = .live) throws(TransportError) -> HTTPResponse {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = ResponseSink()
        var headerList: UnsafeMutablePointer<curl_slist>?
        // Removal directives: no 100-continue round trip, no form content type from POSTFIELDS.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:", "Accept:"] {
            headerList = curl_slist_append(headerList, line)
        }
        defer { curl_slist_free_all(headerList) }

        configure(request, sink: sink, headers: headerList)
        let admission = Admission(throttle: options.throttle, lane: lane)
        // A body being sent makes less urgent ones yield (see UplinkThrottle).
        let sends = (request.body?.length ?? 0) > 0
        if sends { options.throttle?.started(lane) }
        defer { if sends { options.throttle?.finished(lane) } }
        let code: CURLcode
        switch request.body {
        case .bytes(let body) where !body.isEmpty && admission.throttle != nil:
            let source = BodySource(body, admission: admission)
            code = performUpload(length: body.count, bufferSize: 64 * 1024, read: readBody, seek: seekBody,
                                 context: Unmanaged.passUnretained(source).toOpaque())
        case .bytes(let body) where !body.isEmpty:
            code = body.withUnsafeBytes { bytes in
                _ = cf_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                _ = cf_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                return curl_easy_perform(handle)
            }
        case .file(let range):
            let source: BodySource
            do throws(FileReadError) {
                source = try BodySource(range, admission: admission)
            } catch {
                throw TransportError(kind: .source(error), curlCode: 0, message: error.description)
            }
            defer { source.close() }
            code = performUpload(length: range.length, bufferSize: 256 * 1024, read: readBody, seek: seekBody,
                                 context: Unmanaged.passUnretained(source).toOpaque())
            if let failure = source.failure {
                throw TransportError(kind: .source(failure), curlCode: Int(code.rawValue), message: failure.description)
            }
        case .trailed(let body), .pulled(let body):
            do throws(FileReadError) {
                try body.open()
            } catch {
                throw TransportError(kind: .source(error), curlCode: 0, message: error.description)
            }
            defer { body.close() }
            let bare = if case .pulled = request.body { true } else { false }
            let source = TrailedSource(body, admission: admission, bare: bare)
            code = performUpload(length: bare ? body.length : body.encodedLength, bufferSize: ChecksummedBody.uploadBufferSize, read: readTrailed,
                                 seek: rewindTrailed, context: Unmanaged.passUnretained(source).toOpaque())
            if let failure = body.failure {
                throw TransportError(kind: .source(failure), curlCode: Int(code.rawValue), message: failure.description)
            }
        default:
            code = curl_easy_perform(handle)
        }
        guard code == CURLE_OK else { throw transportError(code) }

        var status = 0
        _ = cf_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// A PUT whose body curl pulls through `read` (and rewinds through `seek`), straight into
    /// its own send buffer.
    private func performUpload(length: Int, bufferSize: Int, read: cf_curl_data_callback, seek: cf_curl_seek_callback,
                               context: UnsafeMutableRawPointer) -> CURLcode {
        _ = cf_curl_set_long(handle, CURLOPT_UPLOAD, 1)
        _ = cf_curl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(length))
        _ = cf_curl_set_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, bufferSize)
        _ = cf_curl_set_data_callback(handle, CURLOPT_READFUNCTION, read)
        _ = cf_curl_set_pointer(handle, CURLOPT_READDATA, context)
        _ = cf_curl_set_seek_callback(handle, seek)
        _ = cf_curl_set_pointer(handle, CURLOPT_SEEKDATA, context)
        return curl_easy_perform(handle)
    }

    private func configure(_ request: HTTPRequest, sink: ResponseSink, headers: UnsafeMutablePointer<curl_slist>?) {
        _ = cf_curl_set_string(handle, CURLOPT_URL, request.url)
        _ = cf_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = cf_curl_set_long(handle, CURLOPT_PATH_AS_IS, 1)
        _ = cf_curl_set_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = cf_curl_set_long(handle, CURLOPT_TCP_NODELAY, 1)
        _ = cf_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        _ = cf_curl_set_long(handle, CURLOPT_TIMEOUT_MS, options.requestTimeoutMilliseconds)
        _ = cf_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = cf_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, options.stallTimeoutSeconds)
        _ = cf_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        _ = cf_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if options.throttle != nil { _ = cf_curl_keep_send_queue_short(handle) }
        if let caFile = options.caFile {
            _ = cf_curl_set_string(handle, CURLOPT_CAINFO, caFile)
        }
        _ = cf_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if let abort = options.abort {
            _ = cf_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
            _ = cf_curl_set_progress_callback(handle, checkAbort)
            _ = cf_curl_set_pointer(handle, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(abort).toOpaque())
        }
        _ = cf_curl_set_list(handle, CURLOPT_HTTPHEADER, headers)
        if let credentials = request.credentials {
            _ = cf_curl_set_string(handle, CURLOPT_USERNAME, credentials.user)
            _ = cf_curl_set_string(handle, CURLOPT_PASSWORD, credentials.password)
            _ = cf_curl_set_long(handle, CURLOPT_HTTPAUTH, Self.basicOrDigest)
        }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        _ = cf_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION, writeBody)
        _ = cf_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = cf_curl_set_data_callback(handle, CURLOPT_HEADERFUNCTION, writeHeader)
        _ = cf_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)

        switch request.method {
        case .get:
            _ = cf_curl_set_long(handle, CURLOPT_HTTPGET, 1)
        case .head:
            _ = cf_curl_set_long(handle, CURLOPT_NOBODY, 1)
        case .delete:
            _ = cf_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE")
        case .put, .post:
            // POSTFIELDS sends the caller's buffer without copying it; the method is then renamed.
            _ = cf_curl_set_long(handle, CURLOPT_POST, 1)
            _ = cf_curl_set_pointer(handle, CURLOPT_POSTFIELDS, Self.emptyBody)
            _ = cf_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
            // Named explicitly: an upload from a file (CURLOPT_UPLOAD) would otherwise go as PUT.
            _ = cf_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
    }

    private func transportError(_ code: CURLcode) -> TransportError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: TransportError.Kind = switch code {
        case CURLE_COULDNT_CONNECT: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .resolve
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM: .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .setup
        case CURLE_ABORTED_BY_CALLBACK: .aborted
        default: .broken
        }
        return TransportError(kind: kind, curlCode: Int(code.rawValue), message: message)
    }
}

/// What the throttle lets a body's next read take.
private struct Admission {
    let throttle: UplinkThrottle?
    let lane: UplinkClass

    func allow(_ wanted: Int) -> Int { throttle?.admit(wanted, lane: lane) ?? wanted }

    func refund(_ unused: Int) { throttle?.refund(unused) }
}

/// A body curl pulls through its read callback, straight into its own buffer: a file range, or
/// bytes in memory when the throttle must see them (without one they go as POSTFIELDS).
private final class BodySource {
    private enum Origin {
        case file(descriptor: Int32, offset: Int64)
        case bytes([UInt8])
    }

    private let origin: Origin
    let length: Int
    let admission: Admission
    var sent = 0
    var failure: FileReadError?

    init(_ range: FileRange, admission: Admission) throws(FileReadError) {
        origin = .file(descriptor: try range.open().descriptor, offset: range.offset)
        length = range.length
        self.admission = admission
    }

    init(_ bytes: [UInt8], admission: Admission) {
        origin = .bytes(bytes)
        length = bytes.count
        self.admission = admission
    }

    /// Reads the bytes from `sent` on into `buffer`; how many.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileReadError) -> Int {
        switch origin {
        case .file(let descriptor, let offset):
            return try FileRange.read(descriptor, into: buffer, at: offset + Int64(sent))
        case .bytes(let bytes):
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[sent..<(sent + buffer.count)])) }
            return buffer.count
        }
    }

    func close() {
        if case .file(let descriptor, _) = origin { _ = Glibc.close(descriptor) }
    }
}

private let readBody: cf_curl_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<BodySource>.fromOpaque(context).takeUnretainedValue()
    let left = min(size * count, source.length - source.sent)
    guard left > 0 else { return 0 }
    let wanted = source.admission.allow(left)
    do throws(FileReadError) {
        let got = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: wanted))
        guard got > 0 else { throw .truncated(available: source.sent) }
        source.sent += got
        return got
    } catch {
        source.failure = error
        return Int(CURL_READFUNC_ABORT)
    }
}

private let seekBody: cf_curl_seek_callback = { context, offset, origin in
    guard let context, origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    let source = Unmanaged<BodySource>.fromOpaque(context).takeUnretainedValue()
    guard offset >= 0, Int(offset) <= source.length else { return Int32(CURL_SEEKFUNC_FAIL) }
    source.sent = Int(offset)
    return Int32(CURL_SEEKFUNC_OK)
}

/// An aws-chunked body being sent, framed as curl reads it.
private final class TrailedSource {
    let body: ChecksummedBody
    let admission: Admission
    /// The payload alone, without aws-chunked framing.
    let bare: Bool
    /// Whether the last read returned 0: the end, which needs no admission.
    var ended = false

    init(_ body: ChecksummedBody, admission: Admission, bare: Bool = false) {
        self.body = body
        self.admission = admission
        self.bare = bare
    }
}

private let readTrailed: cf_curl_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<TrailedSource>.fromOpaque(context).takeUnretainedValue()
    guard !source.ended else { return 0 }
    let wanted = source.admission.throttle == nil ? size * count : source.admission.allow(size * count)
    let into = UnsafeMutableRawBufferPointer(start: buffer, count: wanted)
    guard let filled = source.bare ? source.body.fillPayload(into) : source.body.fill(into) else { return Int(CURL_READFUNC_ABORT) }
    if filled == 0 { source.ended = true }
    // A frame that did not fit waits for the next read: what it was admitted for goes back.
    if filled < wanted { source.admission.refund(wanted - filled) }
    return filled
}

private let rewindTrailed: cf_curl_seek_callback = { context, offset, origin in
    guard let context, origin == SEEK_SET, offset == 0 else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    let source = Unmanaged<TrailedSource>.fromOpaque(context).takeUnretainedValue()
    return Int32(source.body.canRewind ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK)
}

private let checkAbort: cf_curl_progress_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<TransferAbort>.fromOpaque(context).takeUnretainedValue().isTriggered ? 1 : 0
}

private final class ResponseSink {
    package var headers: [(name: String, value: String)] = []
    package var body: [UInt8] = []
}

private let writeBody: cf_curl_data_callback = { buffer, size, count, context in
    let length = size * count
    guard let buffer, let context else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

private let writeHeader: cf_curl_data_callback = { buffer, size, count, context in
    let length = size * count
    guard let buffer, let context else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        sink.headers.removeAll()  // a new response (after a 100 Continue or a redirect)
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmed(of: " \t\r\n")
        sink.headers.append((name, value))
        if name == "content-length", let expected = Int(value), expected > 0, expected <= 1 << 30 {
            sink.body.reserveCapacity(expected)
        }
    }
    return length
}
