"""Every table, imported in one place for Alembic and the schema tests."""

from core.audit import AuditEvent
from core.queue.outbox import OutboxJob
from domain.identity.models import AccessToken, OrgUnit, Role, RolePermission, User, UserRole
from domain.workorders.numbering import WorkOrderCounter

__all__ = ["AccessToken", "AuditEvent", "OrgUnit", "OutboxJob", "Role", "RolePermission", "User", "UserRole", "WorkOrderCounter"]
