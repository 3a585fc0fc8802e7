"""Benchmarks (not tests): each module has `main(argv) -> int`; see README.md."""
