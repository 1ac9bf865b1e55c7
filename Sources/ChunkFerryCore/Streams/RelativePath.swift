/// An escaped relative path compared byte for byte. Swift strings compare by canonical
/// equivalence, which would make "café" in NFC and in NFD — two different files — one key.
struct RelativePath: Hashable, Sendable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (lhs: RelativePath, rhs: RelativePath) -> Bool {
        lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    func hash(into hasher: inout Hasher) {
        for byte in value.utf8 { hasher.combine(byte) }
    }
}
