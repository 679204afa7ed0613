"""Benchmarks with their targets: run with ``make bench`` (``python -m bench [name ...]``)."""
