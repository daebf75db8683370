import BerthHTTP
import Foundation

/// The text editor's page: one file's text, and where saving and going back lead.
struct FileEditor {
    let instanceID: String
    let instanceName: String
    let path: String
    let name: String
    let text: String
    let isNew: Bool
    let mayWrite: Bool
    let folderHref: String
    let downloadHref: String
    let saveURL: String

    init(instanceID: String, instanceName: String, path: String, text: String, isNew: Bool, mayWrite: Bool) {
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.path = path
        name = (path as NSString).lastPathComponent
        self.text = text
        self.isNew = isNew
        self.mayWrite = mayWrite
        folderHref = FilePages.folderHref(instanceID, of: path)
        downloadHref = "/instances/\(instanceID)/files/download?path=" + QueryValue.encode(path)
        saveURL = "/instances/\(instanceID)/files/contents?path=" + QueryValue.encode(path)
    }
}
