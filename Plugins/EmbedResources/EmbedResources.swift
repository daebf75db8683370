import Foundation
import PackagePlugin

/// Builds a target's `Resources/` folder into its code (``EmbedFiles`` writes the Swift), so that the
/// `berth` binary is one file: copied alone to another machine, it still has its pages, scripts and
/// OpenAPI document, where a resource bundle beside it would have been left behind.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Resources")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        let files = (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        return [
            .buildCommand(
                displayName: "Embedding the resources of \(target.name)",
                executable: try context.tool(named: "EmbedFiles").url,
                arguments: [folder.path, output.path],
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
