"""Exports of any list to .xlsx: requested in a request, built by a job (or at once when small), downloaded by a signed link."""
