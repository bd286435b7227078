"""Every table, imported in one place for Alembic and the schema tests."""

from core.audit import AuditEvent
from core.queue.outbox import OutboxJob
from domain.alerts.models import Alert, AlertEvent
from domain.assets.models import Asset, AssetEvent, AssetInspection, AssetModel, AssetUpgrade
from domain.catalog.models import Application
from domain.exports.models import DataExport
from domain.faults.models import Fault
from domain.identity.models import AccessToken, OrgUnit, Role, RolePermission, User, UserRole
from domain.integration.models import FeedCursor, InterfaceCall
from domain.metrics.models import MetricRollup, MetricSample, MetricSeries, MetricWatermark
from domain.notifications.models import Notification
from domain.secure_access.models import SecureAccessAccount, SecureAccessEvent
from domain.wireless.models import SimCard, SimCardEvent, SimCardTraffic, SimPlan, TerminalAccount
from domain.workorders.models import (
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderDispatch,
    WorkOrderEvent,
    WorkOrderLink,
    WorkOrderSla,
    WorkOrderTask,
)
from domain.workorders.numbering import WorkOrderCounter

__all__ = [
    "AccessToken", "Alert", "AlertEvent", "Application", "Asset", "AssetEvent", "AssetInspection", "AssetModel", "AssetUpgrade", "AuditEvent", "DataExport", "Fault", "FeedCursor", "InterfaceCall", "MetricRollup", "MetricSample", "MetricSeries", "MetricWatermark", "Notification", "OrgUnit", "OutboxJob", "Role", "RolePermission", "SecureAccessAccount", "SecureAccessEvent", "SimCard", "SimCardEvent", "SimCardTraffic", "SimPlan", "TerminalAccount", "User", "UserRole",
    "WorkOrder", "WorkOrderAttachment", "WorkOrderCounter", "WorkOrderDispatch", "WorkOrderEvent", "WorkOrderLink", "WorkOrderSla",
    "WorkOrderTask",
]  # fmt: skip
