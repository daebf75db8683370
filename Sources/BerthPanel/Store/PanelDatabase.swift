import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import ServiceLifecycle
import Synchronization

/// The panel's database: SQLite in the data directory by default, PostgreSQL when a URL is given.
/// Opening it applies the migrations; running it as a service closes it cleanly at shutdown.
final class PanelDatabase: Service, Sendable {
    enum Location: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    let databases: Databases
    let location: Location

    /// The database's clock in seconds since 1970, as SQL: processes on different machines that compare
    /// times the database keeps compare them on one clock.
    var clock: String {
        switch location {
        case .sqlite: "((julianday('now') - 2440587.5) * 86400.0)"
        case .postgres: "EXTRACT(EPOCH FROM clock_timestamp())"
        }
    }
    let logger: Logger
    /// SQLite's commit counter, which lets readers see that nothing changed without asking (``ListEpochReader``).
    var changeCounter: SQLiteChangeCounter? { counter.withLock { $0 } }
    /// Set once the migrations ran, when some connection has opened the write-ahead log and its index.
    private let counter = Mutex<SQLiteChangeCounter?>(nil)
    private let writeTurns = WriteTurns()
    /// The threads SQLite's calls run on, this database's own. A writer that finds the file locked spins
    /// (sqlite-nio's busy handler) on one of them; on the process-wide pool (as many threads as cores)
    /// such writers took every thread, the transaction holding the lock never got one to finish, and
    /// every panel in the process stopped (seen with the test suite's many panels). With more threads
    /// than the pool has connections (one per event loop), the holder always finds a thread.
    private let threadPool: NIOThreadPool

    /// Opens the database and brings its schema up to date.
    init(_ location: Location, box: SecretBox, logger: Logger) async throws {
        self.location = location
        // Drivers log statements with their bound values at debug and trace; those values include
        // password hashes and node tokens, so the database's logger never goes below info.
        var logger = logger
        logger.logLevel = max(logger.logLevel, .info)
        self.logger = logger
        threadPool = NIOThreadPool(numberOfThreads: System.coreCount + 2)
        threadPool.start()
        databases = Databases(threadPool: threadPool, on: MultiThreadedEventLoopGroup.singleton)
        switch location {
        case .sqlite(let path):
            databases.use(.sqlite(.init(storage: .file(path: path)), sqlLogLevel: nil), as: .sqlite)
        case .postgres(let url):
            databases.use(try .postgres(url: url, sqlLogLevel: .trace), as: .psql)
        }
        do {
            if case .sqlite = location, let sql = db() as? any SQLDatabase {
                // WAL lets readers work while one writer writes; the file keeps this setting.
                try await sql.raw("PRAGMA journal_mode=WAL").run()
                try await boundWaitsForTheLock()
            }
            let migrations = Migrations()
            migrations.add(CreateSchema())
            migrations.add(AddWebSchema())
            migrations.add(IndexInstanceReads())
            migrations.add(DropUnusedAPIKeyColumn())
            migrations.add(CreateThrottles())
            migrations.add(SplitNodeChannel())
            migrations.add(SealStoredSecrets(box: box))
            migrations.add(CreateConsoleSlots())
            migrations.add(AddNodeAllocationPolicy())
            migrations.add(AddAPIKeyScopes())
            migrations.add(CreateSubusers())
            migrations.add(CreateMailTables())
            migrations.add(AddInstanceSettings())
            migrations.add(OneResetPerAccount())
            migrations.add(AddNodeDefaultDisk())
            migrations.add(AddNodeSFTP())
            migrations.add(CreateSFTPKeys())
            migrations.add(CreateBackups())
            migrations.add(CreateSchedules())
            migrations.add(CreateWebhooks())
            migrations.add(AddBackupStorage())
            migrations.add(AddNodeOfflineReport())
            migrations.add(CreateGrantEpoch())
            migrations.add(CreateListEpochs())
            migrations.add(ListsShowNodeStatus())
            migrations.add(AddDeployingProcess())
            migrations.add(CreateWorkLeases())
            migrations.add(CreateTransfers())
            migrations.add(IndexForManyNodes())
            let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            if case .sqlite(let path) = location {
                counter.withLock { $0 = SQLiteChangeCounter(databasePath: path) }
            }
        } catch {
            await databases.shutdownAsync()
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    /// How long a SQLite writer waits for another to release the file before its request fails (a 503).
    static let busyTimeoutMilliseconds = 5000

    /// sqlite-nio's busy handler retries a locked file for ever, spinning a thread; `busy_timeout` replaces it
    /// with a wait that sleeps and gives up. It is a setting of each connection, and the pool keeps one
    /// connection per event loop, so each loop's connection gets it.
    private func boundWaitsForTheLock() async throws {
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            guard let sql = databases.database(logger: logger, on: loop) as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.busyTimeoutMilliseconds))").run()
        }
    }

    /// A handle for one unit of work (Fluent models).
    func db() -> any Database {
        guard let database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()) else {
            preconditionFailure("init registers the default database")
        }
        return database
    }

    /// A handle for hand-written SQL that throws once the database is closed, for a service that may still
    /// be running when it is: services are cancelled all at once when a panel stops without a graceful
    /// shutdown, and ``db()`` would then stop the process.
    func sqlWhileOpen() throws -> any SQLDatabase {
        guard let sql = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()) as? any SQLDatabase else {
            throw Closed()
        }
        return sql
    }

    /// Runs `body` on one connection that waits for a locked SQLite file only briefly, for a periodic write
    /// that can as well be tried again later: with the usual busy timeout it would hold one of the pool's few
    /// connections for seconds, and requests queued behind it for that connection would time out (a 500
    /// where the locked file is a 503). PostgreSQL locks rows, not the file, so there it is a plain write.
    func withBriefWaitForTheLock(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        guard case .sqlite = location else { return try await body(sqlWhileOpen()) }
        try await sqlWhileOpen().withSession { connection in
            try await connection.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.briefBusyTimeoutMilliseconds))").run()
            let restore: SQLQueryString = "PRAGMA busy_timeout = \(unsafeRaw: String(Self.busyTimeoutMilliseconds))"
            do {
                try await body(connection)
            } catch {
                try await connection.raw(restore).run()
                throw error
            }
            try await connection.raw(restore).run()
        }
    }

    /// How long ``withBriefWaitForTheLock(_:)`` waits for the file.
    static let briefBusyTimeoutMilliseconds = 50

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the panel's database is closed" }
    }

    /// A handle for hand-written SQL, where the model layer costs too much (see docs/performance.md).
    func sql() -> any SQLDatabase {
        guard let sql = db() as? any SQLDatabase else {
            preconditionFailure("both drivers are SQL databases")
        }
        return sql
    }

    /// Runs a transaction that must not overlap another of its kind in this process (a deploy's capacity
    /// check and insert). On SQLite a second writer waits by spinning on a thread of the pool the first
    /// one needs to finish; on PostgreSQL, concurrent deploys each holding a pooled connection in their
    /// transaction starved the pool (seen as a hang of the racing-deploy tests). Across panel processes on
    /// one PostgreSQL, the node row the transaction writes first is the lock.
    func inTurn<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        try await writeTurns.run(body)
    }

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes the database when it was opened but never run.
    func close() async {
        await databases.shutdownAsync()
        // Let go only now: its descriptor closes with its last holder, after the connections.
        counter.withLock { $0 = nil }
        try? await threadPool.shutdownGracefully()
    }
}

extension PanelDatabase: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and what this holds is no log's business.
    var description: String { "PanelDatabase" }
}
