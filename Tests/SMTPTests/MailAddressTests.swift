import SMTP
import Testing

@Suite struct MailAddressTests {
    @Test(arguments: ["a@b.c", "first.last+tag@example.co.uk", "jörg@example.de", "o'brien@example.ie"])
    func plainAddressesAreAccepted(address: String) throws {
        #expect(try MailAddress(address).address == address)
    }

    @Test(arguments: [
        "", "a", "a@", "@b.c", "a@b@c", "a b@c.d", " a@b.c", "a@b.c\r\n", "a\n@b.c", "<a@b.c>", "a@b.c>", "a,b@c.d",
        "a@b.c;d", "a(b)@c.d", "\"a\"@b.c", "a\u{0}@b.c", "a\u{7F}@b.c", "a\u{200B}@b.c",
        String(repeating: "a", count: 250) + "@b.cd",
    ])
    func addressesThatCouldBreakACommandOrHeaderAreRefused(address: String) {
        let error = #expect(throws: SMTPError.self) { try MailAddress(address) }
        #expect(error?.kind == "invalidAddress")
    }

    @Test func aNameWithALineBreakIsRefused() {
        for name in ["Eve\r\nBcc: x@y.z", "Eve\nX", "Eve\rX", "Eve\u{2028}X"] {
            let error = #expect(throws: SMTPError.self) { try MailAddress("eve@example.com", name: name) }
            #expect(error?.kind == "invalidAddress")
        }
    }

    @Test func describesItselfAsAMailProgramShowsIt() throws {
        #expect(try MailAddress("a@b.c").description == "a@b.c")
        #expect(try MailAddress("a@b.c", name: "Ann").description == "Ann <a@b.c>")
    }
}
