"""Evaluation harness and its small datasets."""
