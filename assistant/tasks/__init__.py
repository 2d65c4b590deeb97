"""Tasks built on retrieval: ask, draft, summarize."""
