/// The small image the tests run, built locally from Debian's busybox-static by `scripts/test`
/// (no registry is reachable).
public enum TestImage {
    public static let name = "berth-test/busybox:latest"
}
