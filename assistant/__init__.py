"""Core library of the on-premises drafting and Q&A assistant (no web imports here)."""

__version__ = "0.1.0"
