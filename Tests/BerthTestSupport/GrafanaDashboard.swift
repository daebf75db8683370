import Foundation

/// The Grafana dashboard in `docs/`, read by the metrics tests so that every series it charts is one the
/// panel or a node really serves.
public enum GrafanaDashboard {
    /// The names of the series its queries use, as scraped (a histogram's `_bucket` and `_count` included).
    public static func seriesNames() throws -> Set<String> {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/grafana-dashboard.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "berth_[a-z_]+")
        return Set(
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
        )
    }
}
