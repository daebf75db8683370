import Testing

@testable import SMTP

@Suite struct DotStuffingTests {
    @Test func everyLineStartingWithADotGetsAnother() {
        #expect(DotStuffing.apply(".\r\n") == "..\r\n")
        #expect(DotStuffing.apply("a\r\n.\r\n..b\r\nc.d\r\n") == "a\r\n..\r\n...b\r\nc.d\r\n")
        #expect(DotStuffing.apply("no dots\r\n") == "no dots\r\n")
    }
}
