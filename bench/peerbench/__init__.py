"""The peer benchmark's parts, one concept a module; `bench/harness.py` runs them (see bench/README.md)."""
