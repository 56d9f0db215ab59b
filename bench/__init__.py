"""The side-by-side benchmark: the app under gunicorn against a framework-free baseline (see README, Benchmarks)."""
