"""The operation log in the contract."""
