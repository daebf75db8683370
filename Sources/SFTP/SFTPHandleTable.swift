/// A session's open handles. Numbers only go up, so a closed handle's name never comes back to mean
/// another file; at most `capacity` are open at once.
struct SFTPHandleTable {
    private let capacity: Int
    private var handles: [SFTPHandle: SFTPOpenHandle] = [:]
    private var lastNumber: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isFull: Bool { handles.count >= capacity }

    /// Registers `handle` under a new name; the caller checks ``isFull`` first.
    mutating func add(_ handle: SFTPOpenHandle) -> SFTPHandle {
        lastNumber += 1
        let name = SFTPHandle(number: lastNumber)
        handles[name] = handle
        return name
    }

    subscript(name: SFTPHandle) -> SFTPOpenHandle? {
        get { handles[name] }
        set { handles[name] = newValue }
    }

    /// Forgets the handle `name`, returning what it stood for.
    mutating func remove(_ name: SFTPHandle) -> SFTPOpenHandle? {
        handles.removeValue(forKey: name)
    }

    /// Forgets every handle, returning the open files in the order they were opened.
    mutating func removeAll() -> [any SFTPFile] {
        let files = handles.sorted { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }.compactMap { entry -> (any SFTPFile)? in
            if case .file(let file, _) = entry.value { return file }
            return nil
        }
        handles.removeAll()
        return files
    }
}
