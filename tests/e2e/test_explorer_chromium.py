"""The offline GraphiQL explorer, driven in a real Chromium against a live server.

The government network has no internet, so besides "log in and run a query" this checks
that the page asks no host other than our own server for anything: Chromium is started
with every non-local host unresolvable, and every request the page makes is recorded.

Needs Debian's Chromium (/usr/bin/chromium) and the `playwright` Python package (its
bundled driver only; no Playwright browser download). Without them the tests are skipped
locally and fail in CI (CI=true), which installs both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
EXPLORER = Path(__file__).resolve().parents[2] / "explorer"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any name other than 127.0.0.1 fails to resolve: a CDN/font reference cannot
    # silently succeed here the way it would on a developer laptop.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
TITLE = "GovOps GraphQL 浏览器 / Explorer"
QUERY = "{ viewer { username orgUnit { name } roles { name } } }"
TIMEOUT_MS = 20_000

# The only console errors we accept: Chromium's own log line for a /graphql request the
# server rejected because nobody is logged in (GraphiQL's introspection before login and
# after logout). Matched by exact text and URL so any other error still fails the test.
UNAUTHENTICATED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 401 \(Unauthorized\)")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it (apt-get install chromium; pip install playwright; npm)")
    pytest.skip(reason)


# Session scope and first in every test's arguments: pytest sets up session fixtures in
# that order, so a skip happens before the (slow) live server starts, and the bundle is
# built before the server looks for explorer/dist.
@pytest.fixture(scope="session")
def explorer_bundle() -> Path:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"playwright cannot be imported: {exc}")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")

    # Quick no-op when dist/ is up to date; otherwise a stale bundle would be tested.
    built = subprocess.run(["bash", str(EXPLORER / "build.sh")], capture_output=True, text=True, timeout=900)
    if built.returncode != 0:
        if shutil.which("npm") is None:
            _unavailable("npm is missing and explorer/dist is not built")
        pytest.fail(f"bash explorer/build.sh failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
    return EXPLORER / "dist"


# Function scope on purpose: while Playwright's sync API is active it leaves its own event
# loop marked as running in this thread, which would break every asyncio test after it.
@pytest.fixture
def browser(explorer_bundle: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    requests: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str, str]] = field(default_factory=list)  # (phase, text, url)
    page_errors: list[str] = field(default_factory=list)
    ws_sent: list[str] = field(default_factory=list)
    phase: str = "anonymous"  # anonymous -> logged-in -> logged-out


@dataclass
class Explorer:
    base: str
    page: Any
    log: PageLog

    def login(self, password: str) -> str:
        from playwright.sync_api import expect

        self.page.fill("#govops-username", "admin")
        self.page.fill("#govops-password", password)
        self.page.click("#govops-login")
        expect(self.page.locator("#govops-status")).to_contain_text("admin")
        self.log.phase = "logged-in"
        token = self.page.evaluate("() => sessionStorage.getItem('govops.token')")
        assert token, "the token was not kept in sessionStorage"
        return token

    def set_query(self, text: str) -> None:
        # Replace the editor content the way a user would (select all, paste), so the
        # test does not depend on the editor's autocompletion or bracket closing.
        self.page.click(".graphiql-query-editor .CodeMirror")
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)
        assert self.editor_text(".graphiql-query-editor") == text

    def editor_text(self, pane: str) -> str:
        # CodeMirror 5 (GraphiQL v4) keeps its instance on the wrapper element.
        return self.page.evaluate("(pane) => document.querySelector(`${pane} .CodeMirror`).CodeMirror.getValue()", pane)

    def assert_stayed_local(self) -> None:
        origin = urlsplit(self.base)
        allowed = (f"{self.base}/", f"ws://{origin.netloc}/")
        foreign = [url for url in self.log.requests if not url.startswith(allowed)]
        assert not foreign, f"the explorer contacted other hosts: {foreign}"
        assert f"{self.base}/explorer/explorer.js" in self.log.requests

        assert not self.log.page_errors, f"uncaught errors in the page: {self.log.page_errors}"
        unexpected = [
            (phase, text, url)
            for phase, text, url in self.log.console_errors
            if not (phase != "logged-in" and UNAUTHENTICATED_CONSOLE.fullmatch(text) and url == f"{self.base}/graphql")
        ]
        assert not unexpected, f"console errors: {unexpected}"


@pytest.fixture
def explorer(browser: Any, live_server_url: str) -> Iterator[Explorer]:
    """The explorer page, open and rendered, in a fresh context (empty sessionStorage)."""
    from playwright.sync_api import expect

    base = live_server_url.rstrip("/")
    log = PageLog()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("request", lambda req: log.requests.append(req.url))

    def on_websocket(ws: Any) -> None:  # WebSockets never show up as "request" events
        log.requests.append(ws.url)
        ws.on("framesent", lambda data: log.ws_sent.append(data if isinstance(data, str) else data.decode()))

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            log.console_errors.append((log.phase, msg.text, msg.location.get("url", "")))

    page.on("websocket", on_websocket)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

    try:
        page.goto(f"{base}/graphql", wait_until="load")
        expect(page).to_have_title(TITLE)
        expect(page.locator(".graphiql-container")).to_be_visible()
        # Let the anonymous introspection settle, so its (excused) failure cannot be
        # mistaken for an error that happened while logged in.
        page.wait_for_load_state("networkidle")
        yield Explorer(base, page, log)
    finally:
        context.close()


def test_explorer_logs_in_and_runs_a_query_without_leaving_the_host(
    explorer_bundle: Path, explorer: Explorer, demo_password: str
) -> None:
    from playwright.sync_api import expect

    page = explorer.page
    explorer.login(demo_password)

    explorer.set_query(QUERY)
    page.click(".graphiql-execute-button")
    expect(page.locator(".graphiql-response")).to_contain_text('"username": "admin"')

    explorer.log.phase = "logged-out"  # before the click: its introspection races the check below
    page.click("#govops-logout")
    expect(page.locator("#govops-login")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('govops.token')") is None
    page.wait_for_load_state("networkidle")  # so the post-logout requests are checked too

    explorer.assert_stayed_local()


def test_explorer_subscription_uses_the_websocket_and_the_token(
    explorer_bundle: Path, explorer: Explorer, demo_password: str
) -> None:
    from playwright.sync_api import expect

    page = explorer.page
    token = explorer.login(demo_password)
    auth = {"Authorization": f"Bearer {token}"}

    def graphql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{explorer.base}/graphql", json={"query": query, "variables": variables}, headers=auth)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    unit = graphql("{ viewer { orgUnit { id } } }")["viewer"]["orgUnit"]
    watch = f'subscription Watch {{ orgUnitChanged(id: "{unit["id"]}") {{ change orgUnit {{ contactName }} }} }}'
    explorer.set_query(watch)
    # GraphiQL parses the editor after a short debounce and only then knows this is a
    # subscription (to send it over the WebSocket); the tab title shows that it has.
    expect(page.locator(".graphiql-tab-active")).to_contain_text("Watch")
    page.click(".graphiql-execute-button")

    # The server may not be listening yet when the first change lands: change again until
    # the event shows up in the result pane.
    response_pane = page.locator(".graphiql-response")
    for attempt in range(10):
        contact = f"E2E 联系人 {attempt}"
        update = "mutation($i: OrgUnitUpdateInput!) { orgUnitUpdate(input: $i) { errors { message } } }"
        assert graphql(update, {"i": {"id": unit["id"], "contactName": contact}})["orgUnitUpdate"]["errors"] == []
        try:
            expect(response_pane).to_contain_text(f'"contactName": "{contact}"', timeout=1_000)
            break
        except AssertionError:
            continue
    else:
        shown = explorer.editor_text(".graphiql-response")
        pytest.fail(f"no subscription event reached the page.\nResult pane: {shown}\nSent: {explorer.log.ws_sent}")
    expect(response_pane).to_contain_text('"change": "UPDATED"')

    init = [json.loads(frame) for frame in explorer.log.ws_sent if '"connection_init"' in frame]
    assert init and init[0]["payload"] == {"token": token}, explorer.log.ws_sent
    assert any('"subscribe"' in frame for frame in explorer.log.ws_sent)
    explorer.assert_stayed_local()
