"""GraphQL contract of alerts: one model for every source, its history, the acts on it, statistics."""
