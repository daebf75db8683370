import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The little S3's XML answers are read for: the root element's name and the text of the first element of
/// each name (`UploadId`, `Code`, `Message`).
struct S3Answer {
    private(set) var root: String?
    private(set) var values: [String: String] = [:]

    init(_ body: Data) {
        let reader = Reader()
        let parser = XMLParser(data: body)
        parser.delegate = reader
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        root = reader.root
        values = reader.values
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var root: String?
        var values: [String: String] = [:]
        private var text = ""

        func parser(
            _ parser: XMLParser,
            didStartElement name: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if root == nil { root = name }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if values[name] == nil { values[name] = text }
            text = ""
        }
    }
}
