"""GraphQL types of the application catalogue."""
