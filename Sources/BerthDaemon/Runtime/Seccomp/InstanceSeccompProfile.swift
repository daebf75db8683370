import DockerEngine

#if canImport(Glibc)
import Glibc
#endif

/// The system calls an instance's containers (server and installer) may make: every call Linux has, but
/// those that reach past the container and those that would let a tenant undo the node's disk limits.
///
/// Written here rather than taken from the engine, because the engine's default cannot be extended, only
/// replaced, and project quotas need one thing it allows refused: the owner of a file may give it another
/// project id (`FS_IOC_FSSETXATTR`) or clear the inheritance flag (`FS_IOC_SETFLAGS`), which moves what
/// it holds out of the instance's quota. Those `ioctl` commands are refused, whatever their high 32 bits
/// say (the kernel ignores them).
enum InstanceSeccompProfile {
    static let profile = SeccompProfile(
        defaultAction: .errno,
        defaultErrno: EPERM,
        architectures: [
            .init("SCMP_ARCH_X86_64", ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
            .init("SCMP_ARCH_AARCH64", ["SCMP_ARCH_ARM"]),
        ],
        rules: [SeccompProfile.Rule(LinuxSystemCalls.all.subtracting(refused).subtracting(conditional).sorted(), .allow)]
            + fileAttributeCommandRules + cloneRules + personalityRules
    )

    /// The security option that gives a container the profile.
    static let option = profile.inlineOption

    /// Calls that act on the machine rather than on the container, or whose flaws have let containers
    /// out: kernel modules and keyrings, mounts and namespaces, clocks, tracing and BPF, io_uring, and
    /// quotas. Most need a capability no instance has; refusing them outright keeps the kernel's code for
    /// them out of reach. Also calls that no longer exist.
    static let refused: Set<String> = [
        "acct", "add_key", "bpf", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
        "create_module", "delete_module", "finit_module", "get_kernel_syms", "get_mempolicy", "init_module",
        "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount",
        "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "perf_event_open", "pivot_root",
        "query_module", "quotactl", "quotactl_fd", "reboot", "request_key", "set_mempolicy", "setns",
        "settimeofday", "stime", "swapon", "swapoff", "sysfs", "_sysctl", "syslog", "umount", "umount2", "unshare",
        "uselib", "userfaultfd", "ustat", "vm86", "vm86old", "vhangup", "open_tree", "move_mount", "fsopen",
        "fsconfig", "fsmount", "fspick", "mount_setattr", "io_uring_setup", "io_uring_enter", "io_uring_register",
        "afs_syscall", "tuxcall", "security", "getpmsg", "putpmsg", "vserver",
    ]

    /// Calls allowed only with some arguments, by the rules below.
    static let conditional: Set<String> = ["ioctl", "clone", "clone3", "personality"]

    /// `ioctl` commands that change a file's project id or its flags (project inheritance among them).
    static let fileAttributeCommands: [UInt32] = [
        0x401c_5820,  // FS_IOC_FSSETXATTR
        0x4008_6602,  // FS_IOC_SETFLAGS
        0x4004_6602,  // FS_IOC32_SETFLAGS
    ]

    /// `ioctl` allowed for every other command. The engine cannot say "all but these" about one argument
    /// (conditions on one argument become alternatives, and a refusal beside an allowance loses to it),
    /// so the allowed commands are listed as prefixes of their low 32 bits (``CommandPrefixes``).
    private static let fileAttributeCommandRules = CommandPrefixes.covering(allBut: fileAttributeCommands).map { prefix in
        SeccompProfile.Rule(["ioctl"], .allow, when: [.argument(1, masked: UInt64(prefix.mask), equals: UInt64(prefix.bits))])
    }

    /// New threads and processes, but no new namespaces (`clone3` passes its flags in memory, where no
    /// filter can read them: it answers "not implemented", and C libraries fall back to `clone`).
    private static let cloneRules = [
        SeccompProfile.Rule(["clone"], .allow, when: [.argument(0, masked: 0x7E02_0000, equals: 0)]),
        SeccompProfile.Rule(["clone3"], .errno, errno: ENOSYS),
    ]

    /// Only the execution domains that change what a program is told, not how the kernel treats it: Linux,
    /// its 32-bit flavour (`linux32`), either with 2.6-style version numbers, and the query. (Turning address
    /// randomisation off is not among them.)
    private static let personalityRules = [0, 0x8, 0x2_0000, 0x2_0008, 0xFFFF_FFFF].map {
        SeccompProfile.Rule(["personality"], .allow, when: [.argument(0, equals: $0)])
    }
}
