"""The version of dedup, which indexes, baselines and output markers record."""

__version__ = "0.1.0"
