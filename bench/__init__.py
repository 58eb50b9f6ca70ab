"""Load benchmarks of the live room fan-out: `python -m bench.run SCENARIO` (see `make bench`)."""
