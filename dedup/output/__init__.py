"""Writing: the no-loss guarantee every writer checks, and cleaned copies."""
