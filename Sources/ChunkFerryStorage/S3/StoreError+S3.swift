extension StoreError {
    /// An S3 error answer: the code, message and request id of its XML body, else the status's.
    static func fromS3Response(_ response: HTTPResponse, operation: String, resource: String) -> StoreError {
        let xml = S3XML(response.body)
        return StoreError(
            code: xml.value("Code") ?? defaultCode(status: response.status),
            message: xml.value("Message") ?? "",
            httpStatus: response.status,
            requestID: xml.value("RequestId") ?? response.header("x-amz-request-id"),
            operation: operation,
            resource: resource
        )
    }
}
