/// An escaped relative path compared byte for byte. Swift strings compare by canonical
/// equivalence, which would make "café" in NFC and in NFD — two different files — one key.
package struct RelativePath: Hashable, Sendable {
    package let value: String

    package init(_ value: String) { self.value = value }

    package static func == (lhs: RelativePath, rhs: RelativePath) -> Bool {
        lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    package func hash(into hasher: inout Hasher) {
        for byte in value.utf8 { hasher.combine(byte) }
    }
}
