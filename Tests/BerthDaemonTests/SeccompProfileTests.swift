import DockerEngine
import Foundation
import Testing

@testable import BerthDaemon

/// The profile's rules read as the kernel's filter would (libseccomp compares all 64 bits of an argument
/// under the rule's mask); its effect on a real container is in ``TenantContainerTests``.
@Suite("Instance seccomp profile")
struct SeccompProfileTests {
    let profile = InstanceSeccompProfile.profile

    /// Whether some rule allows `ioctl` with `command`.
    func allowsIoctl(_ command: UInt64) -> Bool {
        profile.syscalls.contains { rule in
            guard rule.names.contains("ioctl"), rule.action == .allow else { return false }
            guard let conditions = rule.args else { return true }
            return conditions.allSatisfy { $0.index == 1 && $0.op == .maskedEqual && command & $0.value == $0.valueTwo }
        }
    }

    @Test("every ioctl command is allowed but the three that change file attributes, whatever the high 32 bits")
    func ioctlCommands() {
        let refused = InstanceSeccompProfile.fileAttributeCommands
        for command in refused {
            for high in [0, 1, 0xFFFF_FFFF, UInt64.random(in: 1...0xFFFF_FFFF)] as [UInt64] {
                #expect(!allowsIoctl(high << 32 | UInt64(command)), "\(String(command, radix: 16)) with high bits \(high)")
            }
            // Every command one bit away is an ordinary one, and allowed.
            for bit in 0..<32 where !refused.contains(command ^ 1 << bit) {
                #expect(allowsIoctl(UInt64(command ^ 1 << bit)))
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let command = UInt64.random(in: 0...UInt64.max, using: &generator)
            #expect(allowsIoctl(command) != refused.contains(UInt32(truncatingIfNeeded: command)))
        }
        // The commands a terminal, a socket and reading attributes use.
        for command: UInt64 in [0x5401, 0x5413, 0x541B, 0x8010_6601, 0x801c_581f] { #expect(allowsIoctl(command)) }
    }

    @Test("the prefixes hold every value but the excluded ones, with no more prefixes than bits")
    func prefixes() {
        let excluded: [UInt32] = [0, 0xFFFF_FFFF, 0x8000_0000]
        let prefixes = CommandPrefixes.covering(allBut: excluded)
        #expect(prefixes.count <= 32 * excluded.count)
        for value in excluded { #expect(!prefixes.contains { $0.contains(value) }) }
        for value in [1, 0xFFFF_FFFE, 0x7FFF_FFFF, 0x8000_0001, 0x1234_5678] as [UInt32] {
            #expect(prefixes.filter { $0.contains(value) }.count == 1, "each value in exactly one prefix: \(value)")
        }
        #expect(CommandPrefixes.covering(allBut: []) == [CommandPrefixes(mask: 0, bits: 0)])
    }

    @Test("what reaches past the container is refused, and the calls with conditions are never allowed outright")
    func refusedCalls() throws {
        let unconditional = Set(profile.syscalls.filter { $0.args == nil && $0.action == .allow }.flatMap(\.names))
        for name in ["mount", "unshare", "setns", "keyctl", "bpf", "io_uring_setup", "quotactl", "ioctl", "clone", "clone3", "personality"] {
            #expect(!unconditional.contains(name), "\(name)")
        }
        for name in ["read", "write", "openat", "epoll_wait", "futex", "socketcall", "mmap2", "statx", "rseq", "execve"] {
            #expect(unconditional.contains(name), "\(name)")
        }
        #expect(profile.defaultAction == .errno)
        let clone3 = try #require(profile.syscalls.first { $0.names == ["clone3"] })
        #expect(clone3.action == .errno && clone3.errnoRet == 38, "C libraries fall back to clone on ENOSYS")
        let clone = try #require(profile.syscalls.first { $0.names == ["clone"] }?.args?.first)
        #expect(clone.value & 0x1000_0000 != 0 && clone.valueTwo == 0, "no new user namespace")
        let option = InstanceSeccompProfile.option
        #expect(option.hasPrefix("seccomp={"))
        let decoded = try JSONDecoder().decode(SeccompProfile.self, from: Data(option.dropFirst("seccomp=".count).utf8))
        #expect(decoded == profile)
    }
}
