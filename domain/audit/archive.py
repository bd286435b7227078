"""Archiving instead of deletion (Cybersecurity Law art. 21: logs kept at least six months).

Records older than the retention period (GOVOPS_AUDIT_ARCHIVE_AFTER_DAYS, at least 180) move, as a
contiguous stretch of the chain, into a gzipped JSON-lines file under GOVOPS_AUDIT_ARCHIVE_DIR, with
every field and MAC. An `audit_archive` row keeps the stretch's first and last sequence numbers, the
MAC before it and its last MAC, and the file's SM3, so the chain still verifies end to end: the live
log continues from the last archived MAC, and each file re-verifies on its own (`govops audit verify`).
A stretch that does not verify is never archived: the job stops and says where.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import delete, func, select

from core import audit
from core.audit import GENESIS, AuditArchive, AuditEvent, compute_mac
from core.clock import utcnow
from core.crypto import sm3_hex
from core.db.uow import UnitOfWork


class ArchiveError(RuntimeError):
    pass


@dataclass(frozen=True)
class ArchiveResult:
    archived: int
    file: Path | None


_FIELDS = ["id", "occurred_at", "actor_id", "actor_username", "org_unit_id", "operation", "target_type", "target_id",
           "outcome", "client_ip", "request_id", "detail", "chain_seq", "mac"]  # fmt: skip


def _line(event: AuditEvent) -> bytes:
    values = {name: getattr(event, name) for name in _FIELDS}
    values["outcome"] = event.outcome.value
    return orjson.dumps(values, option=orjson.OPT_UTC_Z) + b"\n"


def _event(line: bytes) -> AuditEvent:
    from core.audit import AuditOutcome

    values = orjson.loads(line)
    values["occurred_at"] = datetime.fromisoformat(values["occurred_at"].replace("Z", "+00:00"))
    values["outcome"] = AuditOutcome(values["outcome"])
    return AuditEvent(**values)


async def last_archive(session: Any) -> AuditArchive | None:
    return (await session.execute(select(AuditArchive).order_by(AuditArchive.last_seq.desc()).limit(1))).scalar_one_or_none()


async def archive_old(uow: UnitOfWork, folder: Path, older_than_days: int, *, max_records: int = 100_000) -> ArchiveResult:
    """Move the oldest records past the retention period into one archive file (run it until it archives 0)."""
    if older_than_days < 180:
        raise ArchiveError("logs are kept at least 180 days before archiving")
    s = uow.session
    cutoff = utcnow() - timedelta(days=older_than_days)
    start = (await s.execute(select(func.min(AuditEvent.chain_seq)))).scalar()
    if start is None:
        return ArchiveResult(0, None)
    events = list(
        (
            await s.execute(
                select(AuditEvent).where(AuditEvent.chain_seq >= start, AuditEvent.occurred_at < cutoff)
                .order_by(AuditEvent.chain_seq).limit(max_records)
            )
        ).scalars()
    )  # fmt: skip
    # Only a contiguous stretch from the start of what is left: a later old record waits for the gap before it.
    stretch = []
    for expected, event in enumerate(events, start):
        if event.chain_seq != expected:
            break
        stretch.append(event)
    if not stretch:
        return ArchiveResult(0, None)
    before = await last_archive(s)
    previous = before.last_mac if before is not None else GENESIS
    key = audit.chain_key()
    mac = previous
    for event in stretch:
        if compute_mac(key, mac, event) != event.mac:
            raise ArchiveError(f"record {event.id} (sequence {event.chain_seq}) does not verify: not archiving a broken chain")
        mac = event.mac
    folder.mkdir(parents=True, exist_ok=True)
    first, last = stretch[0], stretch[-1]
    path = folder / f"audit-{first.chain_seq:012d}-{last.chain_seq:012d}.jsonl.gz"
    data = gzip.compress(b"".join(_line(e) for e in stretch), mtime=0)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # the file is complete before the rows go; a failed commit leaves a file the next run rewrites
    s.add(
        AuditArchive(
            first_seq=first.chain_seq, last_seq=last.chain_seq, count=len(stretch), first_at=first.occurred_at,
            last_at=last.occurred_at, previous_mac=previous, last_mac=last.mac, file_name=path.name, file_sm3=sm3_hex(data),
            archived_at=utcnow(),
        )
    )  # fmt: skip
    await s.execute(delete(AuditEvent).where(AuditEvent.chain_seq >= first.chain_seq, AuditEvent.chain_seq <= last.chain_seq))
    audit.record(s, operation="audit.archive", actor_username="system",
                 detail={"file": path.name, "firstSeq": first.chain_seq, "lastSeq": last.chain_seq, "count": len(stretch)})  # fmt: skip
    return ArchiveResult(len(stretch), path)


async def verify_archives(session: Any, folder: Path) -> list[str]:
    """Each archive file: present, unaltered (SM3), its chain intact, and joined to its neighbours."""
    problems = []
    key = audit.chain_key()
    expected_previous, expected_seq = GENESIS, None
    for row in (await session.execute(select(AuditArchive).order_by(AuditArchive.first_seq))).scalars():
        where = f"archive {row.file_name}"
        if row.previous_mac != expected_previous or (expected_seq is not None and row.first_seq != expected_seq):
            problems.append(f"{where}: does not follow the archive before it")
        path = folder / row.file_name
        if not path.exists():
            problems.append(f"{where}: file missing")
        else:
            data = path.read_bytes()
            if sm3_hex(data) != row.file_sm3:
                problems.append(f"{where}: file altered (SM3 differs)")
            else:
                mac, seq = row.previous_mac, row.first_seq
                for line in gzip.decompress(data).splitlines():
                    event = _event(line)
                    if event.chain_seq != seq or compute_mac(key, mac, event) != event.mac:
                        problems.append(f"{where}: record {event.id} (sequence {event.chain_seq}) does not verify")
                        break
                    mac, seq = event.mac, seq + 1
                if mac != row.last_mac:
                    problems.append(f"{where}: ends at a different MAC than recorded")
        expected_previous, expected_seq = row.last_mac, row.last_seq + 1
    return problems
