"""The operation log as people read it: queries, exports, and archiving after the retention period."""
