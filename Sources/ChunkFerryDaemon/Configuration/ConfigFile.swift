import ChunkFerrySupport
import Configuration
import Yams

/// The YAML settings file: top-level keys are the environment names in lower case
/// (`watch_dir: /input`), plus `cameras:`, a list of mappings that does not fit a key-value
/// provider (swift-configuration's YAML provider refuses lists of mappings), so the file is
/// parsed here and the flat part handed on as an in-memory provider.
struct ConfigFile: Sendable {
    /// One camera's entry as written: its keys in file order, every value a scalar's text.
    typealias Entry = SettingsReader.Entry

    let values: [AbsoluteConfigKey: ConfigValue]
    /// Nil when the file has no `cameras:` key.
    let cameras: [Entry]?

    init(path: String, text: String) throws(SettingsError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            // The parser's message quotes the offending line, which may hold a secret: only its line number.
            let line = (error as? YamlError).flatMap(Self.line(of:)).map { " (near line \($0))" } ?? ""
            throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)' is not valid YAML\(line): fix it (docs/configuration-file.md has an example)")
        }
        guard let mapping = root?.mapping else {
            if root == nil || root?.scalar?.string.isEmpty == true { values = [:]; cameras = nil; return }
            throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)' is not a YAML mapping of settings (key: value lines)")
        }
        let secrets = Set(SettingKey.all.filter(\.isSecret).map(\.yamlKey))
        let known = Set(SettingKey.all.filter { $0 != .configFile }.map(\.yamlKey) + ["cameras"])
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var cameras: [Entry]?
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)' has a key that is not text")
            }
            if key == "cameras" {
                cameras = try Self.cameras(value, path: path)
                continue
            }
            guard known.contains(key) else {
                // A typo would otherwise be ignored and the default used, silently.
                let line = keyNode.mark.map { " (line \($0.line))" } ?? ""
                let hint = SettingKey.nearest(to: key, among: known.sorted()).map { ": did you mean \($0)?" } ?? ": see chunkferry --help for the settings"
                throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)' has an unknown key \(key)\(line)\(hint)")
            }
            let isSecret = secrets.contains(key)
            if let scalar = value.scalar {
                values[AbsoluteConfigKey([key])] = ConfigValue(.string(scalar.string), isSecret: isSecret)
            } else if let sequence = value.sequence, sequence.allSatisfy({ $0.scalar != nil }) {
                values[AbsoluteConfigKey([key])] = ConfigValue(.stringArray(sequence.compactMap { $0.scalar?.string }), isSecret: isSecret)
            } else {
                throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)': \(key) must be a single value or a list of values")
            }
        }
        self.values = values
        self.cameras = cameras
    }

    private static func cameras(_ node: Node, path: String) throws(SettingsError) -> [Entry] {
        if let empty = node.scalar?.string, ["", "~", "null"].contains(empty) { return [] }  // `cameras:` with nothing under it
        guard let list = node.sequence else {
            throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)': cameras must be a list (each item starting with '- name: ...')")
        }
        var entries: [Entry] = []
        for (position, item) in list.enumerated() {
            guard let fields = item.mapping else {
                throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)': camera \(position + 1) must be a mapping of keys (name:, rtsp_url:, ...)")
            }
            var entry: Entry = []
            for (keyNode, value) in fields {
                let key = keyNode.string ?? "?"
                guard let scalar = value.scalar else {
                    let name = fields["name"]?.string ?? "number \(position + 1)"
                    throw SettingsError(key: .configFile, message: "camera '\(name)': \(key) must be a single value")
                }
                entry.append((key, scalar.string))
            }
            entries.append(entry)
        }
        return entries
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }
}
