"""The CI gate: the index of ingested articles and ``dedup check``."""
