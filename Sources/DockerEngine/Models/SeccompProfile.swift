import Foundation

/// A seccomp profile in the engine's JSON format, passed inline as the security option
/// `seccomp=<json>` (``inlineOption``). The engine's own default profile is replaced, not extended, by it.
public struct SeccompProfile: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        case allow = "SCMP_ACT_ALLOW"
        case errno = "SCMP_ACT_ERRNO"
    }

    /// A condition on one argument of the system call.
    public struct Condition: Sendable, Codable, Equatable {
        public enum Comparison: String, Sendable, Codable {
            case equal = "SCMP_CMP_EQ"
            /// The argument, masked with `value`, equals `valueTwo`.
            case maskedEqual = "SCMP_CMP_MASKED_EQ"
        }

        public var index: Int
        public var value: UInt64
        public var valueTwo: UInt64
        public var op: Comparison

        public init(argument index: Int, _ comparison: Comparison, _ value: UInt64, _ valueTwo: UInt64 = 0) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = comparison
        }

        /// The argument's bits under `mask` are those of `bits`.
        public static func argument(_ index: Int, masked mask: UInt64, equals bits: UInt64) -> Condition {
            Condition(argument: index, .maskedEqual, mask, bits)
        }

        public static func argument(_ index: Int, equals value: UInt64) -> Condition {
            Condition(argument: index, .equal, value)
        }
    }

    /// Calls named `names` get `action` when every condition holds (the engine allows several
    /// conditions only on different arguments: on one argument it treats them as alternatives).
    public struct Rule: Sendable, Codable, Equatable {
        public var names: [String]
        public var action: Action
        public var args: [Condition]?
        public var errnoRet: Int32?

        public init(_ names: [String], _ action: Action, when conditions: [Condition]? = nil, errno: Int32? = nil) {
            self.names = names
            self.action = action
            self.args = conditions
            self.errnoRet = errno
        }
    }

    public struct Architecture: Sendable, Codable, Equatable {
        public var architecture: String
        public var subArchitectures: [String]

        public init(_ architecture: String, _ subArchitectures: [String]) {
            self.architecture = architecture
            self.subArchitectures = subArchitectures
        }
    }

    public var defaultAction: Action
    public var defaultErrnoRet: Int32?
    public var archMap: [Architecture]
    public var syscalls: [Rule]

    public init(defaultAction: Action, defaultErrno: Int32?, architectures: [Architecture], rules: [Rule]) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrno
        self.archMap = architectures
        self.syscalls = rules
    }

    /// The security option that gives a container this profile.
    public var inlineOption: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Strings, numbers and arrays of them: encoding cannot fail.
        return "seccomp=" + String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
