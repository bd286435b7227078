"""Release integrity: a signed manifest names every changed, missing or added shipped file, and cannot be edited to hide one."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from core import release
from core.release import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    ReleaseError,
    build_manifest,
    generate_keypair,
    sign_release,
    verify_release,
)
from core.settings import ROOT


@pytest.fixture(scope="module")
def keypair() -> tuple[bytes, bytes]:
    return generate_keypair()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small tree shaped like the repository, with directories that must never ship."""
    files = {
        "server.py": "print('server')\n",
        "core/__init__.py": "",
        "core/audit.py": "AUDIT = 1\n",
        "migrations/env.py": "# alembic env\n",
        "migrations/script.py.mako": "${message}\n",
        "migrations/versions/0001_init.py": "revision = '0001'\n",
        "schema/schema.graphql": "type Query { ok: Boolean }\n",
        "operations/users/list.graphql": "query { ok }\n",
        "explorer/dist/index.html": "<html></html>\n",
        "explorer/src/main.ts": "console.log(1)\n",  # source, not shipped
        "pyproject.toml": "[project]\nname = 'x'\n",
        "README.md": "# x\n",
        "docs/notes.txt": "not shipped\n",
        "tests/test_server.py": "def test(): pass\n",
        ".venv/lib/site.py": "# site\n",
        "core/__pycache__/audit.cpython-311.pyc": "\x00",
        "var/govops.sqlite3": "db",
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.fixture
def signed(project: Path, keypair: tuple[bytes, bytes]) -> Path:
    sign_release(project, keypair[0])
    return project


def test_manifest_lists_exactly_the_shipped_files(project: Path):
    manifest = build_manifest(project)
    assert manifest["format"] == "govops-release/1" and manifest["hash"] == "SM3"
    assert manifest["created_at"].endswith("Z")
    assert list(manifest["files"]) == [
        "README.md",
        "core/__init__.py",
        "core/audit.py",
        "explorer/dist/index.html",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/0001_init.py",
        "operations/users/list.graphql",
        "pyproject.toml",
        "schema/schema.graphql",
        "server.py",
    ]
    assert manifest["files"]["core/audit.py"] == release.provider().sm3(b"AUDIT = 1\n").hex()


def test_sign_writes_both_files_and_verifies(signed: Path, keypair: tuple[bytes, bytes]):
    manifest = orjson.loads((signed / MANIFEST_NAME).read_bytes())
    assert len(base64.b64decode((signed / SIGNATURE_NAME).read_bytes(), validate=True)) == 64
    report = verify_release(signed, keypair[1])
    assert report.ok and report.problems == []
    assert report.checked == len(manifest["files"]) == 11


def test_a_flipped_byte_is_named(signed: Path, keypair: tuple[bytes, bytes]):
    path = signed / "core" / "audit.py"
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_release(signed, keypair[1])
    assert not report.ok
    assert report.problems == ["文件被修改 / file changed: core/audit.py"]


def test_a_deleted_file_is_named_missing(signed: Path, keypair: tuple[bytes, bytes]):
    (signed / "migrations" / "versions" / "0001_init.py").unlink()
    report = verify_release(signed, keypair[1])
    assert not report.ok
    assert report.problems == ["文件缺失 / file missing: migrations/versions/0001_init.py"]


def test_an_added_file_is_named_unexpected(signed: Path, keypair: tuple[bytes, bytes]):
    (signed / "core" / "backdoor.py").write_text("import os\n")
    report = verify_release(signed, keypair[1])
    assert not report.ok
    assert report.problems == ["清单外的文件 / unexpected file: core/backdoor.py"]


def test_files_that_do_not_ship_may_change(signed: Path, keypair: tuple[bytes, bytes]):
    (signed / "tests" / "test_server.py").write_text("def test(): assert False\n")
    (signed / "tests" / "test_new.py").write_text("")
    (signed / ".venv" / "lib" / "site.py").write_text("# patched\n")
    (signed / "var" / "govops.sqlite3").write_text("other")
    (signed / "docs" / "notes.txt").write_text("edited\n")
    assert verify_release(signed, keypair[1]).ok


def test_editing_the_manifest_to_hide_a_change_breaks_the_signature(signed: Path, keypair: tuple[bytes, bytes]):
    (signed / "core" / "audit.py").write_text("AUDIT = 0\n")
    manifest = orjson.loads((signed / MANIFEST_NAME).read_bytes())
    manifest["files"]["core/audit.py"] = release.provider().sm3(b"AUDIT = 0\n").hex()
    (signed / MANIFEST_NAME).write_bytes(orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
    report = verify_release(signed, keypair[1])
    assert not report.ok and report.checked == 0
    assert report.problems == ["签名无法验证 / signature does not verify"]


def test_relaying_out_the_manifest_keeps_the_signature(signed: Path, keypair: tuple[bytes, bytes]):
    """The signature covers the canonical form, so whitespace and key order in the file do not matter."""
    manifest = orjson.loads((signed / MANIFEST_NAME).read_bytes())
    (signed / MANIFEST_NAME).write_bytes(orjson.dumps(manifest))
    assert verify_release(signed, keypair[1]).ok


def test_another_key_does_not_verify(signed: Path):
    _, other_public = generate_keypair()
    report = verify_release(signed, other_public)
    assert not report.ok
    assert report.problems == ["签名无法验证 / signature does not verify"]


def test_a_garbled_signature_does_not_verify(signed: Path, keypair: tuple[bytes, bytes]):
    (signed / SIGNATURE_NAME).write_bytes(b"not base64!")
    report = verify_release(signed, keypair[1])
    assert not report.ok and "signature does not verify" in report.problems[0]


def test_missing_manifest_or_signature_is_a_clear_problem(signed: Path, keypair: tuple[bytes, bytes]):
    (signed / MANIFEST_NAME).unlink()
    report = verify_release(signed, keypair[1])
    assert not report.ok
    assert report.problems == [f"发布清单缺失 / release manifest missing: {MANIFEST_NAME}"]
    (signed / SIGNATURE_NAME).unlink()
    assert len(verify_release(signed, keypair[1]).problems) == 2


def test_unsigned_tree_is_not_ok(project: Path, keypair: tuple[bytes, bytes]):
    report = verify_release(project, keypair[1])
    assert not report.ok and report.checked == 0


def test_the_manifest_does_not_list_itself(signed: Path, keypair: tuple[bytes, bytes]):
    manifest = sign_release(signed, keypair[0])  # re-signing with the old manifest present
    assert MANIFEST_NAME not in manifest["files"] and SIGNATURE_NAME not in manifest["files"]
    assert verify_release(signed, keypair[1]).ok


def test_unusable_keys_raise_release_error(project: Path, keypair: tuple[bytes, bytes], tmp_path: Path):
    with pytest.raises(ReleaseError, match="private key"):
        sign_release(project, keypair[1])
    with pytest.raises(ReleaseError, match="SM2"):
        verify_release(project, b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(ReleaseError, match="key file"):
        release.read_key_file(tmp_path / "no-such-key.pem")
    assert release.read_key_file(_write(tmp_path / "k.pem", keypair[1])) == keypair[1]


def test_symlinks_out_of_the_root_are_not_followed(project: Path, tmp_path_factory: pytest.TempPathFactory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "evil.py").write_text("x = 1\n")
    (project / "core" / "linked").symlink_to(outside, target_is_directory=True)
    (project / "core" / "evil.py").symlink_to(outside / "evil.py")
    files = build_manifest(project)["files"]
    assert not any("evil" in rel or "linked" in rel for rel in files)


def test_the_real_repository():
    """Reads the repository without writing to it."""
    files = build_manifest(ROOT)["files"]
    assert "server.py" in files and "core/release.py" in files and "pyproject.toml" in files
    assert not [rel for rel in files if rel.startswith(("tests/", ".venv/")) or "/__pycache__/" in rel]
    assert list(files) == sorted(files)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_cli_signs_and_verifies_and_production_refuses_a_tampered_release(tmp_path):
    import os
    import subprocess
    import sys

    import pytest

    from core.settings import ROOT, Profile, Settings
    from server import ReleaseCheckFailed, check_release

    tree = tmp_path / "release"
    (tree / "core").mkdir(parents=True)
    (tree / "server.py").write_text("print('serving')\n")
    (tree / "core" / "audit.py").write_text("CHAIN = True\n")
    env = {**os.environ, "GOVOPS_PROFILE": "demo"}

    def govops(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", "release", *args], cwd=ROOT, env=env, capture_output=True, text=True)

    keys = tmp_path / "keys"
    assert govops("keygen", str(keys)).returncode == 0
    assert oct((keys / "release-private.pem").stat().st_mode & 0o777) == "0o600"
    signed = govops("sign", "--key", str(keys / "release-private.pem"), "--root", str(tree))
    assert signed.returncode == 0 and "signed 2 files" in signed.stdout, signed.stderr
    ok = govops("verify", "--public-key", str(keys / "release-public.pem"), "--root", str(tree))
    assert ok.returncode == 0 and "release intact: 2 files" in ok.stdout

    production = Settings(
        profile=Profile.PRODUCTION, master_key="m" * 40, database_url="postgresql+asyncpg://x@y/z", redis_url="redis://r",
        release_public_key_file=keys / "release-public.pem",
    )  # fmt: skip
    check_release(production, tree)  # intact: starts
    (tree / "core" / "audit.py").write_text("CHAIN = False\n")
    bad = govops("verify", "--public-key", str(keys / "release-public.pem"), "--root", str(tree))
    assert bad.returncode == 1 and "core/audit.py" in bad.stdout
    with pytest.raises(ReleaseCheckFailed, match=r"core/audit\.py"):
        check_release(production, tree)
    check_release(production.model_copy(update={"profile": Profile.TEST}), tree)  # elsewhere: logged, not fatal
    with pytest.raises(ValueError, match="GOVOPS_RELEASE_PUBLIC_KEY_FILE"):
        Settings(
            profile=Profile.PRODUCTION, master_key="m" * 40, database_url="postgresql+asyncpg://x@y/z", redis_url="redis://r"
        )
