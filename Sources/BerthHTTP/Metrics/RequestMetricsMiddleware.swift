import CoreMetrics
import Hummingbird
import Synchronization

/// Counts every request and times it until its answer starts, by route pattern (never the path itself,
/// whose ids and probes would make a series each), method and status. Placed outermost, it sees the
/// status a refusal is answered with.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: MetricsRegistry
    /// Each series once made: making one asks the registry under its lock and sorts its labels, a few
    /// percent of a small request. Routes, methods and statuses are few, so the series are.
    private let series = Series()

    public init(metrics: MetricsRegistry) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, response.status, since: start)
            return response
        } catch {
            record(request, context, (error as? any HTTPResponseError)?.status ?? .internalServerError, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, _ status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        // A request no route matched has no pattern (Hummingbird calls it "NotFound"): one series for all.
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"
        let method = request.method.rawValue
        let (counter, timer) = series.made(for: Series.Key(route: route, method: method, status: status.code)) {
            (
                metrics.counter("berth_http_requests_total", [("route", route), ("method", method), ("status", String(status.code))]),
                metrics.timer("berth_http_request_duration_seconds", [("route", route), ("method", method)])
            )
        }
        counter.increment()
        timer.record(duration: .now - start)
    }

    private final class Series: Sendable {
        struct Key: Hashable {
            let route: String
            let method: String
            let status: Int
        }

        private let made = Mutex<[Key: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

        func made(for key: Key, make: () -> (CoreMetrics.Counter, CoreMetrics.Timer)) -> (CoreMetrics.Counter, CoreMetrics.Timer) {
            if let series = made.withLock({ $0[key] }) { return series }
            let series = make()
            made.withLock { $0[key] = series }
            return series
        }
    }
}
