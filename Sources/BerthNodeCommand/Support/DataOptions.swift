import ArgumentParser
import Foundation

/// `--data DIR`, else `BERTH_DATA`, else `./berth-data`.
package struct DataOptions: ParsableArguments {
    package init() {}

    @Option(help: "Where Berth keeps its data (default: $BERTH_DATA or ./berth-data).")
    package var data: String?

    /// The data directory, made absolute.
    package func directory(in environment: NodeEnvironment) -> String {
        URL(fileURLWithPath: data ?? environment.dataDirectory ?? "berth-data").standardizedFileURL.path
    }
}
