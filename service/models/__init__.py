"""Table models, one module per concept. Importing this package registers them all."""

from service.models import base as base
from service.models.audit import ActorKind, AuditEvent
from service.models.case import Case, CaseStatus, Measure, MeasureType, Provider, ProviderKind
from service.models.instrument import (
    FactorGuidance,
    Instrument,
    InstrumentFactor,
    InstrumentStatus,
)
from service.models.municipality import InstrumentSelection, Municipality, Procedure, Team
from service.models.staff import IntegratorClient, Scope, StaffRole, StaffUser
from service.workflow.scale import BestEnd

__all__ = [
    "ActorKind",
    "AuditEvent",
    "BestEnd",
    "Case",
    "CaseStatus",
    "FactorGuidance",
    "Instrument",
    "InstrumentFactor",
    "InstrumentSelection",
    "InstrumentStatus",
    "IntegratorClient",
    "Measure",
    "MeasureType",
    "Municipality",
    "Procedure",
    "Provider",
    "ProviderKind",
    "Scope",
    "StaffRole",
    "StaffUser",
    "Team",
]
