import BerthHTTP
import Foundation
import Hummingbird
import Synchronization

/// The benchmarks' reference route, `GET /bench/ceiling?bytes=N`: a constant JSON body of exactly N bytes,
/// made once per size and served from memory. It does what the framework does for every answer (routing,
/// the error middleware, writing the body) and nothing of Berth's own work, so its throughput is the
/// ceiling the API routes are measured against (see `docs/performance.md`).
///
/// Beside it, `GET /bench/floor?bytes=N` asks the panel's database one trivial question (`SELECT 1`) before
/// answering the same body: the framework plus one round trip through the database driver, the least any
/// route that reads the database once can cost, so the benchmarks can say how much of a read route's gap
/// to the ceiling is the driver's and how much Berth's own.
///
/// They sit outside `/api` and the API-key check on purpose: the key check is Berth's work and belongs in
/// the figure measured, not in the reference. They exist only when ``PanelConfiguration/benchCeiling`` is on
/// (`scripts/bench` sets `BERTH_BENCH_CEILING=1`); a panel started otherwise answers it with 404.
struct CeilingController<Context: PanelRequestContext>: Sendable {
    let database: PanelDatabase

    /// The largest body it makes; larger sizes are a 400.
    static var maximumBytes: Int { 64 << 20 }

    private let bodies = Bodies()

    func addRoutes(to router: Router<Context>) {
        router.get("bench/ceiling") { request, _ in
            try answer(request)
        }
        router.get("bench/floor") { request, _ in
            _ = try await database.sql().raw("SELECT 1 AS one").first()
            return try answer(request)
        }
    }

    private func answer(_ request: Request) throws -> Response {
        guard let size = request.uri.queryParameters.get("bytes").flatMap(Int.init), (2...Self.maximumBytes).contains(size) else {
            throw APIError.badRequest("bytes must be a size from 2 to \(Self.maximumBytes)")
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: bodies.body(of: size))
        )
    }

    /// The bodies made so far, one per size asked for; the benchmarks ask for a handful.
    private final class Bodies: Sendable {
        private let made = Mutex<[Int: ByteBuffer]>([:])

        /// `"` + N-2 letters + `"`: a JSON string of exactly `size` bytes.
        func body(of size: Int) -> ByteBuffer {
            made.withLock { made in
                if let body = made[size] { return body }
                var body = ByteBuffer()
                body.writeString("\"" + String(repeating: "x", count: size - 2) + "\"")
                made[size] = body
                return body
            }
        }
    }
}
