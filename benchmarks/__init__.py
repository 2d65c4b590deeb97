"""Benchmarks that print figures (speed and memory targets are checked here, not in unit tests)."""
