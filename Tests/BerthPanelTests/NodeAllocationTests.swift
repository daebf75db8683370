import BerthTestSupport
import Foundation
import NIOHTTP1
import Testing

@Suite("Node allocation: port ranges, overallocation, maintenance", .timeLimit(.minutes(3)))
struct NodeAllocationTests {
    @Test("nodes/create keeps processor as given and takes the allocation policy; PATCH /api/v1/nodes edits it, and a bad edit changes nothing")
    func createAndEdit() async throws {
        try await InProcessPanel.with { panel in
            let base: [String: Any] = ["name": "eu-1", "ram": "16G", "disk": "200GB", "address": "10.0.0.5", "port": "3002"]
            let created = try await panel.request(
                .POST,
                "/api/nodes/create",
                base.merging([
                    "processor": "AMD EPYC 7543", "portRanges": "30020, 30000-30010", "memoryOverallocation": 50, "cpuOverallocation": "-1",
                ]) { $1 }
            )
            #expect(created.status == 201, "\(created.text)")
            let node = try #require(created.object["Message"] as? [String: Any])
            #expect(node["processor"] as? String == "AMD EPYC 7543", "the seed's free text comes back as given")
            #expect(node["cores"] == nil, "no cores until the node reports them")
            #expect(node["portRanges"] as? String == "30000-30010, 30020")
            #expect(node["memoryOverallocation"] as? Int == 50)
            #expect(node["cpuOverallocation"] as? Int == -1)
            #expect(node["maintenance"] as? Bool == false)
            let id = try #require(node["id"] as? String)

            let plain = try await panel.request(.POST, "/api/nodes/create", base.merging(["name": "eu-2", "processor": 8]) { $1 })
            #expect((plain.object["Message"] as? [String: Any])?["processor"] as? String == "8")
            #expect((plain.object["Message"] as? [String: Any])?["portRanges"] as? String == "", "no ranges unless given")

            for (field, value, problem) in [
                ("portRanges", "30010-30000" as Any, "ends before it starts"), ("portRanges", "80-90", "between 1024 and 65535"),
                ("portRanges", "30000-30010, 30005", "overlap"), ("portRanges", "1024-65535", "at most 10000 ports"),
                ("portRanges", "a-b", "must look like"), ("memoryOverallocation", "lots", "whole percentage"),
                ("cpuOverallocation", -5, "whole percentage"), ("maintenance", "yes", "true or false"),
            ] {
                let refused = try await panel.request(.POST, "/api/nodes/create", base.merging(["name": "bad", field: value]) { $1 })
                #expect(refused.status == 400, "\(field)=\(value)")
                #expect((refused.object["error"] as? String)?.contains(field) == true && refused.text.contains(problem), "\(refused.text)")
            }
            #expect(try await panel.request(.GET, "/api/nodes").array.count == 2, "no refused node was kept")

            let edited = try await panel.request(.PATCH, "/api/v1/nodes/\(id)", ["maintenance": true, "portRanges": "31000-31004", "name": "eu-1b"])
            #expect(edited.status == 200, "\(edited.text)")
            #expect(edited.object["maintenance"] as? Bool == true)
            #expect(edited.object["portRanges"] as? String == "31000-31004")
            #expect(edited.object["name"] as? String == "eu-1b")
            #expect(edited.object["memoryOverallocation"] as? Int == 50, "fields not sent stay as they were")

            for body in [
                ["portRanges": "31004-31000", "name": "renamed"], ["address": "169.254.169.254"], ["colour": "blue"], ["port": "0"],
            ] as [[String: Any]] {
                let refused = try await panel.request(.PATCH, "/api/v1/nodes/\(id)", body)
                #expect(refused.status == 400, "\(body): \(refused.text)")
                #expect(refused.object["error"] is String)
            }
            let after = try #require(try await panel.request(.GET, "/api/nodes").array.first { $0["id"] as? String == id })
            #expect(after["name"] as? String == "eu-1b" && after["portRanges"] as? String == "31000-31004", "a refused edit changes nothing")

            let missing = try await panel.request(.PATCH, "/api/v1/nodes/\(UUID().uuidString)", ["maintenance": false])
            #expect(missing.status == 404)
            #expect(missing.object["error"] as? String == "no node with that id")
            let cleared = try await panel.request(.PATCH, "/api/v1/nodes/\(id)", ["portRanges": ""])
            #expect(cleared.object["portRanges"] as? String == "")
        }
    }

    @Test("deploys without ports take free ports of the node's ranges, each once under concurrency; maintenance and overallocation decide admission")
    func portsFromRanges() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            try await InstanceTests.importEchoImage(panel)
            let owner = try await panel.createUser("owner")
            let range = TestPorts.range(3)
            let answer = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["portRanges": "\(range.lowerBound)-\(range.upperBound)"])
            #expect(answer.status == 200, "\(answer.text)")
            #expect((answer.object["cores"] as? Double ?? 0) >= 1, "the node reported its cores")

            func deploy(_ extra: [String: Any] = [:]) async throws -> HTTPAnswer {
                var fields = InstanceTests.deployFields(node: node.id, user: owner, port: 0)
                fields["ports"] = nil
                fields["primary"] = nil
                fields["start"] = false
                fields["memory"] = "64M"
                fields["cpu"] = 0.1
                return try await panel.request(.POST, "/api/instances/deploy", fields.merging(extra) { $1 })
            }

            // Four at once for three ports: three get one each, distinct; the fourth is told the ranges are full.
            let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for _ in 0..<4 { group.addTask { try await deploy() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let admitted = answers.filter { $0.status == 201 }
            #expect(admitted.count == 3, "\(answers.map(\.text))")
            let refused = try #require(answers.first { $0.status != 201 })
            #expect(refused.status == 400)
            #expect((refused.object["error"] as? String)?.contains("fewer than 1 free port") == true, "\(refused.text)")
            var taken: [Int] = []
            for answer in admitted {
                let instance = try await panel.instance(try #require(answer.object["Id"] as? String))
                let ports = try #require(instance["Ports"] as? String)
                let port = try #require(Int(ports.split(separator: ":").first ?? ""))
                #expect(ports == "\(port):\(port)", "a port from a range is published at the same port inside")
                #expect(instance["Primary"] as? String == "\(port)")
                taken.append(port)
            }
            #expect(taken.sorted() == Array(range), "each port of the range went to exactly one instance")

            // Deleting one frees its port for the next deploy.
            let freed = try #require(admitted.first?.object["Id"] as? String)
            let freedPort = try #require(Int((try await panel.instance(freed))["Primary"] as? String ?? ""))
            try await panel.deleteInstance(freed)
            let again = try await deploy()
            #expect(again.status == 201, "\(again.text)")
            #expect((try await panel.instance(try #require(again.object["Id"] as? String)))["Primary"] as? String == "\(freedPort)")
            #expect(try await deploy(["portCount": 2]).status == 400)
            #expect(try await deploy(["portCount": 0]).object["error"] as? String == "portCount must be a whole number from 1 to 32")
            #expect(try await deploy(["primary": "25565"]).status == 400, "primary names a listed port")

            // Maintenance keeps what runs and admits nothing new.
            _ = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["maintenance": true])
            let port = TestPorts.next()
            let inMaintenance = try await deploy(["ports": "\(port):\(port)"])
            #expect(inMaintenance.status == 400)
            #expect((inMaintenance.object["error"] as? String)?.contains("maintenance") == true, "\(inMaintenance.text)")
            _ = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["maintenance": false])

            // The node offers 4096 MiB; 50 % overallocation lets 5000 MiB more be promised, and no more.
            let memoryHungry = ["ports": "\(port):\(port)", "memory": "5000M"]
            let overMemory = try await deploy(memoryHungry)
            #expect(overMemory.status == 400)
            #expect((overMemory.object["error"] as? String)?.hasPrefix("memory: the node has") == true, "\(overMemory.text)")
            _ = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["memoryOverallocation": 50])
            let overallocated = try await deploy(memoryHungry)
            #expect(overallocated.status == 201, "\(overallocated.text)")
            // CPU is promised against the cores the node reports, whatever processor text it was given.
            let tooManyCores = try await deploy(["ports": "\(TestPorts.next())", "cpu": 1000])
            #expect((tooManyCores.object["error"] as? String)?.hasPrefix("cpu: the node has") == true, "\(tooManyCores.text)")
        }
    }
}
