"""Files: attachments and exports, SM4-GCM encrypted at rest (GB/T 39786 level 3: 重要数据存储机密性、完整性).

Each object has its own random 128-bit file key, sealed with the key ring's active data key, and is
written as authenticated chunks so a 50 MB export is never held in memory:

    header  b"GOVF" | version (1) | chunk size (u32) | file id (16 random bytes) | wrapped-key length (u16) | wrapped key
    chunk i SM4-GCM sealed (core.crypto.sm4 format), associated data = bind | i (u64) | final (u8)
    meta    SM4-GCM sealed JSON {filename, content_type, size, sm3, chunks}, associated data = bind | b"meta"
    footer  length of the meta record (u32)

`bind` = SM3(header's fixed part | object key): a chunk moved, dropped, reordered or spliced from another
object, or a whole file renamed to another key, no longer opens (the STREAM construction, plus the
chunk count and plaintext SM3 in the meta record). The file key is wrapped apart from the chunks, so a
key rotation rewrites only the header (`rewrap`).

Downloads go through signed, expiring links (`sign_link` / `verify_link`, served at /files/<token>).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import io
import math
import os
import re
import shutil
import struct
import tempfile
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar
from urllib.parse import quote

import orjson

from core.clock import UTC, utcnow
from core.crypto import hmac_sm3, provider
from core.crypto.sm4 import NONCE_BYTES, TAG_BYTES, DecryptionError, key_id_of
from core.keyring import RING, KeyRing
from core.settings import Settings

T = TypeVar("T")
CHUNK_BYTES = 64 * 1024
_MAGIC, _VERSION = b"GOVF", 1
_FIXED = struct.Struct(">4sBI16s")  # magic, version, chunk size, file id
_WRAPPED_LEN = struct.Struct(">H")
_CHUNK_AAD = struct.Struct(">QB")  # index, final flag
_FOOTER = struct.Struct(">I")
_OVERHEAD = 3 + NONCE_BYTES + TAG_BYTES  # a sealed value's version and key id, nonce and tag (core.crypto.sm4)
_WRAP_AAD = b"govops/storage/file-key/v1\x00"
_KEY_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]+)*")


class StorageIntegrityError(RuntimeError):
    """A stored object failed verification: altered, truncated, reordered or moved to another key."""


class ObjectNotFound(FileNotFoundError):
    """No object under this key (never stored, deleted or purged)."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int  # plaintext bytes
    sm3: str  # hex SM3 of the plaintext
    content_type: str
    filename: str


class FileStore(Protocol):
    """Where attachments and exports live; every implementation encrypts at rest and verifies on read."""

    async def put_file(self, key: str, source: Path, *, filename: str, content_type: str) -> StoredObject: ...
    async def put_bytes(self, key: str, data: bytes, *, filename: str, content_type: str) -> StoredObject: ...
    def open(self, key: str) -> AsyncIterator[bytes]: ...
    async def read(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def stat(self, key: str) -> StoredObject | None: ...
    async def listing(self, prefix: str) -> list[tuple[str, datetime]]: ...
    async def rewrap(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    """The key itself if it is a safe relative POSIX path ("exports/2026/11/<uuid>.xlsx"); ValueError otherwise."""
    if not isinstance(key, str) or not 0 < len(key) <= 255 or not all(_KEY_SEGMENT.fullmatch(p) for p in key.split("/")):
        raise ValueError(f"not a storage key: {key!r} (relative path of [A-Za-z0-9._-] segments, none starting with '.')")
    return key


def object_key(prefix: str, suffix: str, now: datetime | None = None) -> str:
    """A fresh key such as "exports/2026/11/<uuid>.xlsx" (month folders keep directories small)."""
    return check_key(f"{prefix}/{(now or utcnow()):%Y/%m}/{uuid.uuid4().hex}{suffix}")


def _check_filename(filename: str) -> str:
    # Control and format characters (e.g. U+202E, which makes "exe.pdf" look like "fdp.exe") never reach a header.
    if not filename or len(filename.encode()) > 255 or any(ch in "/\\" or unicodedata.category(ch)[0] == "C" for ch in filename):
        raise ValueError(f"not a file name: {filename!r}")
    return filename


def _check_content_type(content_type: str) -> str:
    if len(content_type) > 127 or not _CONTENT_TYPE.fullmatch(content_type):
        raise ValueError(f"not a content type: {content_type!r}")
    return content_type


def attachment_allowed(filename: str, content_type: str, allow_list: str) -> bool:
    """Whether both the extension and the declared type are on the allow-list (settings.attachment_types)."""
    allowed = {item.strip().lower() for item in allow_list.split(",") if item.strip()}
    extension = os.path.splitext(filename)[1].lower()
    return bool(extension) and extension in allowed and content_type.split(";")[0].strip().lower() in allowed


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    stem, extension = os.path.splitext(filename)
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode())
    ascii_ext = re.sub(r"[^A-Za-z0-9.]+", "", extension)
    fallback = (ascii_stem.strip("._") if re.search(r"[A-Za-z0-9]", ascii_stem) else "download") + ascii_ext
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# -- the record format ---------------------------------------------------------------------------


def _seal(file_key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return provider().sm4_seal(0, file_key, plaintext, aad)


def _broken(what: str) -> StorageIntegrityError:
    return StorageIntegrityError(f"存储文件校验失败 / stored file fails verification: {what}")


def _open(file_key: bytes, sealed: bytes, aad: bytes, what: str) -> bytes:
    try:
        return provider().sm4_open(lambda _id: file_key, sealed, aad)
    except DecryptionError as exc:
        raise _broken(what) from exc


def _unwrap(ring: KeyRing, wrapped: bytes, bind: bytes, key: str) -> bytes:
    try:
        return ring.open(wrapped, _WRAP_AAD + bind)
    except DecryptionError as exc:  # KeyRingError (a data key not loaded yet) passes: it is not tampering
        raise _broken(f"{key} (file key)") from exc


def _read_full(f: BinaryIO, n: int) -> bytes:
    parts, left = [], n
    while left:
        part = f.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _read_header(f: BinaryIO, key: str) -> tuple[bytes, bytes, bytes, int]:
    """(fixed part, bind, wrapped file key, chunk size) of an object's header."""
    fixed = _read_full(f, _FIXED.size)
    if len(fixed) != _FIXED.size:
        raise _broken("header cut short")
    magic, version, chunk_bytes, _file_id = _FIXED.unpack(fixed)
    if magic != _MAGIC or version != _VERSION or not 1024 <= chunk_bytes <= 16 * 1024 * 1024:
        raise _broken("not a GOVF v1 object")
    (length,) = _WRAPPED_LEN.unpack(_read_full(f, _WRAPPED_LEN.size).rjust(_WRAPPED_LEN.size, b"\0"))
    return fixed, provider().sm3(fixed + key.encode()), _read_full(f, length), chunk_bytes


def _write_object(out: BinaryIO, source: BinaryIO, key: str, ring: KeyRing, chunk_bytes: int, filename: str,
                  content_type: str) -> StoredObject:  # fmt: skip
    file_key = provider().random(16)
    fixed = _FIXED.pack(_MAGIC, _VERSION, chunk_bytes, provider().random(16))
    bind = provider().sm3(fixed + key.encode())
    wrapped = ring.seal(file_key, _WRAP_AAD + bind)
    out.write(fixed + _WRAPPED_LEN.pack(len(wrapped)) + wrapped)
    # Streaming SM3: the provider hashes whole messages only, and a file is never whole in memory here.
    digest, size, index = hashlib.new("sm3"), 0, 0
    chunk = _read_full(source, chunk_bytes)
    while chunk:
        following = _read_full(source, chunk_bytes)  # one chunk of look-ahead tells which one is final
        digest.update(chunk)
        size += len(chunk)
        out.write(_seal(file_key, chunk, bind + _CHUNK_AAD.pack(index, not following)))
        index, chunk = index + 1, following
    stored = StoredObject(key, size, digest.hexdigest(), content_type, filename)
    meta = {"filename": filename, "content_type": content_type, "size": size, "sm3": stored.sm3, "chunks": index}
    record = _seal(file_key, orjson.dumps(meta), bind + b"meta")
    out.write(record + _FOOTER.pack(len(record)))
    return stored


class _Reader:
    """An open object: header and meta record verified at once; chunks verified one by one as they are read."""

    def __init__(self, path: Path, key: str, ring: KeyRing) -> None:
        try:
            self._f: BinaryIO = path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise ObjectNotFound(key) from exc
        try:
            self._parse(key, ring)
        except BaseException:
            self._f.close()
            raise

    def _parse(self, key: str, ring: KeyRing) -> None:
        f = self._f
        _fixed, self._bind, wrapped, self._chunk_bytes = _read_header(f, key)
        self._file_key = _unwrap(ring, wrapped, self._bind, key)
        data_start, end = f.tell(), f.seek(0, os.SEEK_END)
        f.seek(max(end - _FOOTER.size, 0))
        (meta_len,) = _FOOTER.unpack(_read_full(f, _FOOTER.size).rjust(_FOOTER.size, b"\0"))
        meta_start = end - _FOOTER.size - meta_len
        if meta_start < data_start:
            raise _broken(f"{key} (cut short)")
        f.seek(meta_start)
        meta = orjson.loads(_open(self._file_key, _read_full(f, meta_len), self._bind + b"meta", f"{key} (meta)"))
        self.object = StoredObject(key, meta["size"], meta["sm3"], meta["content_type"], meta["filename"])
        self._chunks = meta["chunks"]
        # The chunks must fill exactly the space between header and meta: catches a dropped or added chunk early.
        if self._chunks != math.ceil(self.object.size / self._chunk_bytes) or (
            meta_start - data_start != self.object.size + self._chunks * _OVERHEAD
        ):
            raise _broken(f"{key} (chunk layout)")
        f.seek(data_start)
        self._index, self._digest = 0, hashlib.new("sm3")

    def next_chunk(self) -> bytes | None:
        """The next verified plaintext chunk, None at the end. The last one is withheld until the whole SM3 matches."""
        if self._index == self._chunks:
            return None
        final = self._index == self._chunks - 1
        length = (self.object.size - self._index * self._chunk_bytes if final else self._chunk_bytes) + _OVERHEAD
        what = f"{self.object.key} (chunk {self._index})"
        chunk = _open(self._file_key, _read_full(self._f, length), self._bind + _CHUNK_AAD.pack(self._index, final), what)
        self._digest.update(chunk)
        self._index += 1
        if final and self._digest.hexdigest() != self.object.sm3:
            raise _broken(f"{self.object.key} (SM3)")
        return chunk

    def close(self) -> None:
        self._f.close()


# -- a local folder or shared volume -------------------------------------------------------------


class LocalFileStore:
    """Objects as files under `root` (a local folder embedded; a shared volume in production).

    Blocking I/O runs in threads, so the event loop stays free while a 50 MB export is written or served."""

    def __init__(self, root: Path, *, ring: KeyRing = RING, chunk_bytes: int = CHUNK_BYTES) -> None:
        if not 1024 <= chunk_bytes <= 16 * 1024 * 1024:  # what a reader accepts
            raise ValueError("chunk_bytes must be between 1 KiB and 16 MiB")
        self.root = Path(root)
        self.ring = ring
        self.chunk_bytes = chunk_bytes

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put_file(self, key: str, source: Path, *, filename: str, content_type: str) -> StoredObject:
        """Encrypt `source` (e.g. a finished export) into the store under `key`."""
        return await asyncio.to_thread(self._put, key, lambda: Path(source).open("rb"), filename, content_type)

    async def put_bytes(self, key: str, data: bytes, *, filename: str, content_type: str) -> StoredObject:
        """Encrypt `data` (e.g. an uploaded attachment) into the store under `key`."""
        return await asyncio.to_thread(self._put, key, lambda: io.BytesIO(data), filename, content_type)

    def _put(self, key: str, opener: Callable[[], BinaryIO], filename: str, content_type: str) -> StoredObject:
        target = self.path(key)
        _check_filename(filename)
        _check_content_type(content_type)
        with opener() as source:
            return _atomic_write(
                target, lambda out: _write_object(out, source, key, self.ring, self.chunk_bytes, filename, content_type)
            )

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """Verified plaintext chunks; raises ObjectNotFound or StorageIntegrityError (possibly after some chunks)."""
        reader = await asyncio.to_thread(_Reader, self.path(key), key, self.ring)
        try:
            while (chunk := await asyncio.to_thread(reader.next_chunk)) is not None:
                yield chunk
        finally:
            reader.close()

    async def read(self, key: str) -> bytes:
        """The whole verified plaintext (small objects only: use `open` to stream)."""
        return b"".join([chunk async for chunk in self.open(key)])

    async def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key` (not verified: see `stat`)."""
        return await asyncio.to_thread(self.path(key).is_file)

    async def stat(self, key: str) -> StoredObject | None:
        """The object's verified metadata, None when there is none."""

        def stat() -> StoredObject | None:
            try:
                reader = _Reader(self.path(key), key, self.ring)
            except ObjectNotFound:
                return None
            reader.close()
            return reader.object

        return await asyncio.to_thread(stat)

    async def listing(self, prefix: str) -> list[tuple[str, datetime]]:
        """(key, last modified) of every object under `prefix` ("" for all)."""
        return await asyncio.to_thread(self._listing, prefix)

    def _listing(self, prefix: str) -> list[tuple[str, datetime]]:
        base = self.path(prefix.strip("/")) if prefix.strip("/") else self.root
        found = []
        for folder, dirs, names in os.walk(base):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                if not name.startswith("."):  # temporary files of writes in flight
                    path = Path(folder, name)
                    with contextlib.suppress(FileNotFoundError):
                        found.append((path.relative_to(self.root).as_posix(), _mtime(path)))
        return found

    async def rewrap(self, key: str) -> bool:
        """Re-seal the object's file key with the active data key (before a rotation retires the old one)."""
        return await asyncio.to_thread(self._rewrap, key)

    def _rewrap(self, key: str) -> bool:
        target = self.path(key)
        with target.open("rb") as f:
            fixed, bind, wrapped, _chunk = _read_header(f, key)
            file_key = _unwrap(self.ring, wrapped, bind, key)
            if key_id_of(wrapped) == self.ring.active_version:
                return False
            rewrapped = self.ring.seal(file_key, _WRAP_AAD + bind)

            def write(out: BinaryIO) -> None:
                out.write(fixed + _WRAPPED_LEN.pack(len(rewrapped)) + rewrapped)
                shutil.copyfileobj(f, out)  # the chunks are bound to the file id, not to the wrapped key

            times = os.fstat(f.fileno())
            _atomic_write(target, write, keep_times=(times.st_atime_ns, times.st_mtime_ns))  # retention counts from upload
        return True

    async def tidy(self, prefix: str, older_than: datetime) -> None:
        """Remove temporary files a crashed write left, and empty folders, older than `older_than`."""

        def tidy() -> None:
            base = self.path(prefix.strip("/")) if prefix.strip("/") else self.root
            for folder, _dirs, names in os.walk(base, topdown=False):
                # A write may rename or create what we look at meanwhile: skip it, the next run sees it again.
                for path in [Path(folder, n) for n in names if n.startswith(".") and n.endswith(".tmp")]:
                    with contextlib.suppress(OSError):
                        if _mtime(path) < older_than:
                            path.unlink()
                # A folder emptied just now has a fresh mtime, so one a write is about to use is left alone.
                with contextlib.suppress(OSError):
                    if Path(folder) != self.root and _mtime(Path(folder)) < older_than:
                        os.rmdir(folder)

        await asyncio.to_thread(tidy)


def _atomic_write(target: Path, write: Callable[[BinaryIO], T], keep_times: tuple[int, int] | None = None) -> T:
    """Write a temporary file beside `target` and rename it into place: readers on any replica see the
    whole object or none, and a crash leaves only a dot-file for `tidy`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        if keep_times is not None:
            os.utime(tmp, ns=keep_times)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return result


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse to open a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def store_from_settings(settings: Settings) -> FileStore:
    """The deployment's store; also keys the download links from the master key."""
    if settings.master_key is not None:
        configure(settings.master_key.get_secret_value())
    # Extension point: an S3-compatible object store would be chosen here from a setting and implement
    # FileStore with the same record format (_write_object and _Reader work on any binary file object:
    # multipart uploads for writes, ranged GETs for the footer, meta record and chunks).
    return LocalFileStore(settings.storage_dir)


async def purge(store: FileStore, prefix: str, older_than: datetime) -> int:
    """Delete the objects under `prefix` last modified before `older_than` (the retention cron); returns how many."""
    removed = 0
    for key, modified in await store.listing(prefix):
        if modified < older_than:
            await store.delete(key)
            removed += 1
    if isinstance(store, LocalFileStore):
        await store.tidy(prefix, older_than)
    return removed


# -- signed download links ------------------------------------------------------------------------

_LINK_VERSION = 1
_LINK_HEAD = struct.Struct(">BBIB")  # version, flags (1 = user id follows), expiry (unix seconds), key length
_LINK_USER = struct.Struct(">Q")
_LINK_MAC_BYTES = 16
_link_key: bytes | None = None


class LinkInvalid(ValueError):
    """The token was altered, garbled, or signed with another deployment's key."""


class LinkExpired(ValueError):
    """The token is genuine but past its expiry."""


@dataclass(frozen=True)
class LinkGrant:
    key: str
    filename: str
    user_id: int | None
    expires_at: datetime


def configure(master_key: str) -> None:
    """Derive the link-signing key from the master key (every replica derives the same one; none is stored)."""
    global _link_key
    _link_key = hmac_sm3(master_key.encode(), b"govops/download-link/v1")


def _mac(body: bytes) -> bytes:
    if _link_key is None:
        raise RuntimeError("download-link key not configured: call core.storage.configure(master_key) at start-up")
    return hmac_sm3(_link_key, body)[:_LINK_MAC_BYTES]


def sign_link(key: str, *, filename: str, expires_in: int, now: datetime | None = None, user_id: int | None = None) -> str:
    """An opaque URL-safe token for /files/<token>: key, download name, expiry, optional user id, HMAC-SM3."""
    if expires_in <= 0:
        raise ValueError("expires_in must be positive")
    expires = int((now or utcnow()).timestamp()) + expires_in
    raw_key, raw_name = check_key(key).encode(), _check_filename(filename).encode()
    body = _LINK_HEAD.pack(_LINK_VERSION, 0 if user_id is None else 1, expires, len(raw_key))
    body += (b"" if user_id is None else _LINK_USER.pack(user_id)) + raw_key + raw_name
    return base64.urlsafe_b64encode(body + _mac(body)).rstrip(b"=").decode()


def verify_link(token: str, *, now: datetime | None = None) -> LinkGrant:
    """What a token grants; LinkInvalid when altered or garbled, LinkExpired when past its expiry."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LinkInvalid("not a download token") from exc
    # One encoding per token: a variant of the same bytes (other trailing bits) is not a second valid link.
    if len(token) > 2048 or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        raise LinkInvalid("not a download token")
    body, mac = raw[:-_LINK_MAC_BYTES], raw[-_LINK_MAC_BYTES:]
    if len(body) < _LINK_HEAD.size or not hmac.compare_digest(mac, _mac(body)):
        raise LinkInvalid("download token signature does not verify")
    version, flags, expires, key_len = _LINK_HEAD.unpack_from(body)
    rest, user_id = body[_LINK_HEAD.size :], None
    try:
        if version != _LINK_VERSION or flags & ~1:
            raise ValueError("unknown token version")
        if flags & 1:
            (user_id,) = _LINK_USER.unpack_from(rest)
            rest = rest[_LINK_USER.size :]
        key, filename = check_key(rest[:key_len].decode()), _check_filename(rest[key_len:].decode())
    except (ValueError, struct.error) as exc:
        raise LinkInvalid("download token does not parse") from exc
    expires_at = datetime.fromtimestamp(expires, UTC)
    if (now or utcnow()) >= expires_at:
        raise LinkExpired(f"download link expired at {expires_at.isoformat()}")
    return LinkGrant(key, filename, user_id, expires_at)
