import DockerEngine

/// What to tell an operator whose node has no Docker engine.
enum DockerAdvice {
    static func whenUnavailable(_ host: DockerHost, _ error: any Error) -> String {
        let reason = if case DockerEngineError.engineUnavailable(_, let reason) = error { reason } else { "\(error)" }
        return """
            no Docker engine answers at \(host) (\(reason)). Install one (on Debian: apt-get install docker.io) \
            and start it, or set DOCKER_HOST to one that runs; Berth keeps serving and uses it as soon as it answers.
            """
    }
}
