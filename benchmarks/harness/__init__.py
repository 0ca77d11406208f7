"""Benchmark harness behind benchmarks/run.py: transmit against Hugo on the same posts."""
