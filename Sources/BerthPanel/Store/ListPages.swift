import Foundation

/// A list read a page at a time (instances, users). Its ids are read first, in one query: they are the
/// list's snapshot and its order. Each page then reads its rows as they are now, so a row deleted meanwhile
/// is left out rather than shown as it was, and a list of any length is never held whole in memory.
package struct ListPages<Row: Sendable>: AsyncSequence, Sendable {
    package typealias Element = [Row]

    let ids: ArraySlice<UUID>
    let pageSize: Int
    /// Reads these rows, in the order of the list.
    let read: @Sendable ([UUID]) async throws -> [Row]

    /// The first page, read now, and the pages after it.
    package func splittingFirst() async throws -> (first: [Row], rest: ListPages) {
        let rest = ListPages(ids: ids.dropFirst(pageSize), pageSize: pageSize, read: read)
        return (ids.isEmpty ? [] : try await read(Array(ids.prefix(pageSize))), rest)
    }

    package struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<UUID>
        let pageSize: Int
        let read: @Sendable ([UUID]) async throws -> [Row]

        package mutating func next() async throws -> [Row]? {
            guard !remaining.isEmpty else { return nil }
            let page = Array(remaining.prefix(pageSize))
            remaining = remaining.dropFirst(pageSize)
            return try await read(page)
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: ids, pageSize: pageSize, read: read)
    }
}

/// How many rows a page of a streamed list reads at once.
let listPageSize = 500
