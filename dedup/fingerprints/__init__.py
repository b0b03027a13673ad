"""Exact keys, MinHash signatures and the candidate pairs they give."""
