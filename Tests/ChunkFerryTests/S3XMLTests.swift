@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Testing

@Suite struct S3XMLTests {
    @Test func readsAnErrorBody() {
        let xml = S3XML("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature &amp; more &lt;x&gt;</Message>
            <RequestId>4442587FB7D0A2F9</RequestId></Error>
            """)
        #expect(xml.value("Code") == "SignatureDoesNotMatch")
        #expect(xml.value("Message") == "The request signature & more <x>")
        #expect(xml.value("RequestId") == "4442587FB7D0A2F9")
        #expect(xml.value("Missing") == nil)
    }

    @Test func readsRepeatedElementsAndAttributes() {
        let xml = S3XML("""
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>
            <Contents><Key>a&#x2F;1</Key><Size>5</Size></Contents><Contents><Key>b&#47;2</Key><Size>7</Size></Contents>
            <CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListBucketResult>
            """)
        let result = xml.elements("ListBucketResult")
        #expect(result.count == 1)
        #expect(xml.elements("Contents").map { $0.value("Key") } == ["a/1", "b/2"])
        #expect(xml.elements("Contents").map { $0.value("Size") } == ["5", "7"])
        #expect(xml.elements("CommonPrefixes").first?.value("Prefix") == "p/")
    }

    @Test func escapeRoundTrips() {
        let text = "a&b<c>\"d'e"
        #expect(S3XML.unescape(S3XML.escape(text)) == text)
    }

    @Test func hexAndBase64() {
        let bytes: [UInt8] = [0, 1, 0xfe, 0xff, 0x10]
        #expect(ByteEncoding.hex(bytes) == "0001feff10")
        #expect(ByteEncoding.bytes(fromHex: "0001FEff10") == bytes)
        #expect(ByteEncoding.base64(Array("Man".utf8)) == "TWFu")
        #expect(ByteEncoding.base64(Array("Ma".utf8)) == "TWE=")
        #expect(ByteEncoding.bytes(fromBase64: "TWE=") == Array("Ma".utf8))
        #expect(ByteEncoding.base64(Digest.md5([])) == "1B2M2Y8AsgTpgAmY7PhCfg==")
    }
}
