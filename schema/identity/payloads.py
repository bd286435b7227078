"""Identity mutation payloads: the object, or errors that say what to fix."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.identity.enums import IdentityErrorCode
from schema.identity.types import AccessToken, ApiClient, OrgUnit, Role, User


@strawberry.type(description="Why an identity mutation was refused; nothing was changed.")
class IdentityError:
    code: IdentityErrorCode = strawberry.field(description="Machine-readable reason.")
    field: str | None = strawberry.field(description="Input field at fault (camelCase path), if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of `login`.")
class LoginPayload:
    token: str | None = strawberry.field(
        description="Bearer token for `Authorization: Bearer <token>` and WebSocket `connection_init`."
    )
    user: User | None = strawberry.field(description="Who logged in.")
    errors: list[IdentityError] = strawberry.field(description="Why the login failed; empty on success.")


@strawberry.type(description="Result of `logout`.")
class LogoutPayload:
    errors: list[IdentityError] = strawberry.field(description="Always empty; kept for the payload convention.")


@strawberry.type(description="Result of a unit mutation.")
class OrgUnitPayload:
    org_unit: OrgUnit | None = strawberry.field(description="The unit after the change.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Result of a user mutation.")
class UserPayload:
    user: User | None = strawberry.field(description="The user after the change.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Result of a role mutation.")
class RolePayload:
    role: Role | None = strawberry.field(description="The role after the change.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Result of `roleDelete`.")
class RoleDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global id of the deleted role.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Result of `accessTokenRevoke`.")
class AccessTokenPayload:
    access_token: AccessToken | None = strawberry.field(description="The revoked login.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="The result of changing an API client.")
class ApiClientPayload:
    api_client: ApiClient | None = strawberry.field(description="The client after the change.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="A client with a new secret: shown this once, stored only sealed. Hand it over securely.")
class ApiClientSecretPayload:
    api_client: ApiClient | None = strawberry.field(description="The client.")
    secret: str | None = strawberry.field(description="The HMAC-SM3 signing secret; it cannot be read again.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Where to send the browser to sign in at the office platform.")
class SsoBeginPayload:
    authorization_url: str | None = strawberry.field(
        description="The platform's sign-in page (with state, nonce and PKCE challenge)."
    )
    state: str | None = strawberry.field(description="Comes back on the callback; pass it to ssoComplete with the code.")
    errors: list[IdentityError] = strawberry.field(description="Why sign-on cannot start; empty on success.")


@strawberry.type(description="One group -> role line of the sign-on mapping.")
class SsoRoleMapping:
    group: str = strawberry.field(description="The office platform's group name.")
    role: Role | None = strawberry.field(description="The role a user of that group gets when first created here.")


@strawberry.type(description="The sign-on role mapping after the change.")
class SsoRoleMappingsPayload:
    mappings: list[SsoRoleMapping] = strawberry.field(description="Every line, sorted by group.")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="What a browser needs to send its password SM2-encrypted.")
class LoginChallenge:
    public_key: str = strawberry.field(description="The server's SM2 public key, 04||x||y in hex.")
    public_key_pem: str = strawberry.field(description="The same key as PEM (SubjectPublicKeyInfo).")
    nonce: str = strawberry.field(
        description='Put it in the encrypted JSON {"nonce", "password"} and in LoginInput.nonce; single use.'
    )
    expires_at: datetime = strawberry.field(description="After this the nonce is refused.")


@strawberry.type(description="A new second factor: add it to an authenticator app, then confirm with a code.")
class TotpEnrollPayload:
    secret: str | None = strawberry.field(description="The base32 secret (shown once).")
    uri: str | None = strawberry.field(description="otpauth:// URI (for a QR code).")
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="The result of a second-factor change.")
class TotpPayload:
    errors: list[IdentityError] = strawberry.field(description="Why it was refused; empty on success.")
