/// One word for where an instance stands, as the panel's and the nodes' metrics label it: being deleted,
/// suspended, not installed (`installing`, `failed`), or else its power state (`running`, `offline`…).
public enum InstanceStateLabel {
    /// From the states as the panel stores them and the nodes report them (`READY`, `running`).
    public static func of(installState: String, powerState: String, suspended: Bool, deleting: Bool) -> String {
        if deleting { return "deleting" }
        if suspended { return "suspended" }
        if installState != InstallState.ready.rawValue { return installState.lowercased() }
        return powerState.lowercased()
    }
}
