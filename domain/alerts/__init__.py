"""Alerts from every source (platforms, monitoring, asset lifecycle, the engine itself), deduplicated by fingerprint."""
