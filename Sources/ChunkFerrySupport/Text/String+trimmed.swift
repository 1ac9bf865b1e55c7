extension StringProtocol {
    /// The text without leading and trailing characters from `characters`.
    package func trimmed(of characters: String = " \t\r\n") -> String {
        // Built from scalars: in a literal "\r\n" is one Character, which would miss a lone "\n".
        let set = Set(characters.unicodeScalars.map(Character.init))
        guard let first = firstIndex(where: { !set.contains($0) && !($0 == "\r\n" && set.contains("\n")) }),
              let last = lastIndex(where: { !set.contains($0) && !($0 == "\r\n" && set.contains("\n")) }) else { return "" }
        return String(self[first...last])
    }
}
