/// The version of Berth this build is, reported by both the panel and the daemon.
public enum BerthVersion {
    public static let current = "0.1.0"
}
