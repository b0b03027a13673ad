"""Is a candidate pair a repeat: fuzzy scores, facts, re-flowed copies."""
