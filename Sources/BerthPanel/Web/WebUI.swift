import Foundation
import Hummingbird

/// The web UI: server-rendered pages for users and administrators, behind a session and CSRF checks.
struct WebUI: Sendable {
    let pages: WebPages
    let assets: StaticAssets
    let sessions: WebSessions
    let panel: Panel
    let audit: AuditLog
    let throttle: SignInThrottle

    init(panel: Panel) throws {
        pages = try WebPages()
        assets = StaticAssets()
        sessions = WebSessions(database: panel.database, secureCookies: panel.configuration.publicURL.hasPrefix("https://"))
        self.panel = panel
        audit = panel.audit
        throttle = SignInThrottle(clientLimit: panel.configuration.failedAuthenticationLimit)
    }

    func addRoutes(to router: Router<PanelRequestContext>) {
        assets.addRoutes(to: router)
        // Errors become pages twice over: inside, with the signed-in user's navigation; outside, for what
        // the session and form checks themselves refuse.
        let web = router.group()
            .add(middleware: WebErrorMiddleware(pages: pages))
            .add(middleware: sessions.middleware)
            .add(middleware: WebMiddleware(database: panel.database))
            .add(middleware: WebErrorMiddleware(pages: pages))
        SignInController(pages: pages, users: panel.users, throttle: throttle, sessions: sessions, audit: audit).addRoutes(to: web)

        let signedIn = web.group().add(middleware: RequireSignIn())
        let access = InstanceAccess(database: panel.database)
        InstancePages(pages: pages, instances: panel.instances, access: access).addRoutes(to: signedIn)
        ConsoleRelay(access: access, audit: audit, publicURL: panel.configuration.publicURL).addRoutes(to: signedIn)
        AccountController(pages: pages, database: panel.database, audit: audit).addRoutes(to: signedIn)

        let admin = signedIn.group("admin").add(middleware: RequireAdmin())
        InstancesPage(pages: pages, instances: panel.instances, audit: audit).addRoutes(to: admin)
        UsersPage(pages: pages, users: panel.users, audit: audit).addRoutes(to: admin)
        NodesPage(pages: pages, nodes: panel.nodes, audit: audit).addRoutes(to: admin)
        ImagesPage(pages: pages, images: panel.images, audit: audit).addRoutes(to: admin)
        APIKeysPage(pages: pages, apiKeys: panel.apiKeys, audit: audit).addRoutes(to: admin)
        AuditPage(pages: pages, audit: audit).addRoutes(to: admin)
    }
}
