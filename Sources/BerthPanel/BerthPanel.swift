import BerthProtocol

/// The control plane: users, API keys, nodes, images and instances. Filled in by the panel issue.
public enum BerthPanel {}
