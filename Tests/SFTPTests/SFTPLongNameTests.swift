import Testing

@testable import SFTP

@Suite("ls -l lines for listings")
struct SFTPLongNameTests {
    /// 2024-06-15 12:00:00 UTC.
    private let now: Int64 = 1_718_452_800

    @Test(
        "The mode reads as ls shows it",
        arguments: [
            (UInt32(0o100644), "-rw-r--r--"),
            (0o040755, "drwxr-xr-x"),
            (0o120777, "lrwxrwxrwx"),
            (0o010600, "prw-------"),
            (0o140700, "srwx------"),
            (0o020660, "crw-rw----"),
            (0o060640, "brw-r-----"),
            (0o104755, "-rwsr-xr-x"),
            (0o102644, "-rw-r-Sr--"),
            (0o041777, "drwxrwxrwt"),
            (0o041776, "drwxrwxrwT"),
        ]
    )
    func modeText(mode: UInt32, expected: String) {
        #expect(SFTPLongName.modeText(mode) == expected)
    }

    @Test("A recent file shows its time, an old or future one its year")
    func dates() {
        #expect(SFTPLongName.dateText(now - 3_600, now: now) == "Jun 15 11:00")
        #expect(SFTPLongName.dateText(1_704_067_200, now: now) == "Jan  1 00:00")  // 2024-01-01, five and a half months before.
        #expect(SFTPLongName.dateText(1_577_836_800, now: now) == "Jan  1  2020")
        #expect(SFTPLongName.dateText(now + 86_400, now: now) == "Jun 16  2024")
        #expect(SFTPLongName.dateText(0, now: now) == "Jan  1  1970")
        #expect(SFTPLongName.dateText(951_782_400, now: now) == "Feb 29  2000")
    }

    @Test("Day counts map to calendar dates, leap years included")
    func civilDates() {
        #expect(SFTPLongName.civilDate(daysSince1970: 0) == (1970, 1, 1))
        #expect(SFTPLongName.civilDate(daysSince1970: 11_016) == (2000, 2, 29))
        #expect(SFTPLongName.civilDate(daysSince1970: 19_723) == (2024, 1, 1))
        #expect(SFTPLongName.civilDate(daysSince1970: -1) == (1969, 12, 31))
    }

    @Test("A whole line is shaped as OpenSSH's sftp-server writes it")
    func wholeLine() {
        let attributes = SFTPAttributes(size: 1_234, ids: (1_000, 1_000), permissions: 0o100644, times: (0, UInt32(now - 7_200)))
        #expect(
            SFTPLongName.line(name: "server.properties", attributes: attributes, now: now)
                == "-rw-r--r--    1 1000     1000         1234 Jun 15 10:00 server.properties"
        )
        let directory = SFTPAttributes(size: 4_096, ids: (0, 123_456_789), permissions: 0o040755, times: (0, 1_577_836_800))
        #expect(
            SFTPLongName.line(name: "world", attributes: directory, now: now)
                == "drwxr-xr-x    1 0        123456789     4096 Jan  1  2020 world"
        )
    }

    @Test("Missing attributes are written as zeros, not left out")
    func missingAttributes() {
        #expect(SFTPLongName.line(name: "x", attributes: SFTPAttributes(), now: now) == "----------    1 0        0               0 Jan  1  1970 x")
    }
}
