/// A local file whose stream is finalized and unchanged since: a candidate for deletion.
struct UploadedFile: Sendable {
    package var path: String
    package var file: FinishedFile
    package var streamID: String

    /// Why retention deletes a file, for its log line.
    enum Reason: String, Sendable {
        case uploaded = "DELETE_AFTER_UPLOAD"
        case retention = "LOCAL_RETENTION"
        case freeSpace = "MIN_FREE_SPACE"
    }
}
