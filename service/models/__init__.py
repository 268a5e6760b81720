"""Table models, one module per concept. Importing this package registers them all."""

from service.models import audit_chain as audit_chain
from service.models import base as base
from service.models.audit import ActorKind, AuditChainHead, AuditEvent, AuditSeal
from service.models.cadence import (
    CadenceDeviation,
    CadenceRule,
    CadenceStandard,
    FollowUpRequest,
)
from service.models.calibration import (
    CalibrationAnswer,
    CalibrationExercise,
    CalibrationReference,
    CalibrationScore,
    CalibrationVignette,
)
from service.models.case import (
    Case,
    CaseStatus,
    Measure,
    MeasureCategory,
    MeasureType,
    Provider,
    ProviderKind,
)
from service.models.case_flag import CaseFlag
from service.models.case_level import CaseLevel, LevelKind
from service.models.idempotency import IdempotencyRecord
from service.models.identity_provider import IdentityGroup, IdentityProvider, ProviderLogout
from service.models.instrument import (
    FactorGuidance,
    Instrument,
    InstrumentFactor,
    InstrumentMapping,
    InstrumentStatus,
)
from service.models.link import InformantLink, LinkEnd
from service.models.meeting import RoundMeetingKind
from service.models.municipality import (
    CollectionClose,
    InstrumentSelection,
    Municipality,
    Team,
)
from service.models.notification import Notification
from service.models.outbox import DeliveryAttempt, OutboxMessage
from service.models.plan import PlanRow, PlanRowStatus
from service.models.retention import ErasureRecord
from service.models.round import (
    Attendance,
    DisagreementNote,
    FactorOutcome,
    Informant,
    OfficialScore,
    OfficialScoreAmendment,
    RoundTransition,
    ScoringRound,
    Submission,
    SubmissionScore,
)
from service.models.round_agreement import (
    AgreementFigures,
    RoundFactorAgreement,
    RoundFactorCounts,
)
from service.models.round_decision import RoundDecision
from service.models.round_disagreement import RoundDisagreement, RoundFactorDisagreement
from service.models.round_drift import RoundFactorDrift
from service.models.round_measure import RoundMeasure, RoundMeasureOrigin
from service.models.session_form import SessionAnswer, SessionFormVersion, SessionLink
from service.models.staff import IntegratorClient, Scope, StaffRole, StaffUser
from service.models.throttle import ThrottleCounter
from service.models.webhook import EventType, WebhookSubscription
from service.workflow.procedures import Procedure
from service.workflow.scale import BestEnd

__all__ = [
    "ActorKind",
    "AgreementFigures",
    "Attendance",
    "AuditChainHead",
    "AuditEvent",
    "AuditSeal",
    "BestEnd",
    "CadenceDeviation",
    "CadenceRule",
    "CadenceStandard",
    "CalibrationAnswer",
    "CalibrationExercise",
    "CalibrationReference",
    "CalibrationScore",
    "CalibrationVignette",
    "Case",
    "CaseFlag",
    "CaseLevel",
    "CaseStatus",
    "CollectionClose",
    "DeliveryAttempt",
    "DisagreementNote",
    "ErasureRecord",
    "EventType",
    "FactorGuidance",
    "FactorOutcome",
    "FollowUpRequest",
    "IdempotencyRecord",
    "IdentityGroup",
    "IdentityProvider",
    "Informant",
    "InformantLink",
    "Instrument",
    "InstrumentFactor",
    "InstrumentMapping",
    "InstrumentSelection",
    "InstrumentStatus",
    "IntegratorClient",
    "LevelKind",
    "LinkEnd",
    "Measure",
    "MeasureCategory",
    "MeasureType",
    "Municipality",
    "Notification",
    "OfficialScore",
    "OfficialScoreAmendment",
    "OutboxMessage",
    "PlanRow",
    "PlanRowStatus",
    "Procedure",
    "Provider",
    "ProviderKind",
    "ProviderLogout",
    "RoundDecision",
    "RoundDisagreement",
    "RoundFactorAgreement",
    "RoundFactorCounts",
    "RoundFactorDisagreement",
    "RoundFactorDrift",
    "RoundMeasure",
    "RoundMeasureOrigin",
    "RoundMeetingKind",
    "RoundTransition",
    "Scope",
    "ScoringRound",
    "SessionAnswer",
    "SessionFormVersion",
    "SessionLink",
    "StaffRole",
    "StaffUser",
    "Submission",
    "SubmissionScore",
    "Team",
    "ThrottleCounter",
    "WebhookSubscription",
]
