"""dedup: find and remove repeated paragraphs inside and across news articles.

The library is what the ``dedup`` command calls:

- :func:`scan` / :func:`scan_texts` find repeats and decide what to keep;
- :func:`cleaned`, :func:`diff` and :func:`write_cleaned` turn decisions into output;
- :class:`Config` holds every setting.
"""

from .api import cleaned, diff, scan, scan_texts, write_cleaned
from .config import Config, ConfigError, load_config
from .model import Boilerplate, Finding, Ref, Removal, ScanResult

__version__ = "0.1.0"

__all__ = [
    "Boilerplate", "Config", "ConfigError", "Finding", "Ref", "Removal", "ScanResult",
    "cleaned", "diff", "load_config", "scan", "scan_texts", "write_cleaned",
]
