"""Notifications: what people are told (an approval waits, an SLA is about to breach, an order finished), per recipient."""
