"""Indexes: dense vectors (Chroma), lexical BM25, and the catalog that is the source of truth."""
