/// An instance someone reaches, and why: what they may do with it follows from ``role``.
package struct ReachableInstance: Sendable {
    package let instance: Instance
    package let role: InstanceRole
}
