"""Reading: files to documents to paragraphs, many files in parallel."""
