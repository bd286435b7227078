"""The city-scale data generator's parts (bench/generate.py runs them)."""
