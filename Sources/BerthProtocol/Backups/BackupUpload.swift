/// One request to object storage that the panel signed for a node to send as it is: good for that
/// request alone, for 15 minutes, and no key comes with it.
public struct ObjectRequest: Codable, Sendable, Equatable {
    public var method: String
    public var url: String
    /// Lowercase names.
    public var headers: [String: String]

    public init(method: String, url: String, headers: [String: String]) {
        self.method = method
        self.url = url
        self.headers = headers
    }
}

/// Parts of a backup's archive for a node to send to object storage, each with its signed request.
public struct BackupUpload: Codable, Sendable, Equatable {
    public var parts: [Part]

    public struct Part: Codable, Sendable, Equatable {
        /// From 1.
        public var number: Int
        public var offset: Int64
        public var length: Int64
        public var request: ObjectRequest

        public init(number: Int, offset: Int64, length: Int64, request: ObjectRequest) {
            self.number = number
            self.offset = offset
            self.length = length
            self.request = request
        }
    }

    public init(parts: [Part]) {
        self.parts = parts
    }
}

/// What object storage answered for each part sent, in the upload's order: the ETags that complete it.
public struct BackupUploadAnswer: Codable, Sendable, Equatable {
    public var etags: [String]

    public init(etags: [String]) {
        self.etags = etags
    }
}
