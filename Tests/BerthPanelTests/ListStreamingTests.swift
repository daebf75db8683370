import BerthHTTP
import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

/// `GET /api/instances` and `GET /api/users` are written a page at a time, so a list of ten thousand is
/// never held whole, and read the same as the arrays they replaced.
@Suite("Lists, streamed")
struct ListStreamingTests {
    @Test("pages read ids once and rows as they are now: byte for byte the whole array; one deleted meanwhile is left out")
    func pagesAndBytes() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            var ids: [String] = []
            for _ in 0..<3 { ids.append(try await InstanceTests.deployReadyEcho(panel, owner: owner)) }
            let store = panel.panel.instances

            // Two pages of two and one, in the order of the whole list, the first read before the rest.
            let (first, rest) = try await store.allPaged(pageSize: 2).splittingFirst()
            var pages = [first]
            for try await page in rest { pages.append(page) }
            #expect(pages.map(\.count) == [2, 1])
            let whole = try await store.all()
            #expect(pages.flatMap { $0 }.map(\.id) == whole.map(\.id) && whole.map(\.id) == ids, "oldest first")

            // The route's bytes are what one encoder writes for the whole array, read while the node's reports
            // left the instances as they were (a report between the two readings would make them differ).
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var compared = false
            for _ in 0..<5 where !compared {
                let before = try encoder.encode(try await store.all())
                let listed = try await panel.request(.GET, "/api/instances")
                guard try encoder.encode(try await store.all()) == before else { continue }
                #expect(listed.status == 200 && listed.headers["content-type"] == "application/json; charset=utf-8")
                #expect(listed.body == before, "\(listed.text)")
                compared = true
            }
            #expect(compared, "the instances never stood still for one list")

            // The list's ids are its snapshot; a row gone by the time its page is read is left out.
            let (firstOfOne, later) = try await store.allPaged(pageSize: 1).splittingFirst()
            try await panel.deleteInstance(ids[1])
            var rest1: [String] = []
            for try await page in later { rest1 += page.map(\.id) }
            #expect(firstOfOne.map(\.id) == [ids[0]] && rest1 == [ids[2]])

            // No instances: an empty array, as before.
            for id in [ids[0], ids[2]] { try await panel.deleteInstance(id) }
            #expect(try await panel.request(.GET, "/api/instances").text == "[]")
        }
    }

    @Test("users are listed the same way: pages in the order of the whole list, byte for byte its array")
    func users() async throws {
        try await InProcessPanel.with { panel in
            for name in ["ada", "brook", "cato"] {
                let fields = #"{"username": "\#(name)", "email": "\#(name)@example.com", "password": "a good long password"}"#
                #expect(try await panel.request(.POST, "/api/auth/create-user", json: fields).status == 201)
            }
            let store = panel.panel.users
            let (first, rest) = try await store.allPaged(pageSize: 2).splittingFirst()
            var pages = [first.map(\.username)]
            for try await page in rest { pages.append(page.map(\.username)) }
            #expect(pages == [["ada", "brook"], ["cato"]])

            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let listed = try await panel.request(.GET, "/api/users")
            #expect(listed.status == 200)
            #expect(listed.body == (try encoder.encode(try await store.all().map(UserView.init))), "\(listed.text)")
        }
    }
}
