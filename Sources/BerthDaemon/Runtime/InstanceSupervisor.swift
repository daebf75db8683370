import BerthProtocol
import DockerEngine
import Foundation
import Logging

/// Owns every instance on this node: what should exist (the records, saved to disk), what runs
/// (one container session per running instance), and every change of state, which it reports to the panel.
actor InstanceSupervisor {
    let docker: DockerEngine
    let configuration: DaemonConfiguration
    let blueprint: ContainerBlueprint
    let installer: Installer
    let tasks: BackgroundTasks
    let reporter: PanelReporter
    let stateFile: StateFile
    let logger: Logger

    private var records: [String: InstanceRecord] = [:]
    private var live: [String: LiveState] = [:]
    /// The instances the last run left behind: the ones reconciliation looks at, and no others.
    private var restored: [String] = []

    /// What is known about an instance only while the daemon runs.
    struct LiveState {
        var power: PowerState = .offline
        let console = ConsoleHub()
        /// Identifies the current container session; a session that ended late must not touch a newer one.
        var session: UUID?
        var input: ContainerInput?
        var crashes: [ContinuousClock.Instant] = []
        var restartWhenStopped = false
        /// Why it is offline, when that was not asked for.
        var reason: String?
        var installing = false
    }

    init(
        docker: DockerEngine,
        configuration: DaemonConfiguration,
        tasks: BackgroundTasks,
        reporter: PanelReporter,
        logger: Logger
    ) {
        self.docker = docker
        self.configuration = configuration
        self.blueprint = ContainerBlueprint(configuration: configuration)
        self.installer = Installer(docker: docker, blueprint: blueprint, configuration: configuration, tasks: tasks, logger: logger)
        self.tasks = tasks
        self.reporter = reporter
        self.stateFile = StateFile(dataDirectory: configuration.dataDirectory)
        self.logger = logger
    }

    // MARK: - Reading

    func status(of id: String) throws -> InstanceStatus {
        guard let record = records[id] else { throw InstanceError.notFound(id: id) }
        let state = live[id] ?? LiveState()
        return InstanceStatus(
            id: id,
            installState: record.installState,
            powerState: state.power,
            suspended: record.specification.suspended,
            containerID: record.containerID,
            reason: record.installState == .failed ? record.reason : state.reason,
            lastExitCode: record.lastExitCode
        )
    }

    func allStatuses() -> [InstanceStatus] {
        records.keys.sorted().compactMap { try? status(of: $0) }
    }

    var count: Int { records.count }

    func console(of id: String) throws -> ConsoleHub {
        guard records[id] != nil, let state = live[id] else { throw InstanceError.notFound(id: id) }
        return state.console
    }

    // MARK: - Creating, reinstalling, deleting

    /// Accepts a new instance and installs it in the background.
    func create(_ specification: InstanceSpecification) throws -> InstanceStatus {
        if let problem = specification.problem { throw InstanceError.invalid(problem) }
        guard records[specification.id] == nil else { throw InstanceError.alreadyExists(id: specification.id) }
        records[specification.id] = InstanceRecord(specification: specification)
        live[specification.id] = LiveState()
        try save()
        changed(specification.id)
        beginInstall(specification.id)
        return try status(of: specification.id)
    }

    /// Runs the install script again and recreates the container; the instance must be offline.
    func reinstall(_ id: String) throws -> InstanceStatus {
        guard var record = records[id] else { throw InstanceError.notFound(id: id) }
        try checkNotReconciling(id)
        guard live[id]?.power == .offline || live[id]?.power == .crashed else {
            throw InstanceError.conflict("stop the instance before reinstalling it")
        }
        guard live[id]?.installing != true else { throw InstanceError.conflict("the instance is already installing") }
        record.installState = .installing
        record.reason = nil
        records[id] = record
        try save()
        changed(id)
        beginInstall(id)
        return try status(of: id)
    }

    private func beginInstall(_ id: String) {
        guard let record = records[id], let console = live[id]?.console else { return }
        live[id]?.installing = true
        let specification = record.specification
        tasks.spawn { [installer] in
            let outcome: Result<String, any Error>
            do {
                outcome = .success(try await installer.install(specification, console: console))
            } catch {
                outcome = .failure(error)
            }
            // A daemon shutting down cut the install short; the next one marks it failed with that reason.
            guard !Task.isCancelled else { return }
            await self.installFinished(id, outcome)
        }
    }

    private func installFinished(_ id: String, _ outcome: Result<String, any Error>) {
        live[id]?.installing = false
        guard var record = records[id] else {
            // Deleted while installing: clear away what the install made, container and volume.
            let volume = blueprint.volumePath(for: id)
            tasks.spawn { [docker] in
                if case .success(let containerID) = outcome {
                    try? await docker.removeContainer(containerID, force: true)
                }
                try? FileManager.default.removeItem(atPath: volume)
            }
            return
        }
        switch outcome {
        case .success(let containerID):
            record.installState = .ready
            record.containerID = containerID
            record.reason = nil
        case .failure(let error):
            record.installState = .failed
            record.reason = Self.describe(error)
            logger.warning("install of \(id) failed: \(record.reason ?? "")")
        }
        records[id] = record
        try? save()
        changed(id)
    }

    /// Removes the instance's containers and volume, then forgets it. When Docker cannot confirm the
    /// containers are gone, nothing is forgotten and the error says so: a node never keeps a container
    /// it has no record of.
    func delete(_ id: String) async throws {
        guard records[id] != nil else { throw InstanceError.notFound(id: id) }
        try checkNotReconciling(id)
        records[id]?.shouldRun = false
        try save()
        for name in [ContainerBlueprint.containerName(for: id), ContainerBlueprint.installerName(for: id)] {
            do {
                try await docker.removeContainer(name, force: true)
            } catch DockerEngineError.notFound {
                // Already gone.
            } catch DockerEngineError.conflict {
                // Another request is removing it right now (a retried deletion); wait until it is gone.
                _ = try? await docker.waitForContainer(name, until: .removed)
            } catch {
                throw InstanceError.engine("the instance's containers could not be removed, so it was kept: \(Self.describe(error))")
            }
        }
        let volume = blueprint.volumePath(for: id)
        if FileManager.default.fileExists(atPath: volume) {
            try FileManager.default.removeItem(atPath: volume)
        }
        records[id] = nil
        try save()
        live.removeValue(forKey: id)?.console.disconnectAll()
    }

    // MARK: - Power

    func perform(_ action: PowerAction, on id: String) async throws -> InstanceStatus {
        try checkNotReconciling(id)
        switch action {
        case .start: try await start(id)
        case .stop: try stop(id, kill: false)
        case .kill: try stop(id, kill: true)
        case .restart:
            if live[id]?.power == .offline || live[id]?.power == .crashed {
                try await start(id)
            } else {
                try stop(id, kill: false)
                live[id]?.restartWhenStopped = true
            }
        }
        return try status(of: id)
    }

    /// Starts the container and returns once Docker has started it (or refused to).
    func start(_ id: String) async throws {
        guard let record = records[id], live[id] != nil else { throw InstanceError.notFound(id: id) }
        guard record.installState == .ready, let containerID = record.containerID else {
            throw InstanceError.conflict(record.installState == .installing ? "the instance is still installing" : "the install failed; reinstall it first")
        }
        guard !record.specification.suspended else { throw InstanceError.conflict("the instance is suspended") }
        guard live[id]?.power == .offline || live[id]?.power == .crashed else {
            throw InstanceError.conflict("the instance is already \(live[id]?.power.rawValue ?? "running")")
        }
        records[id]?.shouldRun = true
        try save()
        try await beginSession(id, containerID: containerID, startContainer: true)
    }

    private func stop(_ id: String, kill: Bool) throws {
        guard records[id] != nil, let state = live[id] else { throw InstanceError.notFound(id: id) }
        records[id]?.shouldRun = false
        live[id]?.restartWhenStopped = false
        try save()
        guard state.power != .offline else { return }
        guard let containerID = records[id]?.containerID else { return }
        if state.power == .crashed {
            // Waiting to be restarted: cancelling the restart is the stop.
            setPower(id, .offline)
            return
        }
        setPower(id, .stopping)
        let method = kill ? .signal("SIGKILL") : records[id]?.specification.image.stop ?? .signal("SIGTERM")
        let timeout = Duration.seconds(records[id]?.specification.image.stopTimeoutSeconds ?? 30)
        let session = state.session
        let input = state.input
        tasks.spawn { [docker] in
            switch method {
            case .command(let command) where input != nil:
                try? await input?.write(command + "\n")
            case .command:
                try? await docker.killContainer(containerID, signal: "SIGTERM")
            case .signal(let signal):
                try? await docker.killContainer(containerID, signal: signal)
            }
            // Whatever the process does with the request, it is gone after the timeout; a daemon
            // shutting down meanwhile leaves it to finish its stop in peace.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            if await self.isStillStopping(id, session: session) {
                try? await docker.killContainer(containerID, signal: "SIGKILL")
            }
        }
    }

    /// Until reconciliation has matched an instance with its container, its state is not known: acting
    /// on it then could stop nothing, or start a second session beside a running one.
    private func checkNotReconciling(_ id: String) throws {
        guard !restored.contains(id) else {
            throw InstanceError.engine("the node is still matching this instance with its container after a restart; try again in a moment")
        }
    }

    private func isStillStopping(_ id: String, session: UUID?) -> Bool {
        live[id]?.session == session && live[id]?.power == .stopping
    }

    /// Writes a line to the instance's console.
    func sendCommand(_ command: String, to id: String) async throws {
        guard live[id] != nil else { throw InstanceError.notFound(id: id) }
        guard let input = live[id]?.input, live[id]?.power == .running || live[id]?.power == .starting else {
            throw InstanceError.conflict("the instance is not running")
        }
        guard !command.contains("\n"), !command.contains("\r") else { throw InstanceError.invalid("a command is one line") }
        do {
            try await input.write(command + "\n")
        } catch {
            throw InstanceError.engine("the command could not be written to the console: \(error)")
        }
    }

    // MARK: - Limits and suspension

    func updateLimits(_ limits: ResourceLimits, of id: String) async throws -> InstanceStatus {
        guard var record = records[id] else { throw InstanceError.notFound(id: id) }
        if let problem = limits.problem { throw InstanceError.invalid(problem) }
        record.specification.limits = limits
        records[id] = record
        try save()
        if let containerID = record.containerID {
            do {
                try await docker.updateContainer(containerID, limits: ContainerBlueprint.containerLimits(limits))
            } catch {
                throw InstanceError.engine("the new limits were saved but Docker refused them: \(error)")
            }
        }
        return try status(of: id)
    }

    /// A suspended instance is stopped and cannot start until unsuspended.
    func setSuspended(_ suspended: Bool, _ id: String) async throws -> InstanceStatus {
        guard records[id] != nil else { throw InstanceError.notFound(id: id) }
        try checkNotReconciling(id)
        records[id]?.specification.suspended = suspended
        try save()
        if suspended {
            try stop(id, kill: false)
            live[id]?.console.publish(ConsoleMessage(event: .notice, data: "the instance was suspended"))
            live[id]?.console.disconnectAll()
        }
        changed(id)
        return try status(of: id)
    }

    // MARK: - Sessions

    /// Attaches to the container and, unless it already runs, starts it. Returns once it started.
    private func beginSession(_ id: String, containerID: String, startContainer: Bool) async throws {
        guard let record = records[id], let console = live[id]?.console else { throw InstanceError.notFound(id: id) }
        let session = UUID()
        live[id]?.session = session
        live[id]?.reason = nil
        if startContainer { setPower(id, .starting) }
        let containerSession = ContainerSession(
            instanceID: id, containerID: containerID, session: session,
            readyPattern: record.specification.image.readyPattern,
            docker: docker, console: console, supervisor: self
        )
        do {
            try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
                let spawned = tasks.spawn {
                    await containerSession.run(startContainer: startContainer, started: started)
                }
                if !spawned { started.resume(throwing: CancellationError()) }
            }
            // A container that was already running counts as running once its console is attached,
            // so a command sent the moment it shows as running reaches it.
            if !startContainer, live[id]?.session == session { setPower(id, .running) }
            // A stop that came while the container was being started found nothing to stop; ask again now.
            if startContainer, live[id]?.session == session, live[id]?.power == .stopping {
                try? stop(id, kill: false)
            }
        } catch {
            if live[id]?.session == session {
                live[id]?.session = nil
                live[id]?.input = nil
                live[id]?.reason = Self.describe(error)
                setPower(id, .offline)
            }
            throw InstanceError.engine("the instance could not start: \(Self.describe(error))")
        }
    }

    func sessionAttached(_ id: String, session: UUID, input: ContainerInput) {
        guard live[id]?.session == session else { return }
        live[id]?.input = input
    }

    func sessionReady(_ id: String, session: UUID) {
        guard live[id]?.session == session, live[id]?.power == .starting else { return }
        setPower(id, .running)
    }

    /// The container stopped. A stop that was asked for leaves the instance offline; anything else is a crash.
    func sessionEnded(_ id: String, session: UUID, exitCode: Int?, killedForMemory: Bool) {
        guard live[id]?.session == session, var state = live[id] else { return }
        state.session = nil
        state.input = nil
        records[id]?.lastExitCode = exitCode
        let asked = state.power == .stopping || records[id]?.shouldRun == false
        let restart = state.restartWhenStopped
        state.restartWhenStopped = false
        live[id] = state
        if asked {
            setPower(id, .offline)
            if restart { tasks.spawn { try? await self.start(id) } }
        } else if exitCode == 0 && !killedForMemory {
            records[id]?.shouldRun = false
            live[id]?.reason = "the process exited by itself with code 0"
            setPower(id, .offline)
        } else {
            crashed(id, exitCode: exitCode, killedForMemory: killedForMemory)
        }
        try? save()
    }

    private func crashed(_ id: String, exitCode: Int?, killedForMemory: Bool) {
        let now = ContinuousClock.now
        var crashes = (live[id]?.crashes ?? []).filter { now - $0 < configuration.crashWindow }
        crashes.append(now)
        live[id]?.crashes = crashes
        let cause = killedForMemory ? "it ran out of memory" : "exit code \(exitCode.map(String.init) ?? "unknown")"
        if crashes.count >= configuration.crashLimit {
            records[id]?.shouldRun = false
            live[id]?.reason = "crashed \(crashes.count) times within \(configuration.crashWindow.components.seconds) seconds (last: \(cause)); not restarting"
            setPower(id, .offline)
            logger.warning("instance \(id) gave up: \(live[id]?.reason ?? "")")
            return
        }
        live[id]?.reason = "crashed (\(cause)); restarting"
        setPower(id, .crashed)
        let backoff = Duration.seconds(1 << (crashes.count - 1))
        tasks.spawn {
            try? await Task.sleep(for: backoff)
            await self.restartAfterCrash(id)
        }
    }

    private func restartAfterCrash(_ id: String) async {
        guard live[id]?.power == .crashed, records[id]?.shouldRun == true else { return }
        do {
            try await start(id)
        } catch {
            logger.warning("instance \(id) could not be restarted after a crash: \(error)")
        }
    }

    // MARK: - Reconciling after a restart

    /// Loads the records saved by the last run.
    func loadState() throws {
        for record in try stateFile.load() {
            records[record.id] = record
            live[record.id] = LiveState()
            restored.append(record.id)
        }
    }

    /// Matches the records with the containers Docker has: reattaches to running ones, recreates
    /// missing ones, fails installs that were cut short, and reports containers nobody owns.
    func reconcileWithDocker() async {
        let containers: [ContainerSummary]
        do {
            containers = try await docker.listContainers(labels: ["\(ContainerBlueprint.nodeLabel)=\(configuration.nodeID)"])
        } catch {
            logger.warning("cannot reconcile with Docker: \(error)")
            restored = []
            return
        }
        for container in containers {
            let id = container.labels[ContainerBlueprint.instanceLabel] ?? ""
            if records[id] == nil {
                logger.warning("container \(container.names.first ?? container.id) belongs to instance \(id), which this node does not know; leaving it alone")
            } else if container.labels[ContainerBlueprint.roleLabel] == "installer" {
                try? await docker.removeContainer(container.id, force: true)
            }
        }
        for id in restored.sorted() {
            await reconcile(id, containers: containers)
            restored.removeAll { $0 == id }
        }
        restored = []
        try? save()
    }

    /// Matches one restored instance with its container.
    private func reconcile(_ id: String, containers: [ContainerSummary]) async {
        guard var record = records[id] else { return }
        if record.installState == .installing {
            record.installState = .failed
            record.reason = "the daemon stopped while this instance was installing; reinstall it"
            records[id] = record
            changed(id)
            return
        }
        guard record.installState == .ready else { return }
        let runtime = containers.first { $0.labels[ContainerBlueprint.instanceLabel] == id && $0.labels[ContainerBlueprint.roleLabel] == "runtime" }
        if runtime == nil {
            do {
                record.containerID = try await installer.createRuntimeContainer(record.specification)
                records[id] = record
                logger.info("recreated the missing container of instance \(id)")
            } catch {
                record.installState = .failed
                record.reason = "its container was missing and could not be recreated: \(Self.describe(error))"
                records[id] = record
                changed(id)
                return
            }
        } else {
            record.containerID = runtime?.id
            records[id] = record
        }
        guard let containerID = record.containerID else { return }
        if runtime?.state == "running" {
            try? await beginSession(id, containerID: containerID, startContainer: false)
        } else if record.shouldRun, !record.specification.suspended {
            try? await beginSession(id, containerID: containerID, startContainer: true)
        } else {
            changed(id)
        }
    }

    // MARK: - Helpers

    private func setPower(_ id: String, _ power: PowerState) {
        guard live[id] != nil, live[id]?.power != power else { return }
        live[id]?.power = power
        live[id]?.console.publish(ConsoleMessage(event: .status, data: power.rawValue))
        changed(id)
    }

    /// Reports the instance's status to the panel.
    private func changed(_ id: String) {
        guard let status = try? status(of: id) else { return }
        reporter.report(status)
    }

    private func save() throws {
        try stateFile.save(Array(records.values))
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case InstanceError.engine(let message), InstanceError.conflict(let message), InstanceError.invalid(let message):
            message
        case let error as DockerEngineError:
            error.description
        default:
            String(describing: error)
        }
    }
}
