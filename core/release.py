"""Integrity and origin of the deployed program (GB/T 39786 level 3: 重要可执行程序完整性、来源真实性).

A release is the set of shipped files under the project root. `sign_release` records the SM3 of each
in RELEASE-MANIFEST.json and signs the manifest with the release SM2 key (RELEASE-MANIFEST.sig), so
on the host `verify_release` with only the public key tells whether the code that runs is the code
that was signed: a changed, missing or added file is named, and a manifest edited to hide a change
fails the signature. The private key stays with whoever builds releases, never on the server.

Known limits: files outside the include patterns (the virtualenv, the database, configuration in the
environment) are not covered; dependencies are pinned and checked by the package installer instead.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from core.clock import utcnow
from core.crypto import provider, sm2

FORMAT = "govops-release/1"
HASH = "SM3"
MANIFEST_NAME = "RELEASE-MANIFEST.json"
SIGNATURE_NAME = "RELEASE-MANIFEST.sig"

# What ships, as POSIX paths relative to the root. `*` and `?` stay within one path component,
# `**` spans any number of them (`**/*.py` matches `server.py` as well as `core/crypto/sm2.py`).
INCLUDE_PATTERNS: tuple[str, ...] = (
    "**/*.py",  # the program itself
    "migrations/**",  # Alembic scripts and their template: they change the database
    "schema/schema.graphql",  # the published contract
    "operations/**/*.graphql",  # persisted operations: they decide what clients may run
    "explorer/dist/**",  # the built explorer served to browsers
    "pyproject.toml",  # dependencies and entry points
    "alembic.ini",
    "Makefile",
    "README.md",  # documents every setting an operator relies on
)

# A path with any of these components never ships: environments, tests, data, caches, secrets.
EXCLUDED_PARTS: frozenset[str] = frozenset(
    {".venv", ".git", "tests", "var", "node_modules", "__pycache__", "bench", ".pytest_cache", ".ruff_cache", "secrets"}
)


class ReleaseError(Exception):
    """A key, manifest or shipped file that cannot be read or used (an operator's problem, not a finding)."""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of `verify_release`: `checked` is the number of manifest entries compared."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    checked: int = 0


# --- which files ship -----------------------------------------------------------------------------


def _compile(pattern: str) -> re.Pattern[str]:
    parts = pattern.split("/")
    regex = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += ".+" if last else "(?:[^/]+/)*"
            continue
        regex += "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in part)
        if not last:
            regex += "/"
    return re.compile(regex)


_INCLUDE = tuple(_compile(p) for p in INCLUDE_PATTERNS)
_OWN_FILES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})


def is_shipped(relpath: str) -> bool:
    """Whether a POSIX path relative to the root belongs to a release (it need not exist)."""
    if relpath in _OWN_FILES or EXCLUDED_PARTS.intersection(relpath.split("/")):
        return False
    return any(p.fullmatch(relpath) for p in _INCLUDE)


def shipped_files(root: Path) -> list[str]:
    """The shipped files under root, sorted. Symlinked directories are not entered; a symlinked file
    counts only when it resolves to a regular file inside the root."""
    base = Path(root).resolve()
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_PARTS)
        here = Path(dirpath)
        for name in sorted(filenames):
            path = here / name
            relpath = path.relative_to(base).as_posix()
            if not is_shipped(relpath):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(base) or not target.is_file():
                    continue
            elif not path.is_file():
                continue
            found.append(relpath)
    return sorted(found)


def _hash_file(path: Path) -> str:
    return provider().sm3(path.read_bytes()).hex()


def _hashes(base: Path) -> dict[str, str]:
    try:
        return {relpath: _hash_file(base / relpath) for relpath in shipped_files(base)}
    except OSError as exc:
        raise ReleaseError(f"无法读取发布文件 / cannot read a shipped file: {exc}") from exc


# --- manifest and signature -----------------------------------------------------------------------


def canonical(manifest: dict[str, Any]) -> bytes:
    """The bytes that are signed: compact JSON with sorted keys, independent of how the file is laid out."""
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)


def build_manifest(root: Path) -> dict[str, Any]:
    """The SM3 of every shipped file under root, with the time it was taken."""
    created_at = utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {"format": FORMAT, "hash": HASH, "created_at": created_at, "files": _hashes(Path(root).resolve())}


def generate_keypair() -> tuple[bytes, bytes]:
    """A new SM2 release signing key: (private PEM, public PEM). Keep the private one off the servers."""
    key = sm2.generate()
    return sm2.private_pem(key).encode(), sm2.public_pem(key).encode()


def read_key_file(path: Path) -> bytes:
    """The PEM text of a key file, or ReleaseError saying which file could not be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReleaseError(f"无法读取密钥文件 / cannot read key file {path}: {exc.strerror or exc}") from exc


def _load_key(pem: bytes | str, *, private: bool) -> sm2.Sm2Key:
    try:
        key = sm2.from_pem(pem)
    except sm2.Sm2Error as exc:
        raise ReleaseError(f"不是有效的 SM2 密钥 / not a usable SM2 key: {exc}") from exc
    if private and key.private is None:
        raise ReleaseError("签名需要私钥 / signing needs the private key, got a public key")
    return key


def sign_release(root: Path, private_key_pem: bytes | str) -> dict[str, Any]:
    """Hash the shipped files, sign the manifest with SM2, and write the manifest and signature into root."""
    base = Path(root).resolve()
    key = _load_key(private_key_pem, private=True)
    manifest = build_manifest(base)
    signature = provider().sm2_sign(key, canonical(manifest), sm2.DEFAULT_UID)
    pretty = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    try:
        (base / MANIFEST_NAME).write_bytes(pretty)
        (base / SIGNATURE_NAME).write_bytes(base64.b64encode(signature))
    except OSError as exc:
        raise ReleaseError(f"无法写入发布清单 / cannot write the release manifest: {exc}") from exc
    return manifest


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ReleaseError(f"无法读取 / cannot read {path}: {exc.strerror or exc}") from exc


def _well_formed(manifest: Any) -> bool:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("hash") != HASH:
        return False
    files = manifest.get("files")
    return isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())


def verify_release(root: Path, public_key_pem: bytes | str) -> VerifyReport:
    """Check the signature first, then every shipped file against the manifest it vouches for.

    Nothing in the manifest is used before its signature holds; a failed signature is the only problem
    reported then, since any per-file finding would rest on content an attacker may have written.
    """
    base = Path(root).resolve()
    key = _load_key(public_key_pem, private=False)
    raw_manifest, raw_signature = _read(base / MANIFEST_NAME), _read(base / SIGNATURE_NAME)
    problems: list[str] = []
    if raw_manifest is None:
        problems.append(f"发布清单缺失 / release manifest missing: {MANIFEST_NAME}")
    if raw_signature is None:
        problems.append(f"发布签名缺失 / release signature missing: {SIGNATURE_NAME}")
    if raw_manifest is None or raw_signature is None:
        return VerifyReport(ok=False, problems=problems)

    try:
        manifest = orjson.loads(raw_manifest)
    except orjson.JSONDecodeError:
        return VerifyReport(ok=False, problems=[f"发布清单无法解析 / release manifest is not valid JSON: {MANIFEST_NAME}"])
    try:
        signature = base64.b64decode(raw_signature.strip(), validate=True)
    except ValueError:
        return VerifyReport(ok=False, problems=["签名无法验证 / signature does not verify (not base64)"])
    try:
        holds = provider().sm2_verify(key, canonical(manifest), signature, sm2.DEFAULT_UID)
    except (ValueError, TypeError):  # gmalglib on a signature it cannot parse
        holds = False
    if not holds:
        return VerifyReport(ok=False, problems=["签名无法验证 / signature does not verify"])
    if not _well_formed(manifest):
        return VerifyReport(
            ok=False, problems=[f"发布清单格式无法识别 / release manifest format not recognised (expected {FORMAT})"]
        )

    listed: dict[str, str] = manifest["files"]
    on_disk = _hashes(base)
    for relpath in sorted(listed):
        if relpath not in on_disk:
            problems.append(f"文件缺失 / file missing: {relpath}")
        elif on_disk[relpath] != listed[relpath].lower():
            problems.append(f"文件被修改 / file changed: {relpath}")
    problems.extend(f"清单外的文件 / unexpected file: {relpath}" for relpath in sorted(on_disk.keys() - listed.keys()))
    return VerifyReport(ok=not problems, problems=problems, checked=len(listed))
