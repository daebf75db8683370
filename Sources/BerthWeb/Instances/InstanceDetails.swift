import BerthPanel
import BerthProtocol
import Foundation

/// Everything the instance page shows.
struct InstanceDetails {
    let summary: InstanceSummary
    let image: String
    let dockerImage: String
    let ports: [PortRow]
    /// The Ports card: for those who may change settings of an instance that may have, or has, extra ports.
    let showsPortCard: Bool
    let canAddPort: Bool
    /// e.g. "1 of 2 extra ports in use".
    let portAllowance: String
    let variables: [Variable]
    /// The startup line with the instance's values filled in, when `user` may see them all.
    let startup: String?
    let reason: String?
    let powerState: String
    let createdAt: String?
    let installing: Bool
    let failed: Bool
    let usable: Bool
    /// The settings form: an admin also changes the limits and the startup line.
    let isAdmin: Bool
    let settings: InstanceSettingsForm
    /// The variables the viewer may change, as fields named `var.<NAME>`.
    let editableVariables: [VariableField]
    /// The image's Docker images, when it has more than one to pick from.
    let dockerImages: [Choice]
    /// The newest events that concern the instance, for those who may change its settings.
    let activity: [ActivityRow]
    // Mustache sees stored properties only.
    let offersDockerImages: Bool
    /// The image's Docker images are Java versions of one server (an egg's `java_version` feature).
    let offersJavaVersions: Bool
    /// The image asks for an EULA its owner has not accepted yet: the instance does not start until then.
    let awaitsEULA: Bool
    let hasEditableVariables: Bool
    let hasActivity: Bool
    let may: Permissions
    let subusers: [SubuserRow]
    let invitations: [Invitations.Pending]
    /// What the viewer may grant a new subuser: what they hold themselves.
    let grantable: [Choice]
    /// How the viewer reaches the files over SFTP, when the node serves it and they may read files.
    let sftp: SFTPAccess?
    /// The backup being made, for those who manage backups.
    let backupUnderWay: BackupUnderWay?

    struct BackupUnderWay {
        let name: String
        /// Percent, as the node says.
        let progress: Int
    }

    struct SFTPAccess {
        /// `sftp://alice.1a2b3c4d@node.example.com:2022`, which FileZilla and WinSCP take as it is.
        let address: String
        let login: String
        let host: String
        let port: Int
        /// The node's host key as clients show it on first connect (`SHA256:…`).
        let fingerprint: String
        /// Accounts with a second factor sign in to SFTP otherwise than with their password.
        let needsOtherThanPassword: Bool
    }

    /// How many of the newest events the Activity card lists.
    static let activityShown = 25

    /// What the viewer may do here, one flag per part of the page.
    struct Permissions {
        let readConsole: Bool
        let sendCommands: Bool
        let start: Bool
        let stop: Bool
        let restart: Bool
        let kill: Bool
        let changeSettings: Bool
        let manageSubusers: Bool
        let readFiles: Bool
        let manageBackups: Bool
        let manageSchedules: Bool

        init(_ role: InstanceRole) {
            readConsole = role.may(.consoleRead)
            sendCommands = role.may(.consoleWrite)
            start = role.may(.powerStart)
            stop = role.may(.powerStop)
            restart = role.may(.powerRestart)
            kill = role.may(.powerKill)
            changeSettings = role.may(.settings)
            manageSubusers = role.may(.subusers)
            readFiles = role.may(.filesRead)
            manageBackups = role.may(.backups)
            manageSchedules = role.may(.schedules)
        }
    }

    /// A subuser with their permissions as ticked boxes; boxes the viewer does not hold are shown, not editable.
    struct SubuserRow {
        let userId: String
        let username: String
        let choices: [PermissionChoice]
    }

    struct PermissionChoice {
        let value: String
        let label: String
        let checked: Bool
        let locked: Bool
    }

    struct PortRow {
        let hostPort: Int
        let containerPort: Int
        /// Added by the owner: they may remove it.
        let removable: Bool
    }

    struct ActivityRow {
        let at: String
        let actor: String
        let action: String

        init(_ event: AuditEvent) {
            at = ISO8601DateFormatter().string(from: event.at)
            actor = event.actorKind == AuditEvent.apiKeyKind ? "API key \(event.actor)" : event.actor
            action = event.action
        }
    }

    struct Variable {
        let name: String
        /// Named apart from the image's `label` and others: Mustache looks a missing value up in the outer sections.
        let displayName: String?
        let value: String
        let help: String?
        /// Set through the seed's `/api`, which takes names the image does not declare.
        let undeclared: Bool
    }

    /// What `user` sees: an admin sees every variable, the startup line, and which variables the image does
    /// not declare; an owner sees the declared variables the image lets users see.
    init(
        _ reached: ReachableInstance,
        for user: User,
        subusers shares: [SubuserView],
        invitations: [Invitations.Pending],
        activity events: [AuditEvent],
        extraPorts: Set<Int>,
        backups: [BackupView]
    ) {
        let instance = reached.instance
        self.invitations = invitations
        backupUnderWay = backups.first { $0.state == .creating }.map { BackupUnderWay(name: $0.name, progress: $0.progress ?? 0) }
        let node = instance.node
        if reached.role.may(.filesRead), let port = node.sftpPort, let fingerprint = node.sftpFingerprint {
            let login = "\(user.username).\(instance.id?.uuidString.lowercased().prefix(SFTPLogins.shortIDLength) ?? "")"
            let host = node.address.contains(":") ? "[\(node.address)]" : node.address
            sftp = SFTPAccess(
                address: "sftp://\(login)@\(host):\(port)",
                login: login,
                host: node.address,
                port: port,
                fingerprint: fingerprint,
                needsOtherThanPassword: user.hasTwoFactor
            )
        } else {
            sftp = nil
        }
        let held = reached.role.permissions
        may = Permissions(reached.role)
        subusers = shares.map { share in
            SubuserRow(
                userId: share.userId,
                username: share.username,
                choices: InstancePermission.allCases.map {
                    PermissionChoice(
                        value: $0.rawValue,
                        label: $0.summary,
                        checked: share.permissions.contains($0.rawValue),
                        locked: !held.contains($0)
                    )
                }
            )
        }
        grantable = InstancePermission.allCases.filter(held.contains).map { Choice(value: $0.rawValue, label: $0.summary, selected: false) }
        let view = InstanceView(instance, node: instance.node)
        summary = InstanceSummary(view)
        isAdmin = user.admin
        settings = InstanceSettingsForm(instance, view: view)
        activity = events.map(ActivityRow.init)
        hasActivity = !events.isEmpty
        image = instance.image.name
        dockerImage = instance.dockerImage
        let mappings = (try? JSONDecoder().decode([PortMapping].self, from: Data(instance.ports.utf8))) ?? []
        let mayChange = reached.role.may(.settings)
        ports = mappings.map {
            PortRow(hostPort: $0.hostPort, containerPort: $0.containerPort, removable: mayChange && extraPorts.contains($0.hostPort))
        }
        showsPortCard = mayChange && (instance.extraPortLimit > 0 || !extraPorts.isEmpty)
        canAddPort = mayChange && extraPorts.count < instance.extraPortLimit
        portAllowance = "\(extraPorts.count) of \(instance.extraPortLimit) extra port(s) in use"
        let definition = instance.image.decodedDefinition
        let declared = definition?.variables ?? [:]
        var values = declared.compactMapValues(\.default).merging(view.variables) { _, set in set }
        if !user.admin { values = values.filter { declared[$0.key]?.isUserViewable == true } }
        variables = values.sorted { $0.key < $1.key }.map { name, value in
            Variable(
                name: name,
                displayName: declared[name]?.name,
                value: value,
                help: declared[name]?.description,
                undeclared: declared[name] == nil
            )
        }
        editableVariables = declared.sorted { $0.key < $1.key }.compactMap { name, variable in
            guard reached.role.may(.settings), user.admin || (variable.isUserViewable && variable.isUserEditable) else { return nil }
            return VariableField(name, variable, field: "var.\(name)", value: view.variables[name])
        }
        hasEditableVariables = !editableVariables.isEmpty
        let images = definition?.dockerImages ?? []
        dockerImages =
            images.count > 1
            ? images.map { Choice(value: $0, label: definition?.label(ofDockerImage: $0) ?? $0, selected: $0 == instance.dockerImage) } : []
        offersDockerImages = !dockerImages.isEmpty
        offersJavaVersions = offersDockerImages && definition?.offersJavaVersions == true
        awaitsEULA = definition?.asksForEULA == true && !instance.eulaAccepted
        let visible = user.admin || declared.values.allSatisfy(\.isUserViewable)
        startup = visible ? definition?.startupLine(with: view.variables, startup: instance.startup) : nil
        reason = instance.reason
        powerState = instance.powerState
        createdAt = view.createdAt
        installing = view.internalState == "INSTALLING"
        failed = view.internalState == "FAILED"
        usable = view.internalState == "READY" && !instance.suspended
    }
}

/// The admin's part of the settings form, as the form shows each field: what a save compares against, so
/// it records and sends only what was changed.
struct InstanceSettingsForm {
    let memory: String
    let cpu: String
    let disk: String
    let processes: String
    let extraPortLimit: String
    let backupLimit: String
    let backupSizeLimit: String
    let startup: String

    init(_ instance: Instance, view: InstanceView) {
        memory = String(view.memory)
        cpu = view.cpu.rounded() == view.cpu ? String(Int(view.cpu)) : String(view.cpu)
        disk = String(view.disk)
        processes = String(instance.processes)
        extraPortLimit = String(instance.extraPortLimit)
        backupLimit = String(instance.backupLimit)
        backupSizeLimit = String(instance.backupSizeLimit)
        startup = instance.startup ?? ""
    }

    var values: [(field: String, value: String)] {
        [
            ("memory", memory), ("cpu", cpu), ("disk", disk), ("processes", processes), ("extraPortLimit", extraPortLimit),
            ("backupLimit", backupLimit), ("backupSizeLimit", backupSizeLimit),
            ("startup", startup),
        ]
    }
}
