/// The `ls -l` line a READDIR entry carries when the file system gives none, in the shape OpenSSH's
/// sftp-server writes (`-rw-r--r--    1 1000     1000         1234 Jan  1 12:00 name`): clients such as
/// FileZilla parse it. Owners are numbers; the link count, which SFTP v3 does not carry, is 1.
enum SFTPLongName {
    /// The line for `name` with `attributes`, dates written in UTC as they would look at `now` (seconds
    /// since 1970): a time within the last six months shows the hour, an older or future one the year.
    static func line(name: String, attributes: SFTPAttributes, now: Int64) -> String {
        let mode = modeText(attributes.permissions ?? 0)
        let user = padded(String(attributes.ids?.user ?? 0), to: 8, left: false)
        let group = padded(String(attributes.ids?.group ?? 0), to: 8, left: false)
        let size = padded(String(attributes.size ?? 0), to: 8, left: true)
        let date = dateText(Int64(attributes.times?.modification ?? 0), now: now)
        // OpenSSH's mode text carries a trailing space (BSD strmode's), hence two spaces before the count.
        return "\(mode)  " + padded("1", to: 3, left: true) + " \(user) \(group) \(size) \(date) \(name)"
    }

    /// `drwxr-xr-x` and the like, set-id and sticky bits as `ls` shows them.
    static func modeText(_ mode: UInt32) -> String {
        let type: Character =
            switch mode & 0o170000 {
            case 0o040000: "d"
            case 0o120000: "l"
            case 0o010000: "p"
            case 0o140000: "s"
            case 0o020000: "c"
            case 0o060000: "b"
            default: "-"
            }
        var text = String(type)
        for (shift, special, marks) in [(6, UInt32(0o4000), ("s", "S")), (3, 0o2000, ("s", "S")), (0, 0o1000, ("t", "T"))] {
            let bits = (mode >> UInt32(shift)) & 0o7
            text += bits & 0o4 != 0 ? "r" : "-"
            text += bits & 0o2 != 0 ? "w" : "-"
            let executable = bits & 0o1 != 0
            if mode & special != 0 {
                text += executable ? marks.0 : marks.1
            } else {
                text += executable ? "x" : "-"
            }
        }
        return text
    }

    /// `Jan  1 12:00` for the last six months, `Jan  1  2020` otherwise.
    static func dateText(_ time: Int64, now: Int64) -> String {
        let days = time >= 0 ? time / 86_400 : (time - 86_399) / 86_400
        let secondOfDay = time - days * 86_400
        let (_, month, day) = civilDate(daysSince1970: days)
        let monthName = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
        let dayText = padded(String(day), to: 2, left: true)
        let halfYear: Int64 = 365 * 86_400 / 2
        if time > now - halfYear && time <= now {
            let hour = padded(String(secondOfDay / 3_600), to: 2, left: true, with: "0")
            let minute = padded(String(secondOfDay % 3_600 / 60), to: 2, left: true, with: "0")
            return "\(monthName) \(dayText) \(hour):\(minute)"
        }
        return "\(monthName) \(dayText)  \(civilDate(daysSince1970: days).year)"
    }

    /// The proleptic Gregorian year, month (1–12) and day of a day count since 1970-01-01
    /// (Howard Hinnant's `civil_from_days`), so no calendar or time zone database is needed.
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1)
        let month = Int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func padded(_ text: String, to width: Int, left: Bool, with filler: Character = " ") -> String {
        let room = max(width - text.count, 0)
        let padding = String(repeating: filler, count: room)
        return left ? padding + text : text + padding
    }
}
