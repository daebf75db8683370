import ArgumentParser
import Foundation

/// `--data DIR`, else `BERTH_DATA`, else `./berth-data`.
struct DataOptions: ParsableArguments {
    @Option(help: "Where Berth keeps its data (default: $BERTH_DATA or ./berth-data).")
    var data: String?

    /// The data directory, made absolute.
    func directory(in environment: BerthEnvironment) -> String {
        URL(fileURLWithPath: data ?? environment.dataDirectory ?? "berth-data").standardizedFileURL.path
    }
}
