"""Commands registered on the main app (filled in by their own issue)."""

from .cli import app  # noqa: F401
