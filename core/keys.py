"""Key material: everything derives from, or is wrapped by, the master key from settings.

`configure(master_key)` at start-up of every process (the audit chain key, the access-control MAC
key, the key ring's key-encryption and blind-index keys); then `await load(engine)` reads and unwraps
the data keys.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from core import audit, integrity
from core.keyring import RING


def configure(master_key: str) -> None:
    audit.configure(master_key)
    integrity.configure(master_key)
    RING.configure(master_key)


async def load(engine: AsyncEngine) -> None:
    await RING.load(engine)
