import ArgumentParser
import ChunkFerryDaemon

struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print every setting with its flag, default, value, whether it reloads, and its meaning.",
        discussion: "docs/configuration.md is this command's --markdown output; --json is what scripts/generate builds the compose file's environment block and the Debian package's commented files from.")

    @Flag(name: .long, help: "Markdown: the configuration reference page.")
    var markdown = false

    @Flag(name: .long, help: "JSON: one object per setting (name, flag, yaml_key, default, kind, reloads, secret, help).")
    var json = false

    func run() throws {
        if json {
            print(SettingsReference.json(), terminator: "")
        } else if markdown {
            print(SettingsReference.markdown(), terminator: "")
        } else {
            print(SettingsOptions.settingsHelp)
        }
    }
}
