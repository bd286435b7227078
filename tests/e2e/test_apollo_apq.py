"""Apollo Client's persisted-queries link, unmodified, against a real server: a miss, then hits."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD

APOLLO = Path(__file__).parent / "apollo"
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token } }"


@pytest.fixture(scope="module")
def apollo_installed() -> Path:
    if shutil.which("node") is None:
        pytest.fail("node is required for the Apollo Client check")
    lock = APOLLO / "node_modules" / ".package-lock.json"
    if not lock.exists() or (APOLLO / "package-lock.json").stat().st_mtime > lock.stat().st_mtime:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=APOLLO, check=True, capture_output=True, timeout=300)
    return APOLLO


def test_apollo_client_runs_a_query_by_hash_miss_then_hash_hit(apollo_installed, live_server_url):
    url = f"{live_server_url}/graphql"
    token = httpx.post(url, json={"query": LOGIN, "variables": {"i": {"username": "operator", "password": DEMO_PASSWORD}}}).json()
    token = token["data"]["login"]["token"]
    out = subprocess.run(["node", "apq.mjs", url, token], cwd=apollo_installed, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    wire = result["wire"]
    hashes = {w["hash"] for w in wire}
    assert len(hashes) == 1 and None not in hashes  # every request carried the query's sha256
    assert [(w["sentQuery"], w["errors"]) for w in wire] == [
        (False, ["PERSISTED_QUERY_NOT_FOUND"]),  # 1st query: the hash alone misses
        (True, []),  # Apollo resends with the text; the server stores it
        (False, []),  # 2nd query: the hash alone hits
    ]
    assert result["first"] == result["second"]
    assert result["first"]["viewer"]["username"] == "operator"
