"""Identity enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.identity import enums as e
from domain.identity.errors import IdentityErrorCode as Code
from schema.scalars import gql_enum

OrgUnitKind = gql_enum(e.OrgUnitKind, "Kind of organisation unit.", {
    e.OrgUnitKind.MANAGEMENT: "管理单位: reviews, approves and sees every unit's records.",
    e.OrgUnitKind.ACCESS_UNIT: "接入单位: applies for services and sees only its own records.",
})  # fmt: skip
OrgUnitStatus = gql_enum(e.OrgUnitStatus, "Whether a unit is in service.", {
    e.OrgUnitStatus.ACTIVE: "In service.",
    e.OrgUnitStatus.DISABLED: "Disabled: its users cannot log in.",
})  # fmt: skip
UserStatus = gql_enum(e.UserStatus, "Whether an account may log in.", {
    e.UserStatus.ACTIVE: "May log in.",
    e.UserStatus.DISABLED: "Disabled by an administrator; every login of it has ended.",
})  # fmt: skip
AdminDuty = gql_enum(e.AdminDuty, "The three separated administrator duties (三员分立); one person holds at most one.", {
    e.AdminDuty.SYSTEM: "系统管理员: units and accounts.",
    e.AdminDuty.SECURITY: "安全管理员: roles, grants and sessions.",
    e.AdminDuty.AUDIT: "审计管理员: the operation log.",
})  # fmt: skip
RoleUnitKind = gql_enum(e.RoleUnitKind, "Which units' users may hold a role.", {
    e.RoleUnitKind.MANAGEMENT: "Only users of the management unit.",
    e.RoleUnitKind.ACCESS_UNIT: "Only users of access units.",
    e.RoleUnitKind.ANY: "Users of any unit.",
})  # fmt: skip
OrgUnitChange = gql_enum(e.OrgUnitChange, "What happened to a unit.", {
    e.OrgUnitChange.CREATED: "The unit was created.",
    e.OrgUnitChange.UPDATED: "Its name, contacts, code or parent changed.",
    e.OrgUnitChange.STATUS_CHANGED: "It was disabled or enabled.",
})  # fmt: skip
IdentityErrorCode = gql_enum(Code, "Why an identity mutation was refused.", {
    Code.INVALID_INPUT: "A field is missing, too long or badly formed.",
    Code.NOT_FOUND: "The object does not exist or is outside your data scope.",
    Code.INVALID_CREDENTIALS: "Wrong username or password.",
    Code.ACCOUNT_LOCKED: "Too many wrong passwords: the account is locked for a while.",
    Code.ACCOUNT_DISABLED: "The account or its unit is disabled.",
    Code.DUPLICATE_CODE: "The code is already in use.",
    Code.DUPLICATE_USERNAME: "The username is already in use.",
    Code.INVALID_PARENT: "The parent unit is missing, unknown, or would make a cycle.",
    Code.INVALID_TRANSITION: "The object is already in that status.",
    Code.UNIT_DISABLED: "The unit is disabled.",
    Code.WEAK_PASSWORD: "The password breaks the password policy.",
    Code.WRONG_PASSWORD: "The current password is wrong.",
    Code.DUTY_CONFLICT: "One person may not hold two administrator duties.",
    Code.ROLE_UNIT_KIND_MISMATCH: "The role is not for users of that kind of unit.",
    Code.UNKNOWN_PERMISSION: "No such permission code.",
    Code.ROLE_BUILT_IN: "Built-in roles cannot be deleted or renamed.",
    Code.ROLE_IN_USE: "Users still hold the role.",
    Code.SELF_LOCKOUT: "You may not do this to your own account or unit.",
    Code.ADMIN_PROTECTED: "Accounts holding an administrator duty cannot be edited until the security administrator takes the duty away.",
    Code.UNKNOWN_OPERATION: "No persisted operation of that name exists in operations/.",
    Code.LOGIN_CHALLENGE_INVALID: "The loginChallenge nonce is unknown, used or expired, or the envelope does not open: get a new one.",
    Code.PASSWORD_EXPIRED: "The password is older than the policy allows: set a new one with expiredPasswordChange.",
    Code.PASSWORD_REUSED: "The new password repeats one of the last few.",
    Code.TOTP_REQUIRED: "This account has a second factor: send totpCode with the password.",
    Code.TOTP_INVALID: "The one-time code is wrong, expired or already used.",
    Code.SSO_NOT_CONFIGURED: "Single sign-on through the office platform is not set up on this server.",
    Code.SSO_STATE_INVALID: "The sign-on callback is unknown, used already or older than 10 minutes: start again.",
    Code.SSO_FAILED: "The office platform refused or could not be reached; the message says which.",
    Code.SSO_UNIT_UNKNOWN: "The platform's organisation has no active unit here: ask the system administrator.",
    Code.SSO_USERNAME_TAKEN: "A local account already has the platform's username; it is never taken over: ask the system administrator.",
})  # fmt: skip
ApiClientStatus = gql_enum(e.ApiClientStatus, "Whether an API client's signed requests are accepted.", {
    e.ApiClientStatus.ACTIVE: "Its signed requests are accepted.",
    e.ApiClientStatus.DISABLED: "Every request is refused with API_CLIENT_DISABLED.",
})  # fmt: skip
