import ArgumentParser
import BerthNodeCommand
import BerthProtocol

/// `berth`: the panel, the node daemon, and the tools to manage them.
@main
struct BerthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "A control panel for game servers and apps in Docker containers.",
        version: "berth \(BerthVersion.current)",
        subcommands: [
            ServeCommand.self, PanelCommand.self, DaemonCommand.self, APIKeyCommand.self, UserCommand.self, ImageCommand.self, VersionCommand.self,
        ]
    )
}
