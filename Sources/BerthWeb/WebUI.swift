import BerthPanel
import Foundation
import Hummingbird
import ServiceLifecycle

/// The web UI: server-rendered pages for users and administrators, behind a session and CSRF checks.
/// One client of the panel's core, like `/api`: each page gets the stores it uses and nothing else.
public struct WebUI: PanelFrontEnd {
    public typealias Context = WebRequestContext

    let pages: WebPages
    let assets: StaticAssets
    let sessions: WebSessions
    let users: UserStore
    let sftpCredentials: SFTPCredentials
    let instances: InstanceStore
    let webhooks: WebhookStore
    let subusers: SubuserStore
    let invitations: Invitations
    let passwordResets: PasswordResets
    let mailSettings: MailSettingsStore
    let mailer: Mailer
    let nodes: NodeStore
    let trust: NodeTrust
    let images: ImageStore
    let imageImporter: ImageImporter
    let apiKeys: APIKeyStore
    let audit: AuditLog
    let throttle: SignInThrottles
    let consoleSlots: ConsoleSlots
    let publicURL: String
    let box: SecretBox

    /// The web UI of `panel`.
    public init(panel: Panel) throws {
        pages = try WebPages()
        assets = StaticAssets()
        sessions = WebSessions(
            driver: panel.persistence,
            secureCookies: panel.configuration.publicURL.hasPrefix("https://"),
            visitorFormKey: panel.key.derived(for: "visitor forms")
        )
        users = panel.users
        sftpCredentials = panel.sftpCredentials
        instances = panel.instances
        webhooks = panel.webhooks
        subusers = panel.subusers
        invitations = panel.invitations
        passwordResets = panel.passwordResets
        mailSettings = panel.mailSettings
        mailer = panel.mailer
        nodes = panel.nodes
        trust = panel.trust
        images = panel.images
        imageImporter = panel.imageImporter
        apiKeys = panel.apiKeys
        audit = panel.audit
        throttle = panel.signInThrottles
        publicURL = panel.configuration.publicURL
        box = panel.box
        consoleSlots = panel.consoleSlots
    }

    /// Removes expired sessions.
    public var services: [any Service] { [sessions.driver] }

    public func addRoutes(to router: Router<WebRequestContext>) {
        // Outside `/api`, whatever fails (an unknown address, most often) is answered with a page.
        router.add(middleware: PagesOutsideAPIMiddleware(errors: WebErrorMiddleware(pages: pages)))
        assets.addRoutes(to: router)
        // Errors become pages twice over: inside, with the signed-in user's navigation; outside, for what
        // the session and form checks themselves refuse.
        let web = router.group()
            .add(middleware: WebErrorMiddleware(pages: pages))
            .add(middleware: sessions.middleware)
            .add(middleware: WebMiddleware(users: users, visitors: sessions.visitors))
            .add(middleware: WebErrorMiddleware(pages: pages))
        SignInController(pages: pages, users: users, throttle: throttle, sessions: sessions, audit: audit, mailer: mailer).addRoutes(to: web)
        PasswordResetController(pages: pages, resets: passwordResets, mailer: mailer, audit: audit).addRoutes(to: web)
        InvitationController(pages: pages, invitations: invitations, audit: audit).addRoutes(to: web)

        let signedIn = web.group().add(middleware: RequireSignIn())
        let access = InstanceAccess(instances: instances, users: users)
        InstancePages(pages: pages, instances: instances, subusers: subusers, invitations: invitations, access: access, audit: audit)
            .addRoutes(to: signedIn)
        SubuserPages(subusers: subusers, invitations: invitations, access: access, audit: audit).addRoutes(to: signedIn)
        FilePages(pages: pages, instances: instances, access: access, audit: audit).addRoutes(to: signedIn)
        BackupPages(pages: pages, instances: instances, access: access, audit: audit).addRoutes(to: signedIn)
        SchedulePages(pages: pages, instances: instances, access: access, audit: audit).addRoutes(to: signedIn)
        let webhookPages = WebhookPages(pages: pages, webhooks: webhooks, access: access, audit: audit, box: box)
        webhookPages.addInstanceRoutes(to: signedIn)
        LiveStates(instances: instances, access: access, sessions: sessions).addRoutes(to: signedIn)
        ConsoleRelay(access: access, sessions: sessions, audit: audit, consoleSlots: consoleSlots, box: box, publicURL: publicURL).addRoutes(
            to: signedIn
        )
        AccountController(pages: pages, users: users, sftp: sftpCredentials, audit: audit).addRoutes(to: signedIn)

        let admin = signedIn.group("admin").add(middleware: RequireAdmin())
        InstancesPage(pages: pages, instances: instances, users: users, nodes: nodes, images: images, audit: audit)
            .addRoutes(to: admin)
        UsersPage(pages: pages, users: users, audit: audit).addRoutes(to: admin)
        NodesPage(pages: pages, nodes: nodes, trust: trust, audit: audit, box: box).addRoutes(to: admin)
        ImagesPage(pages: pages, images: images, importer: imageImporter, audit: audit).addRoutes(to: admin)
        APIKeysPage(pages: pages, apiKeys: apiKeys, users: users, audit: audit, box: box).addRoutes(to: admin)
        MailPage(pages: pages, settings: mailSettings, mailer: mailer, audit: audit).addRoutes(to: admin)
        AuditPage(pages: pages, audit: audit).addRoutes(to: admin)
        webhookPages.addAdminRoutes(to: admin)
    }
}
