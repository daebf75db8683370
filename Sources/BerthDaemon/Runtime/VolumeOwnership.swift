import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Hands a volume's files to the user instances run as, after an installer wrote them as root.
enum VolumeOwnership {
    /// Changes the owner of `root` and everything below it. Links are changed themselves (`lchown`)
    /// and never followed, so a link planted by an install script cannot hand out a file outside the volume.
    static func give(_ root: String, to user: UInt32, group: UInt32) throws {
        guard lchown(root, user, group) == 0 else {
            throw InstanceError.failed("could not change the owner of \(root): \(String(cString: strerror(errno)))")
        }
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            let path = (root as NSString).appendingPathComponent(relative)
            _ = lchown(path, user, group)
        }
    }
}
