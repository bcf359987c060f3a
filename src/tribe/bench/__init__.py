"""Benchmarks over real HTTP against `tribe serve` (`tribe bench …`). Not tests: they report figures."""
