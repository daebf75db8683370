import Hummingbird

/// Counts every request and times it until its answer starts, by route pattern (never the path itself,
/// whose ids and probes would make a series each), method and status. Placed outermost, it sees the
/// status a refusal is answered with.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: MetricsRegistry

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
        metrics.counter("berth_http_requests_total", [("route", route), ("method", method), ("status", String(status.code))]).increment()
        metrics.timer("berth_http_request_duration_seconds", [("route", route), ("method", method)]).record(duration: .now - start)
    }
}
