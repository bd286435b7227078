"""GraphQL contract of internet secure encrypted access: accounts, their history and orders, edits, statistics."""
