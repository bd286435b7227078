"""Identity inputs. Shapes are checked here; the rules (formats, uniqueness, scope) by the domain."""

from __future__ import annotations

import strawberry

from schema.identity.enums import ApiClientStatus, OrgUnitKind, OrgUnitStatus, RoleUnitKind, UserStatus


@strawberry.input(description="Credentials for `login`: the password in the clear (over TLS) or SM2-encrypted.")
class LoginInput:
    username: str = strawberry.field(description="Login name.")
    password: str | None = strawberry.field(default=None, description="Password, when TLS protects the connection.")
    encrypted_password: str | None = strawberry.field(
        default=None,
        description='SM2 (C1C3C2, hex or base64) of {"nonce": …, "password": …} to loginChallenge\'s key; then send `nonce` too.',
    )
    nonce: str | None = strawberry.field(default=None, description="The loginChallenge nonce the encrypted password carries.")
    totp_code: str | None = strawberry.field(
        default=None, description="The 6-digit one-time code, for accounts with a second factor."
    )


@strawberry.input(description="Replace an expired password: the current credentials and the new password.")
class ExpiredPasswordChangeInput:
    username: str = strawberry.field(description="Login name.")
    password: str | None = strawberry.field(default=None, description="Current password (or encryptedPassword + nonce).")
    encrypted_password: str | None = strawberry.field(default=None, description="As in LoginInput.")
    nonce: str | None = strawberry.field(default=None, description="As in LoginInput.")
    totp_code: str | None = strawberry.field(default=None, description="As in LoginInput.")
    new_password: str = strawberry.field(description="The new password (policy: length, classes, not one of the last few).")


@strawberry.input(description="Turn a second factor on with a current code from the authenticator app.")
class TotpConfirmInput:
    code: str = strawberry.field(description="The 6-digit code.")


@strawberry.input(description="Turn a second factor off: your own, or (security administrator) someone's who lost the device.")
class TotpDisableInput:
    user_id: strawberry.ID = strawberry.field(description="Whose.")


@strawberry.input(description="Filter for `orgUnits`.")
class OrgUnitFilter:
    search: str | None = strawberry.field(default=None, description="Part of the name or code.")
    kind: OrgUnitKind | None = strawberry.field(default=None, description="Only this kind.")
    status: OrgUnitStatus | None = strawberry.field(default=None, description="Only this status.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="Only direct children of this unit.")
    contact_phone: str | None = strawberry.field(
        default=None, description="Exact contact phone (stored encrypted: whole numbers only, spaces, dashes and +86 ignored)."
    )
    contact_email: str | None = strawberry.field(default=None, description="Exact contact email (case-insensitive).")


@strawberry.input(description="A new organisation unit.")
class OrgUnitCreateInput:
    code: str = strawberry.field(description="Unique code: A-Z, 0-9, - and _ (2-32).")
    name: str = strawberry.field(description="Full name (2-128).")
    kind: OrgUnitKind = strawberry.field(description="Management unit or access unit.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="Parent unit (required for access units).")
    contact_name: str | None = strawberry.field(default=None, description="Contact person.")
    contact_phone: str | None = strawberry.field(default=None, description="Contact phone (mobile or 0xx-xxxxxxxx).")
    contact_email: str | None = strawberry.field(default=None, description="Contact email.")
    address: str | None = strawberry.field(default=None, description="Postal address.")


@strawberry.input(description="Changes to a unit; omitted fields stay as they are, null clears an optional one.")
class OrgUnitUpdateInput:
    id: strawberry.ID = strawberry.field(description="The unit.")
    code: str | None = strawberry.field(default=strawberry.UNSET, description="New code.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    parent_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Move under this unit.")
    contact_name: str | None = strawberry.field(default=strawberry.UNSET, description="Contact person.")
    contact_phone: str | None = strawberry.field(default=strawberry.UNSET, description="Contact phone.")
    contact_email: str | None = strawberry.field(default=strawberry.UNSET, description="Contact email.")
    address: str | None = strawberry.field(default=strawberry.UNSET, description="Postal address.")


@strawberry.input(description="Disable or enable a unit.")
class OrgUnitSetStatusInput:
    id: strawberry.ID = strawberry.field(description="The unit.")
    status: OrgUnitStatus = strawberry.field(description="The new status.")


@strawberry.input(description="Filter for `users`.")
class UserFilter:
    search: str | None = strawberry.field(default=None, description="Part of the username or display name.")
    org_unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only users of this unit.")
    status: UserStatus | None = strawberry.field(default=None, description="Only this status.")
    role_id: strawberry.ID | None = strawberry.field(default=None, description="Only holders of this role.")
    phone: str | None = strawberry.field(
        default=None, description="Exact phone (stored encrypted: whole numbers only, spaces, dashes and +86 ignored)."
    )
    email: str | None = strawberry.field(default=None, description="Exact email (case-insensitive).")


@strawberry.input(description="A new user account.")
class UserCreateInput:
    username: str = strawberry.field(description="Login name: a letter, then letters, digits, _ . - (3-64).")
    display_name: str = strawberry.field(description="Name shown to people.")
    org_unit_id: strawberry.ID = strawberry.field(description="The user's unit.")
    password: str = strawberry.field(description="Initial password (10+ characters, three character classes).")
    phone: str | None = strawberry.field(default=None, description="Phone.")
    email: str | None = strawberry.field(default=None, description="Email.")


@strawberry.input(description="Changes to a user; omitted fields stay as they are.")
class UserUpdateInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    display_name: str | None = strawberry.field(default=strawberry.UNSET, description="New display name.")
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Move to this unit (ends the user's logins)."
    )
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Email.")


@strawberry.input(description="Disable or enable an account.")
class UserSetStatusInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    status: UserStatus = strawberry.field(description="The new status.")


@strawberry.input(description="Set someone else's password.")
class UserResetPasswordInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    new_password: str = strawberry.field(description="The new password.")


@strawberry.input(description="Change your own password.")
class PasswordChangeInput:
    old_password: str = strawberry.field(description="Your current password.")
    new_password: str = strawberry.field(description="The new password.")


@strawberry.input(description="Replace a user's roles.")
class UserRolesSetInput:
    user_id: strawberry.ID = strawberry.field(description="The user.")
    role_ids: list[strawberry.ID] = strawberry.field(description="The complete new set of roles.")


@strawberry.input(description="A new custom role.")
class RoleCreateInput:
    code: str = strawberry.field(description="Unique code: a-z, 0-9 and _.")
    name: str = strawberry.field(description="Display name.")
    description: str | None = strawberry.field(default=None, description="What the role is for.")
    unit_kind: RoleUnitKind = strawberry.field(description="Which units' users may hold it.")
    permissions: list[str] = strawberry.field(default_factory=list, description="Permission codes it grants.")


@strawberry.input(description="Changes to a role; omitted fields stay as they are.")
class RoleUpdateInput:
    id: strawberry.ID = strawberry.field(description="The role.")
    code: str | None = strawberry.field(default=strawberry.UNSET, description="New code (custom roles only).")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="New description.")
    unit_kind: RoleUnitKind | None = strawberry.field(
        default=strawberry.UNSET, description="Which units' users may hold it (custom roles only)."
    )
    permissions: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The complete new set of permission codes."
    )


@strawberry.input(description="Filter for `accessTokens`.")
class AccessTokenFilter:
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this user's logins (others need identity.manage_tokens)."
    )
    active_only: bool = strawberry.field(default=True, description="Hide expired and revoked tokens.")


@strawberry.input(description="Register a third-party platform.")
class ApiClientCreateInput:
    name: str = strawberry.field(description="Which platform (2-64).")
    service_account_id: strawberry.ID = strawberry.field(description="The active user it acts as; its roles and unit apply.")
    operations: list[str] = strawberry.field(description="Names of persisted operations it may run (see persistedOperations).")
    platforms: list[str] = strawberry.field(
        default_factory=list,
        description="The platforms it speaks for (see integrationPlatforms): it may settle only their dispatches.",
    )


@strawberry.input(description="Change a client's name or allow-list; omitted fields stay.")
class ApiClientUpdateInput:
    id: strawberry.ID = strawberry.field(description="The client.")
    name: str | None = strawberry.field(default=None, description="New name.")
    operations: list[str] | None = strawberry.field(default=None, description="The new allow-list (replaces the old).")
    platforms: list[str] | None = strawberry.field(default=None, description="The platforms it speaks for (replaces the old).")


@strawberry.input(description="Accept or refuse a client's requests.")
class ApiClientSetStatusInput:
    id: strawberry.ID = strawberry.field(description="The client.")
    status: ApiClientStatus = strawberry.field(description="The new status.")


@strawberry.input(description="Issue a new signing secret (the old one stops working at once).")
class ApiClientRotateSecretInput:
    id: strawberry.ID = strawberry.field(description="The client.")


@strawberry.input(description="The office platform's callback: the code and state it sent the browser back with.")
class SsoCompleteInput:
    code: str = strawberry.field(description="The authorization code.")
    state: str = strawberry.field(description="The state from ssoBegin.")


@strawberry.input(description="One group -> role line.")
class SsoRoleMappingInput:
    group: str = strawberry.field(description="The office platform's group name (1-128).")
    role_id: strawberry.ID = strawberry.field(description="A role without administrator duty.")


@strawberry.input(description="The whole sign-on mapping (replaces the old one).")
class SsoRoleMappingsSetInput:
    mappings: list[SsoRoleMappingInput] = strawberry.field(description="Every line.")
