"""Unit tests of the bench harness (bench/peerbench): `.venv/bin/python -m pytest -q bench/tests`.
A package, so these modules do not clash with emulator/tests' when both run in one pytest."""
