import ArgumentParser
import BerthNodeCommand
import BerthProtocol

/// `berth-node`: `berth daemon` alone, for a machine that only hosts instances. It links none of the panel
/// (its database drivers, templates and web assets), so the memory a node keeps for itself stays small;
/// `berth daemon` does the same work in the one binary that also runs the panel.
@main
struct BerthNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth-node",
        abstract: "The Berth node daemon alone: run it, or configure it.",
        version: "berth-node \(BerthVersion.current)",
        subcommands: [DaemonCommand.Run.self, DaemonCommand.Configure.self],
        defaultSubcommand: DaemonCommand.Run.self
    )
}
