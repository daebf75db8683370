/// The SSH_FILEXFER_ATTR_* flags that say which fields an ATTRS structure carries.
struct SFTPAttributeFlags: OptionSet {
    let rawValue: UInt32

    static let size = SFTPAttributeFlags(rawValue: 0x0000_0001)
    static let ids = SFTPAttributeFlags(rawValue: 0x0000_0002)
    static let permissions = SFTPAttributeFlags(rawValue: 0x0000_0004)
    static let times = SFTPAttributeFlags(rawValue: 0x0000_0008)
    static let extended = SFTPAttributeFlags(rawValue: 0x8000_0000)
}

extension SFTPAttributes {
    /// The flags of the fields present.
    var flags: SFTPAttributeFlags {
        var flags: SFTPAttributeFlags = []
        if size != nil { flags.insert(.size) }
        if ids != nil { flags.insert(.ids) }
        if permissions != nil { flags.insert(.permissions) }
        if times != nil { flags.insert(.times) }
        return flags
    }
}
