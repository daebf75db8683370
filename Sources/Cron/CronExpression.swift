import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) as Vixie cron reads it:
/// `*`, numbers, ranges, steps and lists; month and weekday names; 0 and 7 both Sunday; and when both
/// day fields are restricted, a day matches either of them.
///
/// Due times are wall-clock times in a time zone. Across a change to summer time, a time in the hour that
/// is skipped runs once, when the hour ends; across the change back, the hour that repeats runs once.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    let minutes: CronField
    let hours: CronField
    let days: CronField
    let months: CronField
    let weekdays: CronField
    public let description: String

    public init(_ text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            throw CronError("a cron expression has 5 fields (minute hour day month weekday), such as 0 4 * * *; this has \(fields.count)")
        }
        minutes = try CronField(fields[0], range: 0...59, label: "minute")
        hours = try CronField(fields[1], range: 0...23, label: "hour")
        days = try CronField(fields[2], range: 1...31, label: "day of month")
        months = try CronField(
            fields[3],
            range: 1...12,
            names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
            label: "month"
        )
        let weekdays = try CronField(fields[4], range: 0...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], label: "day of week")
        // 7 is Sunday too.
        self.weekdays = weekdays.contains(7) ? CronField(allowed: weekdays.allowed.union([0]), isWildcard: weekdays.isWildcard) : weekdays
        description = fields.joined(separator: " ")
        guard try next(after: Date(timeIntervalSince1970: 0), in: TimeZone(identifier: "UTC") ?? .current) != nil else {
            throw CronError("\(description) never comes: no month has that day")
        }
    }

    /// The first due time strictly after `moment`, in `zone`; nil only for an expression that never comes.
    public func next(after moment: Date, in zone: TimeZone) throws -> Date? {
        var zoned = Calendar(identifier: .gregorian)
        zoned.timeZone = zone
        var wall = Calendar(identifier: .gregorian)
        wall.timeZone = TimeZone(identifier: "UTC") ?? zone
        // The search runs over wall-clock times (a calendar without summer time); each candidate is then
        // placed in the zone, and one that is not after `moment` (the repeated hour) is passed over.
        let start = zoned.dateComponents([.year, .month, .day, .hour, .minute], from: moment)
        guard var candidate = wall.date(from: start).map({ $0.addingTimeInterval(60) }) else { return nil }
        let limit = candidate.addingTimeInterval(5 * 366 * 86400)
        while candidate < limit {
            guard let found = nextWallClock(from: candidate, wall: wall) else { return nil }
            let fields = wall.dateComponents([.year, .month, .day, .hour, .minute], from: found)
            if let due = zoned.date(from: fields), due > moment { return due }
            candidate = found.addingTimeInterval(60)
        }
        return nil
    }

    /// The first wall-clock minute at or after `from` that the expression allows.
    private func nextWallClock(from: Date, wall: Calendar) -> Date? {
        var moment = from
        let limit = from.addingTimeInterval(5 * 366 * 86400)
        while moment < limit {
            let at = wall.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: moment)
            guard let year = at.year, let month = at.month, let day = at.day, let hour = at.hour, let minute = at.minute,
                let weekday = at.weekday
            else { return nil }
            if !months.contains(month) {
                guard let next = wall.date(from: DateComponents(year: year, month: month + 1, day: 1)) else { return nil }
                moment = next
            } else if !dayMatches(day: day, weekday: weekday - 1) {
                guard let next = wall.date(from: DateComponents(year: year, month: month, day: day + 1)) else { return nil }
                moment = next
            } else if let nextHour = hours.first(from: hour), nextHour == hour, let nextMinute = minutes.first(from: minute) {
                return wall.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: nextMinute))
            } else if let nextHour = hours.first(from: hour + (hours.contains(hour) ? 1 : 0)) {
                guard let next = wall.date(from: DateComponents(year: year, month: month, day: day, hour: nextHour)) else { return nil }
                moment = next
            } else {
                guard let next = wall.date(from: DateComponents(year: year, month: month, day: day + 1)) else { return nil }
                moment = next
            }
        }
        return nil
    }

    /// Vixie cron's rule: with both day fields restricted, either may match; otherwise the restricted one must.
    private func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (days.isWildcard, weekdays.isWildcard) {
        case (true, true): true
        case (false, true): days.contains(day)
        case (true, false): weekdays.contains(weekday)
        case (false, false): days.contains(day) || weekdays.contains(weekday)
        }
    }
}

extension CronField {
    init(allowed: Set<Int>, isWildcard: Bool) {
        self.allowed = allowed
        self.isWildcard = isWildcard
    }
}
