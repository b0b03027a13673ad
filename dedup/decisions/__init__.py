"""From matches to decisions: which copy is kept, which paragraphs go."""
