import Testing

@testable import ConfinedFiles

/// `.gitignore`'s rules, with the examples of git's own documentation (gitignore(5)).
@Suite("Ignore patterns")
struct IgnorePatternsTests {
    @Test(
        "each pattern leaves out what git's documentation says it does",
        arguments: [
            ("*.log", "a.log", false, true), ("*.log", "logs/a.log", false, true), ("*.log", "a.logx", false, false),
            ("logs/", "logs", true, true), ("logs/", "world/logs", true, true), ("logs/", "logs", false, false),
            ("/build", "build", true, true), ("/build", "src/build", true, false),
            ("doc/*.txt", "doc/notes.txt", false, true), ("doc/*.txt", "doc/server/arch.txt", false, false),
            ("**/foo", "foo", false, true), ("**/foo", "a/b/foo", false, true),
            ("abc/**", "abc/x", false, true), ("abc/**", "abc/x/y", false, true), ("abc/**", "abc", true, false),
            ("a/**/b", "a/b", false, true), ("a/**/b", "a/x/b", false, true), ("a/**/b", "a/x/y/b", false, true),
            ("a/**/b", "x/a/b", false, false),
            ("[abc].txt", "a.txt", false, true), ("[abc].txt", "d.txt", false, false),
            ("[!a].txt", "b.txt", false, true), ("[!a].txt", "a.txt", false, false),
            ("?.cfg", "a.cfg", false, true), ("?.cfg", "ab.cfg", false, false), ("?.cfg", "a/b.cfg", false, true),
            ("\\#file", "#file", false, true), ("#file", "#file", false, false),
            ("dynmap", "plugins/dynmap", true, true), ("world.(1)+", "world.(1)+", false, true), ("world.(1)+", "worldx(1)", false, false),
        ]
    )
    func vectors(pattern: String, path: String, isFolder: Bool, excluded: Bool) {
        #expect(IgnorePatterns(pattern).excludes(path, isFolder: isFolder) == excluded)
    }

    @Test("the last pattern that matches decides; comments and blank lines are nothing")
    func order() {
        let patterns = IgnorePatterns("# logs are big\n\n*.log\n!keep.log\n")
        #expect(patterns.excludes("server.log", isFolder: false))
        #expect(!patterns.excludes("keep.log", isFolder: false))
        #expect(IgnorePatterns("!keep.log\n*.log").excludes("keep.log", isFolder: false))
        #expect(IgnorePatterns("# only a comment\n").isEmpty)
    }

    @Test("a hostile file is read only so far: more than four ** in a pattern, or past the thousandth, is not a pattern")
    func bounds() {
        #expect(IgnorePatterns("**/**/**/**/**/**/x").isEmpty)
        let many = (0..<2000).map { "file-\($0)" }.joined(separator: "\n")
        let patterns = IgnorePatterns(many)
        #expect(patterns.excludes("file-999", isFolder: false))
        #expect(!patterns.excludes("file-1000", isFolder: false))
    }
}
