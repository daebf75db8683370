import BerthPanel
import Hummingbird

/// Answers the web routes share.
enum WebResponse {
    /// See Other: after a form, the browser loads `location` with GET, so a reload never repeats the change.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
