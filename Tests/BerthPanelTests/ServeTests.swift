import AsyncHTTPClient
import BerthTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite("berth serve, as a newcomer runs it", .timeLimit(.minutes(3)))
struct ServeTests {
    @Test("serve sets itself up, its local node comes online, an API deploy reaches READY; its JSON logs at trace level hold no secret")
    func serveEndToEnd() async throws {
        // Runs on SQLite whatever the suite's database: serve is the zero-configuration path.
        let data = NSTemporaryDirectory() + "berth-serve-\(UUID().uuidString.prefix(8))"
        let images = data + "-images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        try Data(
            #"{"Name": "Echo", "Image": "\#(TestImage.name)", "Startup": "echo ready; while read l; do echo $l; [ \"$l\" = stop ] && exit 0; done", "Ready": "ready", "StopCommand": "stop"}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: images + "/echo.json"))
        try TestNode.prepareDataDirectory(data)
        let panelPort = TestPorts.next()
        let daemonPort = TestPorts.next()
        // At the most talkative level, as JSON: whatever it writes, no secret may be in it.
        let process = try ChildProcess(
            BerthExecutable.path,
            [
                "serve", "--data", data, "--port", "\(panelPort)", "--daemon-port", "\(daemonPort)", "--images", images,
                "--log-level", "trace", "--log-format", "json",
            ],
            environment: ["BERTH_DATABASE_URL": ""]
        )
        defer { process.terminate() }

        let api = "http://127.0.0.1:\(panelPort)/api"
        func call(_ method: HTTPMethod, _ path: String, key: String, json: String? = nil) async throws -> (Int, Any?) {
            var request = HTTPClientRequest(url: api + path)
            request.method = method
            request.headers.add(name: "x-api-key", value: key)
            if let json { request.body = .bytes(ByteBuffer(string: json)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: body)))
        }

        // The panel answers once it has set itself up.
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? await call(.GET, "/users", key: "none")) == nil {
            guard ContinuousClock.now < deadline, process.isRunning else { throw TestFailure("berth serve never answered") }
            try await Task.sleep(for: .milliseconds(200))
        }
        let passwordFile = data + "/admin-password.txt"
        #expect(try FileManager.default.attributesOfItem(atPath: passwordFile)[.posixPermissions] as? Int == 0o600)

        let key = try await BerthExecutable.run(["apikey", "create", "--name", "newcomer", "--data", data], environment: ["BERTH_DATABASE_URL": ""])
            .lastLine
        var nodes: [[String: Any]] = []
        while nodes.first?["status"] as? String != "online" {
            guard ContinuousClock.now < deadline else { throw TestFailure("the local node never came online: \(nodes)") }
            nodes = (try await call(.GET, "/nodes", key: key).1 as? [[String: Any]]) ?? []
            try await Task.sleep(for: .milliseconds(200))
        }
        let nodeID = try #require(nodes.first?["id"] as? String)
        let users = try #require(try await call(.GET, "/users", key: key).1 as? [[String: Any]])
        let admin = try #require(users.first)
        #expect(admin["username"] as? String == "admin")
        #expect(admin["admin"] as? Bool == true)

        let port = TestPorts.next()
        let (status, deployed) = try await call(
            .POST,
            "/instances/deploy",
            key: key,
            json: """
                {"image": "\(TestImage.name)", "imagename": "Echo", "memory": "64M", "cpu": 0.25, "ports": "\(port):\(port)",
                 "nodeId": "\(nodeID)", "name": "newcomer", "user": "\(admin["userId"] as? String ?? "")"}
                """
        )
        #expect(status == 201)
        let id = try #require((deployed as? [String: Any])?["Id"] as? String)
        var state = ""
        while state != "READY" {
            guard ContinuousClock.now < deadline + .seconds(60) else { throw TestFailure("the instance never became READY: \(state)") }
            state =
                ((try await call(.POST, "/getInstance", key: key, json: "{\"id\": \"\(id)\"}").1 as? [String: Any])?["InternalState"] as? String)
                ?? ""
            guard state != "FAILED" else { throw TestFailure("the install failed") }
            try await Task.sleep(for: .milliseconds(200))
        }
        // The admin signs in on the web and opens the console: a password, a session and a console token
        // pass through the panel and the node.
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
        let browser = WebClient(port: panelPort)
        #expect(try await browser.signIn("admin", password).status == 303)
        let cookie = try #require(browser.sessionCookie)
        let handshake = RawHTTP.webSocketHandshake(
            "/instances/\(id)/socket",
            port: panelPort,
            headers: ["Origin: http://127.0.0.1:\(panelPort)", "Cookie: berth_session=\(cookie)"]
        )
        let consoleStatus = try await onOwnThread { try RawHTTP(port: panelPort, head: handshake).statusLine() }
        #expect(consoleStatus.contains(" 101 "), "\(consoleStatus)")

        // The instance started once installed, so the node may still be starting its container when the
        // delete arrives; a node that takes longer than the panel waits makes it 202, and the panel
        // finishes the deletion by itself.
        let deletion = try await call(.DELETE, "/instance/delete", key: key, json: "{\"id\": \"\(id)\"}")
        #expect([201, 202].contains(deletion.0), "delete answered \(deletion.0): \(deletion.1 ?? "")")
        // The seed's getInstance answers an unknown id with 400.
        while try await call(.POST, "/getInstance", key: key, json: "{\"id\": \"\(id)\"}").0 != 400 {
            guard ContinuousClock.now < deadline + .seconds(120) else { throw TestFailure("the deleted instance stayed") }
            try await Task.sleep(for: .milliseconds(200))
        }

        process.terminate()
        let ended = await process.finish()
        #expect(ended.status == 0, "berth serve stops cleanly on SIGTERM")
        let printed = ended.output
        #expect(printed.contains("Sign in as admin with this password"))
        #expect(!printed.contains(key), "the API key never reaches serve's output")
        #expect(printed.components(separatedBy: password).count == 2, "the password is printed exactly once")

        let logLines = printed.split(separator: "\n").filter { $0.hasPrefix("{") }
        let entries = logLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(entries.count == logLines.count && entries.count > 100, "every log line is one JSON object of strings")
        #expect(entries.allSatisfy { ["time", "level", "label", "message"].allSatisfy($0.keys.contains) })
        #expect(entries.contains { $0["request_id"] != nil } && entries.contains { $0["node"] != nil && $0["instance"] == id })
        let token = try String(contentsOfFile: data + "/local-node.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let panelKey = try String(contentsOfFile: data + "/panel.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let secrets = [
            ("the API key", key), ("the node's token", String(token.prefix { $0 != "." })), ("the node's signing key", String(token.suffix(64))),
            ("the session cookie", cookie), ("the panel's key", panelKey), ("a console token (a JWT)", "eyJ"),
        ]
        for (what, secret) in secrets {
            #expect(!logLines.contains { $0.contains(secret) }, "\(what) is in the log")
        }
        #expect(!logLines.contains { $0.contains(password) }, "the admin's password is in the log")
    }

    @Test("the berth binary copied alone into an empty folder serves its pages, scripts and OpenAPI document")
    func binaryAlone() async throws {
        let folder = NSTemporaryDirectory() + "berth-alone-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Copied by cp: a copy written by this process, which starts others all the while, can leave its
        // write descriptor in a child for a moment, and executing the file then fails with "Text file busy".
        _ = try HostShell.run("cp '\(BerthExecutable.path)' '\(folder)/berth'")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["berth"], "nothing beside it")
        try TestNode.prepareDataDirectory(folder + "/data")
        let port = TestPorts.next()
        let process = try ChildProcess(
            folder + "/berth",
            ["serve", "--data", "data", "--port", "\(port)", "--daemon-port", "\(TestPorts.next())", "--no-sftp"],
            environment: ["BERTH_DATABASE_URL": ""],
            directory: folder,
            output: .discarded
        )
        defer { process.terminate() }

        let base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(60)
        var login = try? await HTTPAnswer.request(.GET, base + "/login")
        while login?.status != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else { throw TestFailure("the copied berth never served its sign-in page") }
            try await Task.sleep(for: .milliseconds(200))
            login = try? await HTTPAnswer.request(.GET, base + "/login")
        }
        #expect(login?.text.contains("/static/app.css") == true)
        let stylesheet = try await HTTPAnswer.request(.GET, base + "/static/app.css")
        let onDisk = try Data(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../Sources/BerthWeb/Resources/web/static/app.css"
            )
        )
        #expect(stylesheet.status == 200 && stylesheet.headers["content-type"] == "text/css; charset=utf-8" && stylesheet.body == onDisk)

        let key = try await BerthExecutable.run(
            ["apikey", "create", "--name", "alone", "--data", folder + "/data"],
            environment: ["BERTH_DATABASE_URL": ""]
        )
        .lastLine
        let document = try await HTTPAnswer.request(.GET, base + "/api/openapi.json", headers: [("x-api-key", key)])
        #expect(document.status == 200 && (document.object["openapi"] as? String)?.hasPrefix("3.") == true, "\(document.status)")
        process.terminate()
        _ = await process.finish()
    }
}
