import Testing

@testable import SFTP

@Suite("Path normalisation")
struct SFTPPathTests {
    @Test(
        "Paths become absolute, without empty or dot components, with .. clamped at the root",
        arguments: [
            ("", "/"),
            (".", "/"),
            ("/", "/"),
            ("//", "/"),
            ("a", "/a"),
            ("a/b/", "/a/b"),
            ("/a//b///c", "/a/b/c"),
            ("./a/./b/.", "/a/b"),
            ("/a/b/../c", "/a/c"),
            ("a/..", "/"),
            ("..", "/"),
            ("/../../etc/passwd", "/etc/passwd"),
            ("a/../../../b", "/b"),
            ("/a/b/c/../../..", "/"),
            ("...", "/..."),
            ("/a/..b/.c", "/a/..b/.c"),
            ("a\\..\\b", "/a\\..\\b"),
            ("/ünïcødé/ファイル", "/ünïcødé/ファイル"),
        ]
    )
    func normalises(path: String, expected: String) {
        #expect(SFTPPath.normalised(path) == expected)
    }

    @Test("A normalised path is its own normal form")
    func normalisingIsIdempotent() {
        for path in ["../x/./y/../../z//w", "/", "a/b/c", "/.."] {
            let once = SFTPPath.normalised(path)
            #expect(SFTPPath.normalised(once) == once)
        }
    }
}
