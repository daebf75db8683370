import Foundation
import Testing

@testable import Cron

@Suite("Cron expressions")
struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func date(_ text: String, in zone: TimeZone = utc) -> Date {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        formatter.timeZone = zone
        return formatter.date(from: text)!
    }

    static func text(_ date: Date, in zone: TimeZone = utc) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        formatter.timeZone = zone
        return formatter.string(from: date)
    }

    static func upcoming(_ expression: String, after start: String, count: Int = 4, in zone: TimeZone = utc) throws -> [String] {
        let cron = try CronExpression(expression)
        var moment = date(start, in: zone)
        var found: [String] = []
        for _ in 0..<count {
            guard let next = try cron.next(after: moment, in: zone) else { break }
            found.append(text(next, in: zone))
            moment = next
        }
        return found
    }

    /// The due times croniter 6 (an independent Python implementation, `croniter(expression, start).get_next`)
    /// gives for the same expressions from 2026-12-02T05:41 UTC.
    @Test(
        "due times match an independent implementation",
        arguments: [
            ("*/15 * * * *", ["2026-12-02T05:45", "2026-12-02T06:00", "2026-12-02T06:15", "2026-12-02T06:30"]),
            ("0 4 * * *", ["2026-12-03T04:00", "2026-12-04T04:00", "2026-12-05T04:00", "2026-12-06T04:00"]),
            // Both day fields restricted: the 1st, the 15th, and every Wednesday.
            ("0 0 1,15 * 3", ["2026-12-09T00:00", "2026-12-15T00:00", "2026-12-16T00:00", "2026-12-23T00:00"]),
            ("5 4 * * sun", ["2026-12-06T04:05", "2026-12-13T04:05", "2026-12-20T04:05", "2026-12-27T04:05"]),
            ("0 0 29 2 *", ["2028-02-29T00:00", "2032-02-29T00:00", "2036-02-29T00:00", "2040-02-29T00:00"]),
            ("0 9-17/2 * * MON-FRI", ["2026-12-02T09:00", "2026-12-02T11:00", "2026-12-02T13:00", "2026-12-02T15:00"]),
            ("30 23 31 * *", ["2026-12-31T23:30", "2027-01-31T23:30", "2027-03-31T23:30", "2027-05-31T23:30"]),
            ("0 12 * JAN,jul 7", ["2027-01-03T12:00", "2027-01-10T12:00", "2027-01-17T12:00", "2027-01-24T12:00"]),
            ("15 14 1 * *", ["2027-01-01T14:15", "2027-02-01T14:15", "2027-03-01T14:15", "2027-04-01T14:15"]),
            ("0 22 * * 1-5", ["2026-12-02T22:00", "2026-12-03T22:00", "2026-12-04T22:00", "2026-12-07T22:00"]),
            ("23 0-20/2 * * *", ["2026-12-02T06:23", "2026-12-02T08:23", "2026-12-02T10:23", "2026-12-02T12:23"]),
            ("5 0 * 8 *", ["2027-08-01T00:05", "2027-08-02T00:05", "2027-08-03T00:05", "2027-08-04T00:05"]),
        ]
    )
    func vectors(expression: String, expected: [String]) throws {
        #expect(try Self.upcoming(expression, after: "2026-12-02T05:41") == expected)
    }

    @Test("into summer time, a due time in the skipped hour runs once, as the hour ends")
    func springForward() throws {
        // Berlin, 29 March 2026: 02:00 becomes 03:00.
        // 02:30 on the 29th is not on the clock: it runs at 03:30 summer time, once.
        #expect(
            try Self.upcoming("30 2 * * *", after: "2026-03-28T12:00", count: 3, in: Self.berlin)
                == ["2026-03-29T03:30", "2026-03-30T02:30", "2026-03-31T02:30"]
        )
        let hourly = try Self.upcoming("15 * * * *", after: "2026-03-29T00:30", count: 3, in: Self.berlin)
        #expect(hourly == ["2026-03-29T01:15", "2026-03-29T03:15", "2026-03-29T04:15"], "no second run for the skipped 02:15")
    }

    @Test("back to winter time, the hour that repeats runs once")
    func fallBack() throws {
        // Berlin, 25 October 2026: 03:00 summer time becomes 02:00 again.
        let cron = try CronExpression("30 2 * * *")
        let first = try #require(try cron.next(after: Self.date("2026-10-24T12:00", in: Self.berlin), in: Self.berlin))
        #expect(first == Self.date("2026-10-25T00:30", in: Self.utc), "the first 02:30, summer time")
        let second = try #require(try cron.next(after: first, in: Self.berlin))
        #expect(Self.text(second, in: Self.berlin) == "2026-10-26T02:30", "not again an hour later")
        // Asked during the repeated hour, after the run: the next is tomorrow, not the hour already past.
        let during = first.addingTimeInterval(3600 + 60)
        #expect(Self.text(try #require(try cron.next(after: during, in: Self.berlin)), in: Self.berlin) == "2026-10-26T02:30")
    }

    @Test(
        "a malformed expression is refused, naming its field",
        arguments: [
            ("* * * *", "a cron expression has 5 fields (minute hour day month weekday), such as 0 4 * * *; this has 4"),
            ("60 * * * *", "minute: 60 is not a number from 0 to 59"),
            ("* 24 * * *", "hour: 24 is not a number from 0 to 23"),
            ("* * 0 * *", "day of month: 0 is not a number from 1 to 31"),
            ("* * * 13 *", "month: 13 is not a number from 1 to 12 or a name such as JAN"),
            ("* * * * 8", "day of week: 8 is not a number from 0 to 7 or a name such as SUN"),
            ("*/0 * * * *", "minute: the step in */0 must be a whole number above 0"),
            ("5-1 * * * *", "minute: the range 5-1 runs backwards"),
            ("1,,2 * * * *", "minute: an empty value is not a number from 0 to 59"),
            ("0 0 30 2 *", "0 0 30 2 * never comes: no month has that day"),
            ("@daily * * * *", "minute: @daily is not a number from 0 to 59"),
        ]
    )
    func refusals(expression: String, message: String) {
        #expect(throws: CronError(message)) { try CronExpression(expression) }
    }

    @Test("7 is Sunday as 0 is, and a step over a range starts at its beginning")
    func aliases() throws {
        #expect(try Self.upcoming("0 0 * * 7", after: "2026-12-02T05:41", count: 1) == ["2026-12-06T00:00"])
        #expect(
            try Self.upcoming("10-50/20 3 * * *", after: "2026-12-02T05:41", count: 3) == [
                "2026-12-03T03:10", "2026-12-03T03:30", "2026-12-03T03:50",
            ]
        )
    }
}
