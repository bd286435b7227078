"""Wireless (5G private network): SIM cards, plans, applications, terminal accounts, and their work orders."""
