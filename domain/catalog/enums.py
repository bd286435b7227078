"""Catalogue enums."""

from __future__ import annotations

import enum


class CatalogStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"  # offered for new grants
    RETIRED = "RETIRED"  # kept for those that have it, not offered any more
