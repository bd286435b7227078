"""A stateful simulator of the collaborative office platform's OpenID Connect provider, served over real HTTP.

The real platform is only reachable inside the e-government network, so the real client (`client.py`) runs against
this server in tests and demos: it keeps codes and tokens in memory, signs real ID tokens and can be told to fail.

ID tokens are signed with RS256: it is the one algorithm every OpenID Connect client must accept (OIDC Core §15.1)
and what the platform advertises. The national SM2 signature algorithm is not registered for JWS (no IANA "alg"
value), so no standard OIDC client could verify it; SM2/SM3/SM4 stay where GovOps controls both ends.

Run a demo provider with `python -m integrations.office_platform.simulator --host 127.0.0.1 --port 8100`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import html
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from integrations.office_platform.sim_state import (
    CHALLENGE,
    CLAIMS,
    ENDPOINTS,
    FORGE_MODES,
    NO_STORE,
    SCOPES,
    VERIFIER,
    FailRule,
    IssuedCode,
    IssuedToken,
    SimClient,
    SimulatorState,
    SimUser,
    make_user,
    new_signing_key,
    stable_sub,
)

# --- helpers ------------------------------------------------------------------------------------------------------


def _sim(request: Request) -> SimulatorState:
    return request.app.state.sim


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _oauth_error(error: str, description: str, status: int = 400, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status, headers={**NO_STORE, **(headers or {})})


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status, headers={"Cache-Control": "no-store"})


def _with_params(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _single_params(pairs: list[tuple[str, str]]) -> dict[str, str] | str:
    """Request parameters MUST NOT repeat (RFC 6749 §3.1): return the dict, or the repeated name."""
    out: dict[str, str] = {}
    for k, v in pairs:
        if k in out:
            return k
        out[k] = v
    return out


async def _form(request: Request) -> dict[str, str] | str:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return "content-type"
    return _single_params(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _chaos(name: str, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Count the request, then apply a /_sim/fail rule for this endpoint if one is armed."""

    async def endpoint(request: Request) -> Response:
        sim = _sim(request)
        sim.requests[name] += 1
        rule = sim.failures.get(name)
        if rule is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                del sim.failures[name]
            if rule.mode == "hang":
                await asyncio.sleep(rule.seconds)
            else:
                return _oauth_error("server_error", "协同办公平台内部错误（模拟） / Simulated platform failure", rule.status)
        return await handler(request)

    return endpoint


# --- OpenID provider endpoints ------------------------------------------------------------------------------------


async def discovery(request: Request) -> Response:
    iss = _sim(request).issuer
    return JSONResponse(
        {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "jwks_uri": f"{iss}/jwks",
            "userinfo_endpoint": f"{iss}/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": list(SCOPES),
            "claims_supported": list(CLAIMS),
        }
    )


async def jwks(request: Request) -> Response:
    key = _sim(request).key
    return JSONResponse({"keys": [key.as_dict(private=False)]}, headers={"Cache-Control": "max-age=300"})


def _login_form(params: dict[str, str], error: str | None = None, status: int = 200) -> HTMLResponse:
    keep = {k: v for k, v in params.items() if k not in ("username", "password")}
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in keep.items())
    username = html.escape(params.get("username") or params.get("login_hint") or "")
    notice = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        f'{notice}<form method="post" action="authorize">{hidden}'
        f'<label>用户名 / Username <input name="username" value="{username}" autocomplete="username"></label><br>'
        '<label>密码 / Password <input name="password" type="password" autocomplete="current-password"></label><br>'
        '<button type="submit">登录 / Sign in</button></form>'
    )
    return _page("协同办公平台登录（模拟） / Office platform sign-in (simulator)", body, status)


async def authorize(request: Request) -> Response:
    """Authorization endpoint (RFC 6749 §4.1.1 + PKCE): bad client or redirect URI -> 400 page, else errors redirect."""
    sim = _sim(request)
    parsed = await _form(request) if request.method == "POST" else _single_params(request.query_params.multi_items())
    if isinstance(parsed, str):
        return _page(
            "请求无效 / Invalid request",
            f"<p>参数重复或格式错误 / Repeated or malformed parameter: {html.escape(parsed)}</p>",
            400,
        )
    params = parsed
    client = sim.clients.get(params.get("client_id", ""))
    if client is None:
        return _page("请求无效 / Invalid request", "<p>未知的客户端 / Unknown client_id</p>", 400)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        return _page("请求无效 / Invalid request", "<p>回调地址未登记 / The redirect_uri is not registered</p>", 400)

    state = params.get("state")

    def back(**answer: str) -> RedirectResponse:
        if state is not None:
            answer["state"] = state
        return RedirectResponse(_with_params(redirect_uri, answer), status_code=302, headers={"Cache-Control": "no-store"})

    if params.get("response_type") != "code":
        return back(error="unsupported_response_type", error_description="只支持 response_type=code / Only response_type=code")
    scopes = tuple(s for s in params.get("scope", "").split() if s in SCOPES)
    if "openid" not in scopes:
        return back(error="invalid_scope", error_description="scope 必须包含 openid / scope must include openid")
    challenge = params.get("code_challenge", "")
    if not challenge:
        return back(error="invalid_request", error_description="缺少 code_challenge / code_challenge is required (PKCE)")
    if params.get("code_challenge_method") != "S256":
        return back(error="invalid_request", error_description="code_challenge_method 必须为 S256 / must be S256")
    if not CHALLENGE.match(challenge):
        return back(error="invalid_request", error_description="code_challenge 格式错误 / malformed code_challenge")

    if request.method == "POST":
        user = sim.users.get(params.get("username", ""))
        if user is None or not hmac.compare_digest(user.password.encode(), params.get("password", "").encode()):
            return _login_form(params, "用户名或密码错误 / Wrong username or password", 401)
    elif "login_hint" in params:
        user = sim.users.get(params["login_hint"])
        if user is None:
            return back(error="access_denied", error_description="用户不存在 / No such user")
    elif params.get("prompt") == "none":
        return back(error="login_required", error_description="需要登录 / The user must sign in")
    else:
        return _login_form(params)

    now = sim.now()
    for stale in [c for c, v in sim.codes.items() if now - v.issued_at > max(600.0, sim.code_ttl * 2)]:
        del sim.codes[stale]
    code = secrets.token_urlsafe(32)
    sim.codes[code] = IssuedCode(
        code=code, client_id=client.client_id, redirect_uri=redirect_uri, username=user.username, scopes=scopes,
        nonce=params.get("nonce"), code_challenge=challenge, issued_at=now, auth_time=int(now),
    )  # fmt: skip
    sim.counts["codes_issued"] += 1
    return back(code=code)


def _authenticate(sim: SimulatorState, request: Request, form: dict[str, str]) -> SimClient | JSONResponse:
    """client_secret_basic or client_secret_post (RFC 6749 §2.3.1), never both."""
    header = request.headers.get("authorization", "")
    basic = header[:6].lower() == "basic "
    if basic and "client_secret" in form:
        return _oauth_error("invalid_request", "只能使用一种客户端认证方式 / Use one client authentication method")
    if basic:
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            client_id, secret = (unquote(p.replace("+", " ")) for p in raw.split(":", 1))
        except ValueError:
            client_id, secret = "", ""
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    client = sim.clients.get(client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        challenge = {"WWW-Authenticate": 'Basic realm="office-platform"'} if basic else None
        return _oauth_error("invalid_client", "客户端认证失败 / Client authentication failed", 401, challenge)
    if "client_id" in form and form["client_id"] != client.client_id:
        return _oauth_error("invalid_client", "client_id 与认证信息不符 / client_id does not match the credentials", 401)
    return client


def _at_hash(access_token: str) -> str:
    return _b64url(hashlib.sha256(access_token.encode("ascii")).digest()[:16])


def _sign_id_token(sim: SimulatorState, claims: dict[str, Any]) -> str:
    """Sign with the current key, unless a /_sim/forge-id-token mode asks for a broken token."""
    mode = None
    if sim.forge is not None:
        mode, remaining = sim.forge
        sim.forge = (mode, remaining - 1) if remaining > 1 else None
    key, kid = sim.key, sim.key.kid
    if mode == "wrong_audience":
        claims["aud"] = "another-client"
    elif mode == "wrong_issuer":
        claims["iss"] = sim.issuer + "/impostor"
    elif mode == "wrong_nonce":
        claims["nonce"] = secrets.token_urlsafe(16)
    elif mode == "expired":
        claims |= {"iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600}
    elif mode in ("foreign_key", "same_kid_other_key"):
        key = new_signing_key()
        kid = key.kid if mode == "foreign_key" else kid
    if mode == "alg_none":
        head = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{head}.{_b64url(json.dumps(claims).encode())}."
    token = jwt.encode({"alg": "RS256", "kid": kid}, claims, key, algorithms=["RS256"])
    if mode == "tampered":  # change a claim after signing: the signature no longer matches
        head, _payload, signature = token.split(".")
        forged = {**claims, "org_code": "SHBDC", "groups": ["system_admin"]}
        token = f"{head}.{_b64url(json.dumps(forged).encode())}.{signature}"
    return token


async def token_endpoint(request: Request) -> Response:
    """Token endpoint: single-use code bound to client and redirect URI, PKCE S256, replay revokes (RFC 6749 §4.1.2)."""
    sim = _sim(request)
    form = await _form(request)
    if isinstance(form, str):
        return _oauth_error("invalid_request", f"参数重复或格式错误 / Repeated or malformed parameter: {form}")
    client = _authenticate(sim, request, form)
    if isinstance(client, JSONResponse):
        return client
    if form.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "只支持 authorization_code / Only authorization_code is supported")
    issued = sim.codes.get(form.get("code", ""))
    if issued is None:
        return _oauth_error("invalid_grant", "授权码无效 / Unknown authorization code")
    if issued.redeemed:
        sim.counts["code_replays"] += 1
        for t in issued.access_tokens:
            if not sim.tokens[t].revoked:
                sim.tokens[t].revoked = True
                sim.counts["tokens_revoked"] += 1
        return _oauth_error("invalid_grant", "授权码已被使用，相关令牌已吊销 / Code already used; its tokens are revoked")
    now = sim.now()
    if now - issued.issued_at > sim.code_ttl:
        return _oauth_error("invalid_grant", "授权码已过期 / Authorization code expired")
    if issued.client_id != client.client_id:
        return _oauth_error("invalid_grant", "授权码不属于该客户端 / Code was issued to another client")
    if form.get("redirect_uri") != issued.redirect_uri:
        return _oauth_error(
            "invalid_grant", "redirect_uri 与授权请求不一致 / redirect_uri differs from the authorization request"
        )
    verifier = form.get("code_verifier", "")
    if not VERIFIER.match(verifier):
        return _oauth_error("invalid_request", "缺少或格式错误的 code_verifier / Missing or malformed code_verifier")
    if not hmac.compare_digest(s256(verifier), issued.code_challenge):
        return _oauth_error("invalid_grant", "PKCE 校验失败 / PKCE verification failed")
    user = sim.users.get(issued.username)
    if user is None:
        return _oauth_error("invalid_grant", "用户已不存在 / The user no longer exists")

    issued.redeemed = True
    sim.counts["codes_redeemed"] += 1
    access_token = secrets.token_urlsafe(32)
    sim.tokens[access_token] = IssuedToken(
        access_token, user.username, client.client_id, issued.scopes, now + sim.access_token_ttl
    )
    issued.access_tokens.append(access_token)
    sim.counts["tokens_issued"] += 1
    iat = int(now)
    claims: dict[str, Any] = {
        "iss": sim.issuer, "aud": client.client_id, "iat": iat, "exp": iat + int(sim.id_token_ttl),
        "auth_time": issued.auth_time, "at_hash": _at_hash(access_token),
        **user.claims(issued.scopes, org=sim.id_token_org_claims),
    }  # fmt: skip
    if issued.nonce is not None:
        claims["nonce"] = issued.nonce
    body = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": int(sim.access_token_ttl),
        "scope": " ".join(issued.scopes),
        "id_token": _sign_id_token(sim, claims),
    }
    return JSONResponse(body, headers=NO_STORE)


async def userinfo(request: Request) -> Response:
    sim = _sim(request)
    header = request.headers.get("authorization", "")
    token = sim.tokens.get(header[7:].strip()) if header[:7].lower() == "bearer " else None
    if token is None or token.revoked or token.expires_at <= sim.now() or token.username not in sim.users:
        return _oauth_error(
            "invalid_token", "访问令牌无效 / Invalid access token", 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    return JSONResponse(sim.users[token.username].claims(token.scopes), headers=NO_STORE)


# --- test-control endpoints ---------------------------------------------------------------------------------------


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("请求体必须是 JSON 对象 / The body must be a JSON object")
    return body


def _control(handler: Callable[[SimulatorState, dict[str, Any]], dict[str, Any]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            body = await _json(request) if request.method == "POST" and await request.body() else {}
            return JSONResponse(handler(_sim(request), body))
        except (ValueError, TypeError, KeyError) as error:
            return JSONResponse({"error": "invalid_request", "error_description": str(error)}, 400)

    return endpoint


def _put_user(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    for name in ("username", "password"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise ValueError(f"缺少 {name} / {name} is required")
    groups = body.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise ValueError("groups 必须是字符串列表 / groups must be a list of strings")
    username = body["username"]
    user = SimUser(
        username=username, password=body["password"], name=str(body.get("name") or username),
        sub=str(body.get("sub") or stable_sub(sim.issuer, username)),
        email=body.get("email"), phone=body.get("phone"), org_code=body.get("org_code"), org_name=body.get("org_name"),
        groups=tuple(groups),
    )  # fmt: skip
    replaced = username in sim.users
    sim.add_user(user)
    return {"replaced": replaced, **user.claims(SCOPES)}


def _fail(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    endpoint = str(body.get("endpoint", "")).strip("/").replace(".well-known/openid-configuration", "discovery")
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint 必须是 {', '.join(ENDPOINTS)} 之一 / endpoint must be one of {', '.join(ENDPOINTS)}")
    count = int(body.get("count", 1))
    mode = body.get("mode", "error")
    if mode not in ("error", "hang"):
        raise ValueError("mode 必须是 error 或 hang / mode must be error or hang")
    status = int(body.get("status", 500))
    if not 400 <= status <= 599:
        raise ValueError("status 必须是 4xx/5xx / status must be 4xx or 5xx")
    if count <= 0:
        sim.failures.pop(endpoint, None)
    else:
        sim.failures[endpoint] = FailRule(mode, count, status, float(body.get("seconds", 5.0)))
    return {"failures": {k: vars(v) for k, v in sim.failures.items()}}


def _rotate_key(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    old = sim.key.kid
    sim.key = new_signing_key()
    sim.retired_kids.append(str(old))
    return {"kid": sim.key.kid, "retired": old}


def _forge(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    mode, count = body.get("mode"), int(body.get("count", 1))
    if mode not in FORGE_MODES:
        raise ValueError(f"mode 必须是 {', '.join(FORGE_MODES)} 之一 / mode must be one of {', '.join(FORGE_MODES)}")
    sim.forge = (mode, count) if count > 0 else None
    return {"forge": {"mode": mode, "remaining": count} if count > 0 else None}


def _config(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    numbers = ("code_ttl", "access_token_ttl", "id_token_ttl", "clock_skew")
    unknown = set(body) - {*numbers, "id_token_org_claims"}
    if unknown:
        raise ValueError(f"未知的配置项 / Unknown settings: {', '.join(sorted(unknown))}")
    for name in numbers:
        if name in body:
            setattr(sim, name, float(body[name]))
    if "id_token_org_claims" in body:
        sim.id_token_org_claims = bool(body["id_token_org_claims"])
    return sim.config()


def create_simulator(
    issuer: str, clients: dict[str, SimClient] | None = None, users: Iterable[SimUser] | dict[str, SimUser] | None = None
) -> Starlette:
    """The simulator as an ASGI app; its state is `app.state.sim` (a `SimulatorState`)."""
    issuer = issuer.rstrip("/")
    user_list = users.values() if isinstance(users, dict) else (users or ())
    sim = SimulatorState(issuer=issuer, clients=dict(clients or {}), users={u.username: u for u in user_list})
    routes = [
        Route("/.well-known/openid-configuration", _chaos("discovery", discovery), methods=["GET"]),
        Route("/authorize", _chaos("authorize", authorize), methods=["GET", "POST"]),
        Route("/token", _chaos("token", token_endpoint), methods=["POST"]),
        Route("/jwks", _chaos("jwks", jwks), methods=["GET"]),
        Route("/userinfo", _chaos("userinfo", userinfo), methods=["GET", "POST"]),
        Route("/_sim/users", _control(_put_user), methods=["POST"]),
        Route("/_sim/fail", _control(_fail), methods=["POST"]),
        Route("/_sim/rotate-key", _control(_rotate_key), methods=["POST"]),
        Route("/_sim/forge-id-token", _control(_forge), methods=["POST"]),
        Route("/_sim/config", _control(_config), methods=["POST"]),
        Route("/_sim/state", _control(lambda s, _b: s.snapshot()), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.sim = sim
    return app


# --- demo ---------------------------------------------------------------------------------------------------------

DEMO_ORGS = {
    "SHBDC": "上海市大数据中心",
    "D-PD": "浦东新区大数据中心",
    "D-HP": "黄浦区大数据中心",
    "B-GA": "市公安局",
}
DEMO_USERS = [
    # username, name, org, groups
    ("operator", "周明", "SHBDC", ["运营值班", "management_operator"]),
    ("pd_admin", "陈静", "D-PD", ["单位管理员", "unit_admin"]),
    ("hp_user", "王磊", "D-HP", ["业务申请人", "unit_applicant"]),
    ("ga_user", "刘洋", "B-GA", ["业务申请人", "unit_applicant"]),
]


def demo_users(issuer: str, password: str) -> list[SimUser]:
    users = []
    for i, (username, name, org, groups) in enumerate(DEMO_USERS, start=1):
        users.append(make_user(
            issuer, username, password, name, email=f"{username}@office.example.com", phone=f"1390021{i:04d}",
            org_code=org, org_name=DEMO_ORGS[org], groups=groups,
        ))  # fmt: skip
    return users


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="协同办公平台 OIDC 模拟器 / Office platform OIDC simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--issuer", help="defaults to http://HOST:PORT")
    parser.add_argument("--client-id", default="govops")
    parser.add_argument("--client-secret", default="govops-demo-secret")
    parser.add_argument(
        "--redirect-uri", action="append", help="repeatable; defaults to http://127.0.0.1:8000/auth/office/callback"
    )
    parser.add_argument("--demo-password", default="Office@Demo1")
    args = parser.parse_args(argv)
    issuer = args.issuer or f"http://{args.host}:{args.port}"
    redirect_uris = tuple(args.redirect_uri or ["http://127.0.0.1:8000/auth/office/callback"])
    client = SimClient(args.client_id, args.client_secret, redirect_uris)
    app = create_simulator(issuer, {client.client_id: client}, demo_users(issuer, args.demo_password))
    print(f"issuer: {issuer}\nclient_id: {client.client_id}\nclient_secret: {client.client_secret}")
    print(f"redirect_uris: {', '.join(redirect_uris)}")
    for username, name, org, _groups in DEMO_USERS:
        print(f"user: {username} / {args.demo_password}  ({name}, {DEMO_ORGS[org]})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
