import BerthNodeCommand
import BerthPanel
import Logging

/// Opens the panel's data for one command and closes it afterwards, even on error.
func withPanelData<Result>(_ options: DataOptions, _ body: (Panel) async throws -> Result) async throws -> Result {
    var logger = Logger(label: "berth")
    logger.logLevel = .warning
    let environment = BerthEnvironment.read()
    let panel = try await Panel.open(
        PanelConfiguration(dataDirectory: options.directory(in: environment.node), databaseURL: environment.databaseURL),
        logger: logger
    )
    do {
        let result = try await body(panel)
        await panel.close()
        return result
    } catch {
        await panel.close()
        throw error
    }
}
