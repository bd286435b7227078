"""The file store: encrypted at rest, verified on read, served through signed expiring links."""

from __future__ import annotations

import base64
import os
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from core import storage
from core.crypto import sm3_hex
from core.keyring import KeyRing, KeyState
from core.storage import (
    LinkExpired,
    LinkInvalid,
    LocalFileStore,
    ObjectNotFound,
    StorageIntegrityError,
    sign_link,
    verify_link,
)
from tests.conftest import TEST_MASTER_KEY

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
MARKER = b"SECRET-MARKER-310101199001011234"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = storage.CHUNK_BYTES
HEADER = storage._FIXED.size + storage._WRAPPED_LEN.size
RECORD = CHUNK + storage._OVERHEAD


@pytest.fixture
def ring() -> KeyRing:
    """A key ring of its own: these tests need no database and leave the process's RING alone."""
    ring = KeyRing()
    ring.configure(TEST_MASTER_KEY)
    ring.install([(1, KeyState.ACTIVE, ring.new_wrapped_key(1))])
    return ring


@pytest.fixture
def store(tmp_path: Path, ring: KeyRing) -> LocalFileStore:
    storage.configure(TEST_MASTER_KEY)
    return LocalFileStore(tmp_path / "store", ring=ring)


def big_payload() -> bytes:
    """1 MiB and a few bytes: 17 chunks, the last one short, with a marker across a chunk boundary."""
    body = bytearray(os.urandom(CHUNK * 16 + 7))
    body[CHUNK - 10 : CHUNK - 10 + len(MARKER)] = MARKER
    return bytes(body)


def data_start(path: Path) -> int:
    return HEADER + struct.unpack_from(">H", path.read_bytes(), storage._FIXED.size)[0]


async def test_bytes_round_trip_with_exact_size_and_sm3(store):
    data = "工单 work orders ".encode() * 10
    stored = await store.put_bytes("attachments/2026/11/a.txt", data, filename="说明.txt", content_type="text/plain")
    assert stored == storage.StoredObject("attachments/2026/11/a.txt", len(data), sm3_hex(data), "text/plain", "说明.txt")
    assert await store.read("attachments/2026/11/a.txt") == data
    assert await store.stat("attachments/2026/11/a.txt") == stored
    assert await store.exists("attachments/2026/11/a.txt")


async def test_an_empty_file_round_trips(store):
    stored = await store.put_bytes("a/empty.txt", b"", filename="empty.txt", content_type="text/plain")
    assert (stored.size, stored.sm3) == (0, sm3_hex(b""))
    assert await store.read("a/empty.txt") == b""


async def test_a_multi_chunk_file_streams_back_in_verified_chunks(store, tmp_path):
    payload = big_payload()
    source = tmp_path / "export.xlsx"
    source.write_bytes(payload)
    key = storage.object_key("exports", ".xlsx", NOW)
    assert key.startswith("exports/2026/11/") and key.endswith(".xlsx")
    stored = await store.put_file(key, source, filename="工单导出.xlsx", content_type=XLSX)
    assert (stored.size, stored.sm3) == (len(payload), sm3_hex(payload))
    chunks = [chunk async for chunk in store.open(key)]
    assert [len(c) for c in chunks] == [CHUNK] * 16 + [7]
    assert b"".join(chunks) == payload
    on_disk = store.path(key).read_bytes()
    assert MARKER not in on_disk and payload[:64] not in on_disk and "工单导出".encode() not in on_disk
    assert [p.name for p in store.path(key).parent.iterdir()] == [store.path(key).name]  # no temporary file left


async def test_a_flipped_byte_is_detected(store):
    await store.put_bytes("a/b.bin", big_payload(), filename="b.bin", content_type="application/octet-stream")
    path = store.path("a/b.bin")
    raw = bytearray(path.read_bytes())
    raw[data_start(path) + 3 * RECORD + 100] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(StorageIntegrityError, match="chunk 3"):
        await store.read("a/b.bin")


@pytest.mark.parametrize("cut", ["last chunk", "chunk boundary", "footer"])
async def test_a_truncated_file_is_detected(store, cut):
    await store.put_bytes("a/b.bin", big_payload(), filename="b.bin", content_type="application/octet-stream")
    path = store.path("a/b.bin")
    raw = path.read_bytes()
    start = data_start(path)
    if cut == "footer":
        raw = raw[:-1]
    else:  # keep the meta record and footer, drop data: what a careless copy could produce
        tail = raw[start + 16 * RECORD + 7 + storage._OVERHEAD :]
        raw = raw[: start + 16 * RECORD + 3] + tail if cut == "last chunk" else raw[: start + 16 * RECORD] + tail
    path.write_bytes(raw)
    with pytest.raises(StorageIntegrityError):
        await store.read("a/b.bin")


async def test_swapped_chunks_are_detected(store):
    await store.put_bytes("a/b.bin", big_payload(), filename="b.bin", content_type="application/octet-stream")
    path = store.path("a/b.bin")
    raw = bytearray(path.read_bytes())
    first, second = data_start(path) + RECORD, data_start(path) + 2 * RECORD
    raw[first:second], raw[second : second + RECORD] = raw[second : second + RECORD], raw[first:second]
    path.write_bytes(bytes(raw))
    with pytest.raises(StorageIntegrityError, match="chunk 1"):
        await store.read("a/b.bin")


async def test_a_file_moved_to_another_key_or_spliced_from_another_does_not_open(store):
    await store.put_bytes("a/one.bin", big_payload(), filename="one.bin", content_type="application/octet-stream")
    await store.put_bytes("a/two.bin", big_payload(), filename="two.bin", content_type="application/octet-stream")
    store.path("a/one.bin").rename(store.path("a/moved.bin"))
    with pytest.raises(StorageIntegrityError, match="file key"):
        await store.stat("a/moved.bin")
    one, two = store.path("a/moved.bin").read_bytes(), bytearray(store.path("a/two.bin").read_bytes())
    start = data_start(store.path("a/two.bin"))
    two[start : start + RECORD] = one[start : start + RECORD]  # chunk 0 of another object, same position
    store.path("a/two.bin").write_bytes(bytes(two))
    with pytest.raises(StorageIntegrityError, match="chunk 0"):
        await store.read("a/two.bin")


async def test_missing_objects(store):
    assert await store.stat("a/none.txt") is None
    assert not await store.exists("a/none.txt")
    with pytest.raises(ObjectNotFound):
        await store.read("a/none.txt")
    await store.delete("a/none.txt")  # deleting what is gone is fine


@pytest.mark.parametrize(
    "key", ["../x", "/etc/passwd", "a/../../x", "a//b", "a/.hidden", ".x", "a/b/", "", "a\\b", "a/b c", "x" * 256, "报告.pdf"]
)
async def test_unsafe_keys_are_refused(store, key):
    with pytest.raises(ValueError, match="not a storage key"):
        await store.put_bytes(key, b"x", filename="x.txt", content_type="text/plain")
    with pytest.raises(ValueError):
        await store.stat(key)


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("a/b.txt", "text/plain"),
        ("evil\u202etxt.exe", "text/plain"),
        ("a\r\nb.txt", "text/plain"),
        ("a.txt", "text/plain\r\nX: y"),
    ],
)
async def test_unsafe_names_and_types_are_refused(store, filename, content_type):
    with pytest.raises(ValueError):
        await store.put_bytes("a/x.txt", b"x", filename=filename, content_type=content_type)
    assert not await store.exists("a/x.txt")


async def test_rewrap_moves_the_file_key_to_the_active_data_key(tmp_path):
    ring = KeyRing()
    ring.configure(TEST_MASTER_KEY)
    one, two = ring.new_wrapped_key(1), ring.new_wrapped_key(2)
    ring.install([(1, KeyState.ACTIVE, one)])
    store = LocalFileStore(tmp_path, ring=ring)
    payload = big_payload()
    await store.put_bytes("a/b.bin", payload, filename="b.bin", content_type="application/octet-stream")
    mtime = store.path("a/b.bin").stat().st_mtime_ns
    ring.install([(1, KeyState.RETIRING, one), (2, KeyState.ACTIVE, two)])  # a rotation is under way
    assert await store.rewrap("a/b.bin") is True
    assert await store.rewrap("a/b.bin") is False
    assert store.path("a/b.bin").stat().st_mtime_ns == mtime  # retention still counts from the upload
    ring.install([(1, KeyState.RETIRED, None), (2, KeyState.ACTIVE, two)])  # key 1 destroyed
    assert await store.read("a/b.bin") == payload


async def test_purge_removes_only_old_objects_under_the_prefix(store):
    for key in ("exports/2026/10/old.xlsx", "exports/2026/11/new.xlsx", "attachments/2026/10/keep.pdf"):
        await store.put_bytes(key, b"x", filename="x.bin", content_type="application/octet-stream")
    old = (NOW - timedelta(days=10)).timestamp()
    for key in ("exports/2026/10/old.xlsx", "attachments/2026/10/keep.pdf"):
        os.utime(store.path(key), (old, old))
    os.utime(store.path("exports/2026/11/new.xlsx"), (NOW.timestamp(), NOW.timestamp()))
    leftover = store.root / "exports/2026/10/.crashed.xlsx.abc.tmp"  # a write that never finished
    leftover.write_bytes(b"partial")
    os.utime(leftover, (old, old))
    assert await storage.purge(store, "exports", NOW - timedelta(days=7)) == 1
    assert not await store.exists("exports/2026/10/old.xlsx") and not leftover.exists()
    assert await store.exists("exports/2026/11/new.xlsx") and await store.exists("attachments/2026/10/keep.pdf")
    assert sorted(k for k, _m in await store.listing("")) == ["attachments/2026/10/keep.pdf", "exports/2026/11/new.xlsx"]


# -- links ------------------------------------------------------------------------------------------


def test_a_link_grants_its_key_name_and_user_until_it_expires():
    storage.configure(TEST_MASTER_KEY)
    token = sign_link("exports/2026/11/ab.xlsx", filename="工单导出 2026-11.xlsx", expires_in=900, now=NOW, user_id=42)
    assert len(token) < 160 and token.replace("-", "").replace("_", "").isalnum()
    grant = verify_link(token, now=NOW + timedelta(seconds=899))
    assert grant == storage.LinkGrant("exports/2026/11/ab.xlsx", "工单导出 2026-11.xlsx", 42, NOW + timedelta(seconds=900))
    assert verify_link(sign_link("a/b.pdf", filename="b.pdf", expires_in=60, now=NOW), now=NOW).user_id is None
    with pytest.raises(LinkExpired):
        verify_link(token, now=NOW + timedelta(seconds=900))


def _raw(token: str) -> bytearray:
    return bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(("field", "offset"), [("version", 0), ("flags", 1), ("expiry", 5), ("key length", 6),
                                               ("user id", 14), ("key", 16), ("filename", -20), ("mac", -1)])  # fmt: skip
def test_a_tampered_link_is_invalid(field, offset):
    storage.configure(TEST_MASTER_KEY)
    raw = _raw(sign_link("exports/2026/11/ab.xlsx", filename="report.xlsx", expires_in=900, now=NOW, user_id=42))
    raw[offset] ^= 0x01
    with pytest.raises(LinkInvalid):
        verify_link(_token(bytes(raw)), now=NOW)


@pytest.mark.parametrize("token", ["", "x", "!!!!", "a" * 40, "a b", "Zm9v", "=" * 8, "é" * 30, "A" * 3000])
def test_garbage_is_invalid(token):
    storage.configure(TEST_MASTER_KEY)
    with pytest.raises(LinkInvalid):
        verify_link(token, now=NOW)


def test_a_link_of_another_deployment_or_a_non_canonical_encoding_is_invalid():
    storage.configure("another-master-key-of-at-least-32-characters")
    foreign = sign_link("a/b.pdf", filename="b.pdf", expires_in=900, now=NOW)
    storage.configure(TEST_MASTER_KEY)
    with pytest.raises(LinkInvalid):
        verify_link(foreign, now=NOW)
    token = sign_link("a/b.pdf", filename="b.pdf", expires_in=900, now=NOW)
    verify_link(token, now=NOW)
    with pytest.raises(LinkInvalid):
        verify_link(token + "=", now=NOW)


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert storage.content_disposition("工单导出-2026.xlsx") == (
        "attachment; filename=\"-2026.xlsx\"; filename*=UTF-8''" + quote("工单导出-2026.xlsx", safe="")
    )
    assert storage.content_disposition("报告.pdf").startswith('attachment; filename="download.pdf"; ')
    assert storage.content_disposition('a "quoted" name.txt').startswith('attachment; filename="a_quoted_name.txt"; ')


def test_attachment_allow_list():
    from core.settings import Settings

    allow = Settings().attachment_types
    assert storage.attachment_allowed("批复.pdf", "application/pdf", allow)
    assert storage.attachment_allowed("表.XLSX", XLSX, allow)
    assert not storage.attachment_allowed("page.html", "text/html", allow)
    assert not storage.attachment_allowed("evil.pdf.exe", "application/pdf", allow)
    assert not storage.attachment_allowed("noext", "application/pdf", allow)


# -- through the app -------------------------------------------------------------------------------


async def test_files_endpoint_serves_signed_links(services, gql, tmp_path, monkeypatch):
    store = LocalFileStore(tmp_path / "files")  # the process's key ring, loaded by the services fixture
    monkeypatch.setattr(services, "storage", store)
    payload = big_payload()
    await store.put_bytes("exports/2026/11/x.xlsx", payload, filename="x.xlsx", content_type=XLSX)
    token = sign_link("exports/2026/11/x.xlsx", filename="工单导出.xlsx", expires_in=900, user_id=7)

    response = await gql.http.get(f"/files/{token}")
    assert response.status_code == 200 and response.content == payload
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-length"] == str(len(payload))
    assert response.headers["content-disposition"] == storage.content_disposition("工单导出.xlsx")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"

    expired = sign_link("exports/2026/11/x.xlsx", filename="x.xlsx", expires_in=60, now=datetime.now(UTC) - timedelta(hours=1))
    response = await gql.http.get(f"/files/{expired}")
    assert response.status_code == 410 and "expired" in response.text and "过期" in response.text

    tampered = _raw(token)
    tampered[20] ^= 0x01
    response = await gql.http.get(f"/files/{_token(bytes(tampered))}")
    assert response.status_code == 403 and "not valid" in response.text
    assert (await gql.http.get("/files/garbage")).status_code == 403

    await store.delete("exports/2026/11/x.xlsx")
    response = await gql.http.get(f"/files/{token}")
    assert response.status_code == 404 and "no longer exists" in response.text
