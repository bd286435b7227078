"""Print the contract as SDL: `python -m schema.export > schema/schema.graphql` (make schema)."""

from __future__ import annotations

from core.settings import Profile, Settings
from schema.root import build_schema


def sdl() -> str:
    return build_schema(Settings(profile=Profile.DEMO)).as_str() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
