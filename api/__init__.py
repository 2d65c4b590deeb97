"""HTTP API: a thin FastAPI layer over the ``assistant`` library."""
