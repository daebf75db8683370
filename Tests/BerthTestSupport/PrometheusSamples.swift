import NIOHTTP1

/// The samples of a Prometheus text exposition, for tests that scrape `/metrics`: each line's metric
/// name, labels and value (comments and malformed lines left out).
public struct PrometheusSamples: Sendable {
    public struct Sample: Sendable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public let samples: [Sample]

    /// What `url` serves, once it answers 200.
    public static func scrape(_ url: String) async throws -> PrometheusSamples {
        let answer = try await HTTPAnswer.request(.GET, url)
        guard answer.status == 200 else { throw TestFailure("\(url) answered \(answer.status): \(answer.text)") }
        return PrometheusSamples(answer.text)
    }

    public init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            // Label values in these tests hold no quotes or commas.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// The value of the one series of `name` whose labels include `labels`; nil when there is none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// Every series of `name`.
    public func all(_ name: String) -> [Sample] {
        samples.filter { $0.name == name }
    }
}
