"""Metric types, enums and inputs of the contract."""
