"""The relying-party side of login through the collaborative office platform (OIDC code flow with PKCE).

Built on authlib's httpx client for the OAuth 2.0 exchange and on authlib's `CodeIDToken` (over joserfc) for the ID
token rules, so the protocol details are those of a maintained library rather than our own. Every failure surfaces
as one `OfficePlatformError` with a stable code that the login resolver can map to a user-facing message.
"""

from __future__ import annotations

import hmac
import secrets
import sys
import warnings
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import authlib.deprecate
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

with warnings.catch_warnings():
    # authlib >= 1.9 prefers httpx2 and warns when it falls back to httpx; GovOps is on httpx (see pyproject.toml).
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

# The HTTP library authlib actually builds on (httpx2 when installed, else httpx): its errors are the ones raised.
_http: Any = sys.modules[next(c for c in AsyncOAuth2Client.__mro__ if c.__name__ == "AsyncClient").__module__.partition(".")[0]]

DEFAULT_SCOPE = "openid profile email phone org"
ORG_CLAIMS = ("org_code", "org_name", "groups")
REFUSALS = {
    "invalid_grant",
    "invalid_client",
    "unauthorized_client",
    "invalid_request",
    "unsupported_grant_type",
    "invalid_scope",
}

MESSAGES = {
    "UNREACHABLE": "协同办公平台不可达 / The office platform is unreachable",
    "STATE_MISMATCH": "登录回调的 state 不匹配，请重新登录 / The login callback's state does not match; please sign in again",
    "TOKEN_REFUSED": "协同办公平台拒绝了授权码 / The office platform refused the authorization code",
    "INVALID_ID_TOKEN": "协同办公平台的身份令牌无效 / The office platform's ID token is invalid",
    "PLATFORM_ERROR": "协同办公平台返回了错误 / The office platform returned an error",
}


class OfficePlatformError(Exception):
    """One error type for callers; `code` is stable, `message` is bilingual, `detail` is for logs only."""

    def __init__(self, code: str, message: str | None = None, *, detail: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, MESSAGES["PLATFORM_ERROR"])
        self.detail = detail
        super().__init__(f"{code}: {self.message}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class OfficeIdentity:
    """Who signed in, as the platform vouches for them (claims from the verified ID token, org from userinfo if needed)."""

    subject: str
    username: str
    display_name: str
    email: str | None
    phone: str | None
    org_code: str | None
    org_name: str | None
    groups: tuple[str, ...]


@dataclass(frozen=True)
class AuthorizationRequest:
    """What must be kept (server side, e.g. in the login session) between `begin` and the callback."""

    url: str
    state: str
    nonce: str
    code_verifier: str
    scope: str = DEFAULT_SCOPE


class OfficePlatformClient:
    """OIDC relying party for the office platform: discovery, PKCE authorization URL, code exchange, ID token checks."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        *,
        timeout: float = 10.0,
        transport: Any = None,
        leeway: int = 30,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.leeway = leeway
        self._metadata: dict[str, Any] | None = None
        self._jwks: KeySet | None = None
        kwargs: dict[str, Any] = {"timeout": timeout}
        if transport is not None:
            kwargs["transport"] = transport
        self._oauth = AsyncOAuth2Client(
            client_id=client_id, client_secret=client_secret, redirect_uri=redirect_uri, code_challenge_method="S256", **kwargs
        )

    async def __aenter__(self) -> OfficePlatformClient:
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        await self._oauth.aclose()

    # --- HTTP ------------------------------------------------------------------------------------------------------

    async def _get_json(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """GET a JSON document, mapping transport failures and bad answers to OfficePlatformError."""
        try:
            response = await self._oauth.request("GET", url, headers=headers, withhold_token=True)
        except _http.TransportError as error:  # connect errors and timeouts alike
            raise OfficePlatformError("UNREACHABLE", detail=f"{type(error).__name__} GET {url}") from error
        if response.status_code == 401 and headers:
            raise OfficePlatformError("TOKEN_REFUSED", detail=f"401 from {url}")
        if response.status_code != 200:
            raise OfficePlatformError("PLATFORM_ERROR", detail=f"HTTP {response.status_code} from {url}")
        try:
            return response.json()
        except ValueError as error:
            raise OfficePlatformError("PLATFORM_ERROR", detail=f"non-JSON answer from {url}") from error

    async def discover(self) -> dict[str, Any]:
        """Provider metadata (cached), with the JWKS loaded; the issuer must be the one configured (OIDC Discovery §4.3)."""
        if self._metadata is None:
            metadata = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            if not isinstance(metadata, dict) or metadata.get("issuer") != self.issuer:
                raise OfficePlatformError("PLATFORM_ERROR", detail="discovery issuer differs from the configured issuer")
            missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not metadata.get(k)]
            if missing:
                raise OfficePlatformError("PLATFORM_ERROR", detail=f"discovery lacks {', '.join(missing)}")
            if "S256" not in metadata.get("code_challenge_methods_supported", ["S256"]):
                raise OfficePlatformError("PLATFORM_ERROR", detail="the platform does not support PKCE S256")
            methods = metadata.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
            self._oauth.token_endpoint_auth_method = (
                "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
            )
            self._metadata = metadata
        if self._jwks is None:
            await self._load_jwks()
        return dict(self._metadata)

    async def _load_jwks(self) -> KeySet:
        assert self._metadata is not None
        data = await self._get_json(self._metadata["jwks_uri"])
        try:
            self._jwks = KeySet.import_key_set(data)
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise OfficePlatformError("PLATFORM_ERROR", detail=f"unusable JWKS: {error}") from error
        return self._jwks

    # --- the flow --------------------------------------------------------------------------------------------------

    async def begin(self, scope: str = DEFAULT_SCOPE, *, login_hint: str | None = None) -> AuthorizationRequest:
        """A fresh authorization URL with its own state, nonce and PKCE verifier (S256 challenge)."""
        metadata = await self.discover()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        code_verifier = secrets.token_urlsafe(48)  # 64 characters of the RFC 7636 alphabet
        extra = {"login_hint": login_hint} if login_hint else {}
        url, _ = self._oauth.create_authorization_url(
            metadata["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce, scope=scope, **extra
        )
        return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=code_verifier, scope=scope)

    async def complete(self, request: AuthorizationRequest, code: str, state: str) -> OfficeIdentity:
        """Check the callback's state, redeem the code with the verifier, verify the ID token, return who signed in."""
        if not hmac.compare_digest(request.state.encode(), state.encode()):
            raise OfficePlatformError("STATE_MISMATCH")
        metadata = await self.discover()
        token = await self._redeem(metadata["token_endpoint"], code, request.code_verifier)
        id_token, access_token = token.get("id_token"), token.get("access_token")
        if not isinstance(id_token, str) or not isinstance(access_token, str):
            raise OfficePlatformError("INVALID_ID_TOKEN", detail="token response lacks id_token or access_token")
        claims = await self.verify_id_token(id_token, nonce=request.nonce, access_token=access_token)
        if (
            any(claims.get(k) is None for k in ORG_CLAIMS)
            and "org" in request.scope.split()
            and metadata.get("userinfo_endpoint")
        ):
            info = await self._get_json(metadata["userinfo_endpoint"], {"Authorization": f"Bearer {access_token}"})
            if not isinstance(info, dict) or info.get("sub") != claims["sub"]:  # OIDC Core §5.3.2
                raise OfficePlatformError("INVALID_ID_TOKEN", detail="userinfo sub differs from the ID token's")
            claims = {**{k: info.get(k) for k in ORG_CLAIMS}, **{k: v for k, v in claims.items() if v is not None}}
        return identity_from_claims(claims)

    async def _redeem(self, token_endpoint: str, code: str, code_verifier: str) -> dict[str, Any]:
        try:
            token = await self._oauth.fetch_token(
                token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=self.redirect_uri,
            )
        except _http.TransportError as error:
            raise OfficePlatformError("UNREACHABLE", detail=f"{type(error).__name__} at the token endpoint") from error
        except _http.HTTPStatusError as error:
            raise OfficePlatformError(
                "PLATFORM_ERROR", detail=f"HTTP {error.response.status_code} from the token endpoint"
            ) from error
        except OAuthError as error:
            code_ = "TOKEN_REFUSED" if error.error in REFUSALS else "PLATFORM_ERROR"
            raise OfficePlatformError(code_, detail=f"{error.error}: {error.description}") from error
        except ValueError as error:  # a 2xx/4xx answer that is not a JSON object
            raise OfficePlatformError("PLATFORM_ERROR", detail=str(error)) from error
        return dict(token)

    async def verify_id_token(self, id_token: str, *, nonce: str | None, access_token: str | None = None) -> dict[str, Any]:
        """Signature against the platform's JWKS (refetched once for an unknown kid), then iss, aud, exp, iat, nonce, at_hash."""
        metadata = await self.discover()
        algorithms = [a for a in metadata.get("id_token_signing_alg_values_supported", ["RS256"]) if a != "none"] or ["RS256"]
        registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
        assert self._jwks is not None
        try:
            try:
                decoded = jwt.decode(id_token, self._jwks, registry=registry)
            except InvalidKeyIdError:  # the platform rotated its key since we last fetched the JWKS
                decoded = jwt.decode(id_token, await self._load_jwks(), registry=registry)
            options = {"iss": {"essential": True, "value": self.issuer}, "aud": {"essential": True, "value": self.client_id}}
            params = {"nonce": nonce, "client_id": self.client_id, "access_token": access_token}
            claims = CodeIDToken(decoded.claims, decoded.header, options, params)
            claims.validate(leeway=self.leeway)
        except (JoseError, ValueError, TypeError) as error:
            raise OfficePlatformError("INVALID_ID_TOKEN", detail=f"{type(error).__name__}: {error}") from error
        return dict(claims)


def identity_from_claims(claims: dict[str, Any]) -> OfficeIdentity:
    """Map verified claims to an identity; `groups` must be a list of strings when present."""
    groups = claims.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise OfficePlatformError("INVALID_ID_TOKEN", detail="groups is not a list of strings")
    subject = str(claims["sub"])
    username = str(claims.get("preferred_username") or subject)
    return OfficeIdentity(
        subject=subject, username=username, display_name=str(claims.get("name") or username),
        email=claims.get("email"), phone=claims.get("phone_number"), org_code=claims.get("org_code"),
        org_name=claims.get("org_name"), groups=tuple(groups),
    )  # fmt: skip
