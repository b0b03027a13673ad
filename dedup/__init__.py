"""dedup: find and remove repeated paragraphs inside and across news articles.

The library is what the ``dedup`` command calls:

- :func:`scan` / :func:`scan_texts` find repeats and decide what to keep;
- :func:`cleaned`, :func:`diff` and :func:`write_cleaned` turn decisions into output;
- :class:`Config` holds every setting;
- :class:`Index`, :func:`check_texts` and :func:`check` are the CI gate for
  services: open an index, check new articles in memory (named by id) or as
  files, add them; a :class:`CheckReport` says what repeats (docs/ci.md).
"""

from .version import __version__
from .api import cleaned, diff, scan, scan_texts, write_cleaned
from .gate.check import Baseline, BaselineError, CheckReport, SkippedInput, check, check_texts
from .config import Config, ConfigError, load_config
from .gate.index import Index, IndexFileError
from .model import Boilerplate, Finding, Ref, Removal, ScanResult


__all__ = [
    "__version__", "Baseline", "BaselineError", "Boilerplate", "CheckReport", "Config", "ConfigError",
    "Finding", "Index", "IndexFileError", "Ref", "Removal", "ScanResult", "SkippedInput",
    "check", "check_texts", "cleaned", "diff", "load_config", "scan", "scan_texts",
    "write_cleaned",
]
