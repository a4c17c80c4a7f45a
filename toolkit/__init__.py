"""County medical community (县域医共体) reform toolkit.

Layers (lower never imports higher): ``data`` → ``params`` → ``settlement`` / ``indicators`` /
``did`` → ``report`` → ``batch``; ``cli`` and ``commands`` sit on top.
"""

__version__ = "0.1.0"

from toolkit.errors import Problem, ToolkitError, ValidationError  # noqa: E402

__all__ = ["__version__", "ToolkitError", "Problem", "ValidationError"]
