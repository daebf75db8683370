import BerthProtocol
import Testing

@Suite("Archive names the node unpacks")
struct ArchiveNameTests {
    @Test("the suffixes of zip and tar, plain or compressed, in any case; nothing else")
    func names() {
        for name in [
            "backup.tar.gz", "backup.zip", "WORLD.ZIP", "mods.tgz", "a.tar", "a.tar.xz", "a.txz", "a.tar.zst", "a.tzst", "a.tar.bz2", "a.tbz2",
        ] {
            #expect(ArchiveName.isUnpackable(name), "\(name)")
        }
        for name in ["installed.txt", "zip", "backup.tar.gz.txt", "server.jar", "notes.gz", ""] {
            #expect(!ArchiveName.isUnpackable(name), "\(name)")
        }
    }
}
