/// Passwords anyone trying to break in tries first: the most common words behind leaked passwords (with
/// the digits and symbols people add to meet a rule), runs along the keyboard or the alphabet, and one
/// short piece repeated. A length rule alone lets `password` and `12345678` through.
enum GuessablePasswords {
    /// Why `password` is too easy to guess, or nil when it is not one of these.
    static func problem(with password: String) -> String? {
        let lower = password.lowercased()
        let filler = Set("0123456789!@#$%^&*()-_=+.,;:?/ ")
        let base = String(lower.drop { filler.contains($0) }.reversed().drop { filler.contains($0) }.reversed())
        if commonWords.contains(base) || commonWords.contains(lower) {
            return "password is one of the most common passwords; choose one that is harder to guess, such as a few unrelated words"
        }
        let compact = lower.filter { $0 != " " }
        if isRun(compact) || isRepetition(compact)
            || keyboardRows.contains(where: { $0.contains(compact) || String($0.reversed()).contains(compact) })
        {
            return
                "password follows a pattern (a run of the keyboard or the alphabet, or a repetition) that is tried first; choose one that is harder to guess"
        }
        return nil
    }

    /// Each character one step up or one step down from the last: `abcdefgh`, `87654321`.
    private static func isRun(_ text: String) -> Bool {
        let scalars = text.unicodeScalars.map { Int($0.value) }
        guard scalars.count > 2 else { return false }
        let step = scalars[1] - scalars[0]
        guard abs(step) == 1 else { return false }
        return zip(scalars, scalars.dropFirst()).allSatisfy { $1 - $0 == step }
    }

    /// One piece of up to four characters, repeated: `aaaaaaaa`, `abcabcabc`, `12121212`.
    private static func isRepetition(_ text: String) -> Bool {
        let characters = Array(text)
        return (1...4).contains { unit in
            characters.count > unit && characters.indices.allSatisfy { characters[$0] == characters[$0 % unit] }
        }
    }

    private static let keyboardRows = [
        "`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
        "qazwsxedcrfvtgbyhnujmikolp", "zaq1xsw2cde3vfr4bgt5nhy6mju7",
    ]

    /// Lower-case; compared with the whole password and with what is left once leading and trailing digits
    /// and symbols are taken away (`Password123!` is `password`).
    private static let commonWords: Set<String> = [
        "password", "passw0rd", "p@ssw0rd", "p@ssword", "pa55word", "pa$$word", "passwort", "motdepasse", "contraseña", "senha",
        "pass", "passwd", "pwd", "qwerty", "qwertz", "azerty", "qwertyuiop", "asdf", "asdfgh", "asdfghjkl", "zxcvbn", "zxcvbnm",
        "qazwsx", "1qaz2wsx", "zaq12wsx", "1q2w3e4r", "1q2w3e4r5t", "q1w2e3r4", "qwe", "asd", "abc", "abcd", "letmein", "welcome",
        "welcome1", "admin", "administrator", "root", "toor", "superuser", "user", "guest", "default", "test", "testing", "tester",
        "demo", "login", "access", "secret", "changeme", "change me", "iloveyou", "iloveu", "loveme", "lovely", "love", "monkey",
        "dragon", "football", "baseball", "basketball", "soccer", "hockey", "sunshine", "princess", "master", "shadow", "superman",
        "batman", "spiderman", "trustno1", "starwars", "whatever", "freedom", "computer", "internet", "michael", "jennifer",
        "jordan", "hunter", "charlie", "thomas", "jessica", "ashley", "daniel", "summer", "winter", "spring", "autumn", "hello",
        "helloworld", "hello world", "flower", "cookie", "chocolate", "pokemon", "minecraft", "fortnite", "roblox", "server",
        "gameserver", "berth", "skyport", "pterodactyl", "pelican", "mustang", "matrix", "killer", "pepper", "ginger", "cheese",
        "orange", "banana", "purple", "silver", "golden", "tigger", "maggie", "buster", "harley", "ranger", "yankees",
        "liverpool", "chelsea", "arsenal", "barcelona", "google", "facebook", "samsung", "apple", "microsoft", "linux", "ubuntu",
        "windows", "system", "manager", "support", "office", "company", "money", "angel", "babygirl", "family", "forever",
        "friends", "blink182", "qwe123", "asd123", "zxc123", "abc123", "aa123456", "a1b2c3d4", "11111111", "00000000",
        "123123123", "147258369", "789456123", "159753", "696969", "121212", "123321", "654321", "112233", "11223344",
    ]
}
