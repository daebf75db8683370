import BerthHTTP
import BerthProtocol
import DockerEngine
import Foundation
import Logging

/// Owns every instance on this node: what should exist (the records, saved to disk), what runs (one
/// container session per running instance), and every change of state, which it reports to the panel.
///
/// The decisions are ``InstanceLifecycle``'s; this actor performs them: it calls Docker, runs sessions
/// and installs as background tasks, saves the state file and reports to the panel. Its concerns are
/// split across `InstanceSupervisor+Install`, `+Power`, `+Sessions` and `+Reconciliation`.
actor InstanceSupervisor {
    let docker: DockerEngine
    let blueprint: ContainerBlueprint
    let installer: Installer
    /// The disks of instances with a disk limit.
    let disks: InstanceDisks
    let tasks: BackgroundTasks
    let reporter: PanelReporter
    let stateFile: StateFile
    let crashPolicy: CrashPolicy
    /// `berth.node=<id>`: picks this node's containers out of a shared engine's.
    let containerLabel: String
    /// Installs timed and crash restarts counted, for `/metrics`.
    let metrics: MetricsRegistry
    let logger: Logger

    var records: [String: InstanceRecord] = [:]
    /// Each known instance's console and, while a session is attached, the container's input.
    var consoles: [String: ConsoleHub] = [:]
    var inputs: [String: ContainerInput] = [:]
    /// The last round of resource samples, and one being taken (see ``usage()``).
    var lastUsage: (at: ContinuousClock.Instant, samples: [String: ResourceSample])?
    var usageRound: Task<[String: ResourceSample], Never>?
    /// What the files of each instance without a disk limit took when last counted, and those being
    /// counted now (see ``diskUsage()``).
    var countedFiles: [String: (bytes: Int64, at: ContinuousClock.Instant)] = [:]
    var filesBeingCounted: Set<String> = []
    /// When each running instance's container started, by the session that runs it: asked of Docker once a run.
    var startMoments: [String: (session: UUID, at: Double)] = [:]
    /// The backup being made of each instance, one at a time.
    var backupsUnderWay: [String: BackupMeter] = [:]
    /// Instances on their way here from another node, by transfer: each waits for its files, which come
    /// once, with the transfer's token. Not saved: a restart ends them, and the panel rolls them back.
    var incomingTransfers: [String: IncomingTransferState] = [:]

    init(
        docker: DockerEngine,
        blueprint: ContainerBlueprint,
        installer: Installer,
        disks: InstanceDisks,
        tasks: BackgroundTasks,
        reporter: PanelReporter,
        stateFile: StateFile,
        crashPolicy: CrashPolicy,
        containerLabel: String,
        metrics: MetricsRegistry,
        logger: Logger
    ) {
        self.docker = docker
        self.blueprint = blueprint
        self.installer = installer
        self.disks = disks
        self.tasks = tasks
        self.reporter = reporter
        self.stateFile = stateFile
        self.crashPolicy = crashPolicy
        self.containerLabel = containerLabel
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: - Reading

    func status(of id: String) throws -> InstanceStatus {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        return Self.status(of: record)
    }

    static func status(of record: InstanceRecord) -> InstanceStatus {
        InstanceStatus(
            id: record.id,
            installState: record.lifecycle.install,
            powerState: record.lifecycle.power,
            suspended: record.lifecycle.suspended,
            containerID: record.containerID,
            reason: record.lifecycle.reason,
            lastExitCode: record.lastExitCode
        )
    }

    func allStatuses() -> [InstanceStatus] {
        records.keys.sorted().compactMap { records[$0].map(Self.status(of:)) }
    }

    var count: Int { records.count }

    func console(of id: String) throws -> ConsoleHub {
        guard records[id] != nil, let console = consoles[id] else { throw InstanceError.notFound(id: id) }
        return console
    }

    // MARK: - Changing

    /// Changes an instance for a request, and performs what follows from the change: the console hears
    /// of a new power state, the panel of a new status, the state file of what it keeps. A change that
    /// cannot be saved is refused; what it did in memory stands, and is saved with the next change.
    @discardableResult
    func change<Result>(_ id: String, _ body: (inout InstanceRecord) throws -> Result) throws -> Result {
        guard var record = records[id] else { throw InstanceError.notFound(id: id) }
        let before = record
        let result = try body(&record)
        records[id] = record
        announce(record, after: before)
        if !record.savesSame(as: before) { try save() }
        return result
    }

    /// Changes an instance for an event nobody waits on (a session ended, an install finished): a failed
    /// save is logged at error level, since no one else would hear of it.
    @discardableResult
    func note<Result>(_ id: String, _ body: (inout InstanceRecord) -> Result) -> Result? {
        do {
            return try change(id, body)
        } catch InstanceError.notFound {
            return nil
        } catch {
            logger.about(instance: id).error("instance \(id): \(InstanceError.describe(error))")
            return nil
        }
    }

    /// The lines of output a crash's report carries, for the webhooks that hear of it.
    static let crashReportLines = 20

    private func announce(_ record: InstanceRecord, after before: InstanceRecord) {
        let power = record.lifecycle.power
        if power != before.lifecycle.power {
            consoles[record.id]?.publish(ConsoleMessage(event: .status, data: power.rawValue))
            // A crash has a line of its own, with the exit code and what the crash policy does next.
            if power != .crashed { consoles[record.id]?.publishNotice("server marked as \(power.rawValue)") }
        }
        let status = Self.status(of: record)
        guard status != Self.status(of: before) else { return }
        let crashed = power == .crashed && before.lifecycle.power != .crashed
        reporter.report(status, lastLines: crashed ? consoles[record.id]?.lastLines(Self.crashReportLines) : nil)
    }

    /// Writes every record to the state file.
    func save() throws {
        do {
            try stateFile.save(Array(records.values))
        } catch {
            throw InstanceError.failed("the node's state file \(stateFile.path) could not be written: \(error)")
        }
    }

    /// Saves, and logs what could not be saved, for work that has nobody to answer.
    func saveOrLog() {
        do {
            try save()
        } catch {
            logger.error("\(InstanceError.describe(error))")
        }
    }
}
