"""One municipality's history, simulated: teams and caseworkers, providers, children with
their measures, and years of scoring rounds on the municipality's adopted KL procedure.

Plausible rather than real. Each child has a hidden severity per factor (0 = no problem,
1 = massive) that its measure and provider move, with noise and now and then a crisis; the
official score is that severity on the instrument's scale. Informants see it through their
own eyes: parents and the child see fewer problems, school sees more at school, each
caseworker is a little harsher or milder than the next and drifts over the years. Rounds
follow the cadence, some late, some cancelled, and more families take part as the years go
by. Most completed rounds record what they led to for the measure: to end it when the case
closes, to start another when the measure changes, and otherwise to continue it, or to adjust
it more often where the child got worse. Everything comes from `random.Random` seeded per
municipality, so a seed gives the same history every time; the decisions draw from a stream
of their own, so that they leave the rest of the history as it was without them.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from service.generator.bulk import BulkWriter
from service.models.case import (
    CATEGORIES,
    Case,
    CaseStatus,
    Measure,
    MeasureCategory,
    MeasureType,
    Provider,
    ProviderKind,
)
from service.models.municipality import Team
from service.models.round import (
    DisagreementNote,
    FactorOutcome,
    Informant,
    Language,
    OfficialScore,
    RoundTransition,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.round_decision import RoundDecision
from service.models.round_measure import RoundMeasure, RoundMeasureOrigin
from service.models.staff import StaffRole, StaffUser
from service.workflow.decisions import DecidedBy, DecisionOutcome
from service.workflow.measures import in_force, round_period
from service.workflow.outcomes import NoOutcome, attainment
from service.workflow.procedures import PROCEDURES, InformantStep, Procedure, informant_step
from service.workflow.roles import FAMILY, InformantRole
from service.workflow.scale import Scale
from service.workflow.states import RoundEvent, RoundState, Variant

R = InformantRole


@dataclass(frozen=True)
class Form:
    """A published instrument version as the generator needs it."""

    instrument_id: int
    scale: Scale
    factors: tuple[tuple[int, str], ...]  # (factor id, factor key), in order


@dataclass(frozen=True)
class Tenant:
    """The municipality being filled, and what it already has."""

    municipality_id: int
    code: str
    procedure: Procedure
    first_follow_up_months: int
    interval_months: int
    #: Instrument family ("unge", "boern-familie", "handicap") -> its form.
    forms: dict[str, Form]
    password_hash: str
    children: int
    years: int
    as_of: date
    #: Teams to make, each with a leader and caseworkers (about one per 30 children under
    #: way at a time).
    new_teams: int = 1
    #: Teams already there (the demo's), with their caseworkers, that get children too.
    teams: tuple[tuple[int, tuple[int, ...]], ...] = ()
    taken_provider_names: frozenset[str] = frozenset()
    ref_prefix: str = "GEN"


# --- what the municipality looks like ---------------------------------------------------

#: Measure kinds, how often a first measure is of each, the provider kind that delivers it,
#: and how fast it moves a child's severity towards none per round (before the provider's
#: own effect).
MEASURES: dict[MeasureType, tuple[float, ProviderKind | None, float]] = {
    MeasureType.PREVENTIVE: (0.22, ProviderKind.FAMILY_THERAPY, 0.10),
    MeasureType.HOME_BASED_SUPPORT: (0.24, ProviderKind.FAMILY_THERAPY, 0.08),
    MeasureType.CONTACT_PERSON: (0.16, ProviderKind.CONTACT_PERSON, 0.07),
    MeasureType.FOSTER_CARE: (0.16, ProviderKind.FOSTER_FAMILY, 0.09),
    MeasureType.NETWORK_FOSTER_CARE: (0.05, ProviderKind.FOSTER_FAMILY, 0.09),
    MeasureType.INSTITUTION: (0.10, ProviderKind.INSTITUTION, 0.05),
    MeasureType.OPEN_RESIDENTIAL: (0.04, ProviderKind.INSTITUTION, 0.05),
    MeasureType.OTHER: (0.03, ProviderKind.OTHER, 0.06),
}
#: How heavy a measure is: the children in it start with more severe problems.
INTENSITY: dict[MeasureType, float] = {
    MeasureType.PREVENTIVE: -0.12,
    MeasureType.HOME_BASED_SUPPORT: 0.0,
    MeasureType.CONTACT_PERSON: 0.0,
    MeasureType.FOSTER_CARE: 0.12,
    MeasureType.NETWORK_FOSTER_CARE: 0.08,
    MeasureType.INSTITUTION: 0.2,
    MeasureType.OPEN_RESIDENTIAL: 0.15,
    MeasureType.OTHER: 0.0,
}
PROVIDER_NAMES: dict[ProviderKind, tuple[str, ...]] = {
    ProviderKind.FOSTER_FAMILY: (
        "Plejefamilien Jensen",
        "Plejefamilien Nielsen",
        "Plejefamilien Hansen",
        "Plejefamilien Pedersen",
        "Plejefamilien Andersen",
        "Plejefamilien Christensen",
        "Plejefamilien Larsen",
        "Plejefamilien Sørensen",
    ),
    ProviderKind.INSTITUTION: (
        "Opholdsstedet Lærkereden",
        "Døgninstitutionen Bakkehuset",
        "Ungehuset Fjordly",
        "Opholdsstedet Egebo",
    ),
    ProviderKind.FAMILY_THERAPY: (
        "Familiehuset",
        "Familiebehandlingen",
        "Center for Familier",
        "Familieteamet Øst",
    ),
    ProviderKind.CONTACT_PERSON: ("Kontaktpersonkorpset", "Ungeguiderne", "Støtte og Kontakt"),
    ProviderKind.OTHER: ("Netværkshuset", "Fritidsguiderne"),
}
TEAM_NAMES = ("Team Nord", "Team Syd", "Team Øst", "Team Vest", "Team Midt", "Ungeteamet")
FIRST_NAMES = [
    "Emil",
    "Noah",
    "Oscar",
    "William",
    "Lucas",
    "Alfred",
    "Carl",
    "Aksel",
    "Valdemar",
    "Malthe",
    "Viggo",
    "Arthur",
    "Elias",
    "Felix",
    "Magnus",
    "Theo",
    "Liam",
    "Adam",
    "Villads",
    "Anton",
    "Alma",
    "Ella",
    "Ida",
    "Freja",
    "Clara",
    "Karla",
    "Agnes",
    "Olivia",
    "Sofia",
    "Emma",
    "Nora",
    "Luna",
    "Ellen",
    "Asta",
    "Lærke",
    "Isabella",
    "Josefine",
    "Frida",
    "Marie",
    "Mathilde",
    "Ali",
    "Yusuf",
    "Sara",
    "Amina",
    "Zeynep",
    "Mohammad",
    "Omar",
    "Maja",
    "Laura",
    "Victoria",
]
SURNAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
]
COMMENTS = (
    "",
    "",
    "",
    "Bedre end sidst.",
    "Svært at vurdere; ses mest i skolen.",
    "Mange konflikter derhjemme i perioden.",
    "Har fået en fast ven i klassen.",
    "Fravær er faldet.",
    "Sover dårligt, er ofte træt.",
    "Trives i plejefamilien.",
)

#: How an informant's eyes differ from the official score, in scale points (negative: sees
#: fewer problems). The school sees more at school; the child sees the least.
ROLE_BIAS: dict[InformantRole, float] = {
    R.SCHOOL: 0.15,
    R.DAYCARE: 0.1,
    R.PSYCHOLOGIST: 0.1,
    R.OTHER_PROFESSIONAL: 0.0,
    R.PROVIDER: -0.25,
    R.MOTHER: -0.5,
    R.FATHER: -0.4,
    R.CHILD: -0.7,
}
#: Factors the professionals outside the family often cannot assess.
PRIVATE_FACTORS = ("relation", "familie", "tilknytning", "misbrug", "kriminalitet")

CASE_COLUMNS = [
    "id",
    "municipality_id",
    "external_ref",
    "display_name",
    "birth_date",
    "birth_year",
    "caseworker_id",
    "team_id",
    "status",
    "created_at",
    "updated_at",
]
#: How a placement-like measure is given when its kind does not settle it (barnets lov):
#: mostly a placement with consent (§ 46), a quarter without (§ 47), now and then a § 32
#: respite stay (støtteophold).
UNSETTLED_CATEGORY = (
    (MeasureCategory.PLACEMENT_WITH_CONSENT, 0.65),
    (MeasureCategory.PLACEMENT_WITHOUT_CONSENT, 0.25),
    (MeasureCategory.SUPPORTIVE, 0.10),
)
MEASURE_COLUMNS = [
    "id",
    "municipality_id",
    "case_id",
    "type",
    "category",
    "provider_id",
    "description",
    "start_date",
    "end_date",
]
ROUND_COLUMNS = [
    "id",
    "municipality_id",
    "case_id",
    "instrument_id",
    "procedure",
    "variant",
    "state",
    "due_at",
    "meeting_at",
    "opened_by_id",
    "previous_round_id",
    "collection_closed_at",
    "completed_at",
    "cancelled_at",
    "cancel_reason",
    "family_note",
    "provider_informed_at",
    "next_due_on",
    "overdue_notified_at",
    "revision",
    "created_at",
    "updated_at",
]
TRANSITION_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "event",
    "from_state",
    "to_state",
    "actor_id",
    "actor_label",
    "reason",
    "occurred_at",
]
INFORMANT_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "role",
    "step",
    "name",
    "email",
    "phone",
    "language",
    "staff_user_id",
    "token_hash",
    "token_issued_at",
    "token_expires_at",
    "token_revoked_at",
    "first_opened_at",
    "created_at",
]
SUBMISSION_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "informant_id",
    "status",
    "entered_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
]
SCORE_COLUMNS = [
    "id",
    "municipality_id",
    "submission_id",
    "factor_id",
    "score",
    "cannot_assess",
    "goal",
    "comment",
]
OFFICIAL_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "factor_id",
    "score",
    "goal",
    "rationale",
    "not_assessed_reason",
    "set_by_id",
    "set_at",
]
NOTE_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "factor_id",
    "informant_id",
    "informant_role",
    "informant_name",
    "step",
    "informant_score",
    "informant_goal",
    "informant_comment",
    "official_score",
    "official_goal",
    "score_differs",
    "goal_differs",
    "note",
    "created_at",
    "superseded_at",
]
ROUND_MEASURE_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "measure_id",
    "provider_id",
    "origin",
    "recorded_at",
]
DECISION_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "case_id",
    "outcome",
    "decided_by",
    "measure_id",
    "reason",
    "decided_on",
    "recorded_by_id",
    "recorded_at",
    "superseded_at",
]
#: Of the completed rounds, the share whose decision was never written down.
UNRECORDED_DECISIONS = 0.12
#: Why, in the caseworker's words, per outcome.
DECISION_REASONS = {
    DecisionOutcome.CONTINUE: "Indsatsen virker efter hensigten og fortsætter uændret.",
    DecisionOutcome.ADJUST: "Indsatsen justeres: flere timer og en ny aftale med skolen.",
    DecisionOutcome.END: "Målene er nået; indsatsen afsluttes.",
    DecisionOutcome.START_ANOTHER: "Barnets behov har ændret sig; en anden indsats iværksættes.",
}
OUTCOME_COLUMNS = [
    "id",
    "municipality_id",
    "round_id",
    "factor_id",
    "previous_round_id",
    "previous_score",
    "previous_goal",
    "score",
    "outcome",
    "no_outcome",
]


@dataclass
class Caseworker:
    id: int
    name: str
    team_id: int
    harshness: float  # scale points added to what this caseworker scores
    drift: float  # ... and how that changes per year


@dataclass
class ProviderRow:
    id: int
    kind: ProviderKind
    effect: float  # added to the measure's pull towards no problems


@dataclass
class Staffing:
    caseworkers: list[Caseworker] = field(default_factory=list)
    providers: dict[ProviderKind, list[ProviderRow]] = field(default_factory=dict)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _staff(
    out: BulkWriter, tenant: Tenant, rng: random.Random, role: StaffRole, n: int, team: int | None
) -> int:
    prefix = {
        StaffRole.CASEWORKER: "sagsbehandler",
        StaffRole.TEAM_LEADER: "leder",
        StaffRole.ADMINISTRATOR: "admin",
    }[role]
    user_id = out.new_id(StaffUser)
    username = f"{prefix}{n}@{tenant.code}.demo.konsensus.dk"
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    out.add(
        StaffUser,
        [
            "id",
            "municipality_id",
            "username",
            "full_name",
            "email",
            "role",
            "team_id",
            "password_hash",
            "is_active",
            "is_demo",
            "created_at",
        ],
        (
            user_id,
            tenant.municipality_id,
            username,
            name,
            username,
            role,
            team,
            tenant.password_hash,
            True,
            True,
            at(tenant.as_of - timedelta(days=365 * tenant.years + 30)),
        ),
    )
    return user_id


def staff_and_providers(out: BulkWriter, tenant: Tenant, rng: random.Random) -> Staffing:
    """The new teams, a leader each, their caseworkers, an administrator (where teams are
    made), and the providers."""
    staffing = Staffing()
    mid = tenant.municipality_id
    for team_id, caseworker_ids in tenant.teams:
        for cw in caseworker_ids:
            staffing.caseworkers.append(
                Caseworker(cw, "", team_id, rng.gauss(0, 0.3), rng.gauss(0, 0.08))
            )
    wanted_teams = tenant.new_teams
    per_team = max(2, round(tenant.children / 2 / 30 / max(1, wanted_teams + len(tenant.teams))))
    n_cw = 0
    for t in range(max(0, wanted_teams)):
        team_id = out.new_id(Team)
        name = TEAM_NAMES[t % len(TEAM_NAMES)] + ("" if t < len(TEAM_NAMES) else f" {t}")
        out.add(Team, ("id", "municipality_id", "name"), (team_id, mid, name))
        _staff(out, tenant, rng, StaffRole.TEAM_LEADER, t + 1, team_id)
        for _ in range(per_team):
            n_cw += 1
            cw = _staff(out, tenant, rng, StaffRole.CASEWORKER, n_cw, team_id)
            staffing.caseworkers.append(
                Caseworker(cw, "", team_id, rng.gauss(0, 0.3), rng.gauss(0, 0.08))
            )
    if wanted_teams > 0:
        _staff(out, tenant, rng, StaffRole.ADMINISTRATOR, 1, None)
    n_providers = max(8, tenant.children // 40)
    kinds = list(PROVIDER_NAMES)
    weights = [0.35, 0.2, 0.2, 0.15, 0.1]
    used = set(tenant.taken_provider_names)
    for i in range(n_providers):
        kind = kinds[i] if i < len(kinds) else rng.choices(kinds, weights)[0]
        base = rng.choice(PROVIDER_NAMES[kind])
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base} {n}"
        used.add(name)
        provider_id = out.new_id(Provider)
        out.add(
            Provider,
            ("id", "municipality_id", "name", "kind", "email"),
            (provider_id, mid, name, kind, None),
        )
        staffing.providers.setdefault(kind, []).append(
            ProviderRow(provider_id, kind, rng.gauss(0, 0.035))
        )
    return staffing


# --- one child ----------------------------------------------------------------------------


def _severity_start(rng: random.Random, key: str, age: int, intensity: float) -> float:
    base = rng.betavariate(2.2, 2.6) + intensity
    if key in ("kriminalitet", "misbrug"):
        base -= 0.35 if age >= 13 else 0.7
    elif key == "relation_soeskende":
        base -= 0.15
    return min(1.0, max(0.0, base + rng.gauss(0, 0.15)))


def _on_scale(scale: Scale, severity: float) -> int:
    points = scale.points_from_best()
    return points[min(len(points) - 1, max(0, round(severity * (len(points) - 1))))]


def _goal(rng: random.Random, scale: Scale, status: int) -> int:
    points = scale.points_from_best()
    rank = points.index(status)
    if rank == 0 or rng.random() < 0.3:
        return status  # maintenance (fastholdelse)
    step = 2 if rank >= 2 and rng.random() < 0.3 else 1
    return points[rank - step]


def _informant_value(
    rng: random.Random, scale: Scale, official: int, bias: float, spread: float
) -> int:
    points = scale.points_from_best()
    rank = points.index(official) + bias + rng.gauss(0, spread)
    return points[min(len(points) - 1, max(0, round(rank)))]


@dataclass
class Round:
    """What one round of a child needs to know about the one before."""

    id: int
    official: dict[int, tuple[int | None, int | None]]  # factor id -> (score, goal)
    completed_on: date


class ChildHistory:
    """Writes one child's case, measures and rounds."""

    def __init__(
        self,
        out: BulkWriter,
        tenant: Tenant,
        staffing: Staffing,
        rng: random.Random,
        number: int,
        deciding: random.Random | None = None,
    ) -> None:
        self.out, self.tenant, self.staffing, self.rng = out, tenant, staffing, rng
        self.number = number
        #: The decisions' own stream (none: no decisions are written).
        self.deciding = deciding
        self.spec = PROCEDURES[tenant.procedure]
        self.mid = tenant.municipality_id
        #: (measure id, start, end, provider id) of the case's measures.
        self.in_effect: list[tuple[int, date, date | None, int | None]] = []
        #: When the case's last round completed: the next round's period starts there.
        self.last_completed: date | None = None

    def write(self) -> None:
        rng, tenant = self.rng, self.tenant
        window = 365 * tenant.years
        intake = tenant.as_of - timedelta(days=rng.randrange(0, window))
        length = max(120, int(rng.expovariate(1 / 900)))
        ends = intake + timedelta(days=length)
        closed = ends < tenant.as_of
        age = rng.choices(range(18), [3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 9, 8, 6, 3])[0]
        born = intake - timedelta(days=365 * age + rng.randrange(365))
        family = "handicap" if rng.random() < 0.08 else ("unge" if age >= 13 else "boern-familie")
        form = tenant.forms[family]
        caseworker = rng.choice(self.staffing.caseworkers)
        case_id = self.out.new_id(Case)
        self.out.add(
            Case,
            CASE_COLUMNS,
            (
                case_id,
                self.mid,
                f"{tenant.ref_prefix}-{intake.year}-{self.number:05d}",
                rng.choice(FIRST_NAMES),
                born,
                born.year,
                caseworker.id,
                caseworker.team_id,
                CaseStatus.CLOSED if closed else CaseStatus.ACTIVE,
                at(intake, 9),
                at(min(ends, tenant.as_of), 9) if closed else at(intake, 9),
            ),
        )
        measures = self._measures(case_id, intake, ends if closed else None, age)
        self._rounds(case_id, form, caseworker, measures, intake, ends, closed, age)

    def _measures(
        self, case_id: int, intake: date, ends: date | None, age: int
    ) -> list[tuple[date, MeasureType, ProviderRow | None]]:
        """The case's measures (one, or a change to a second), remembered with their ids and
        periods for the rounds that evaluate them."""
        rng = self.rng
        kinds = [k for k in MEASURES if k is not MeasureType.OPEN_RESIDENTIAL or age >= 15]
        first = rng.choices(kinds, [MEASURES[k][0] for k in kinds])[0]
        plan = [(intake, first)]
        if rng.random() < 0.25:
            change = intake + timedelta(days=rng.randrange(120, 900))
            if ends is None or change < ends:
                plan.append((change, rng.choices(kinds, [MEASURES[k][0] for k in kinds])[0]))
        result = []
        for n, (start, kind) in enumerate(plan):
            provider_kind = MEASURES[kind][1]
            providers = self.staffing.providers.get(provider_kind) if provider_kind else None
            provider = rng.choice(providers) if providers else None
            end = plan[n + 1][0] if n + 1 < len(plan) else ends
            measure_id = self.out.new_id(Measure)
            self.in_effect.append((measure_id, start, end, provider.id if provider else None))
            self.out.add(
                Measure,
                MEASURE_COLUMNS,
                (
                    measure_id,
                    self.mid,
                    case_id,
                    kind,
                    self._category(kind),
                    provider.id if provider else None,
                    "",
                    start,
                    end,
                ),
            )
            result.append((start, kind, provider))
        return result

    def _category(self, kind: MeasureType) -> MeasureCategory:
        allowed, default = CATEGORIES[kind]
        if default is not None:
            return default
        options = [(c, w) for c, w in UNSETTLED_CATEGORY if c in allowed]
        return self.rng.choices([c for c, _ in options], [w for _, w in options])[0]

    def _rounds(
        self,
        case_id: int,
        form: Form,
        caseworker: Caseworker,
        measures: list[tuple[date, MeasureType, ProviderRow | None]],
        intake: date,
        ends: date,
        closed: bool,
        age: int,
    ) -> None:
        rng, tenant = self.rng, self.tenant
        first_kind = measures[0][1]
        severity = {
            fid: _severity_start(rng, key, age, INTENSITY[first_kind]) for fid, key in form.factors
        }
        due = intake + timedelta(days=rng.randrange(0, 21))
        previous: Round | None = None
        completed = 0
        horizon = tenant.as_of - timedelta(days=rng.randrange(0, 5))
        start_of_history = tenant.as_of - timedelta(days=365 * tenant.years)
        while due <= min(ends, tenant.as_of + timedelta(days=40)):
            years_in = (due - start_of_history).days / 365
            current = next((i for i in reversed(range(len(measures))) if measures[i][0] <= due), 0)
            _, kind, provider = measures[current]
            late = max(-5, int(rng.gauss(6 - years_in, 10)))
            if rng.random() < 0.12 - 0.015 * years_in:
                late += rng.randrange(30, 120)
            closes = due + timedelta(days=late)
            if closes > horizon and not closed:
                self._current_round(
                    case_id, form, caseworker, age, due, horizon, previous, completed
                )
                return
            if closed and closes > ends:
                return
            if rng.random() < 0.04:
                self._cancelled(case_id, form, caseworker, due, closes, completed)
                due = closes + timedelta(days=30)
                continue
            # The child's situation moves between rounds: the measure and provider pull it
            # towards no problems, with noise, and now and then a crisis.
            before = statistics.fmean(severity.values())
            if previous is not None:
                pull = MEASURES[kind][2] + (provider.effect if provider else 0.0)
                crisis = 0.25 if rng.random() < 0.05 else 0.0
                for fid in severity:
                    moved = severity[fid] * (1 - 1.5 * pull) + rng.gauss(0, 0.08) + crisis
                    severity[fid] = min(1.0, max(0.0, moved))
            previous = self._completed_round(
                case_id, form, caseworker, provider, age, due, closes, years_in, severity, previous
            )
            completed += 1
            months = tenant.first_follow_up_months if completed == 1 else tenant.interval_months
            due = closes + relativedelta(months=months)
            if closed and due > ends:
                outcome = DecisionOutcome.END
            elif current + 1 < len(measures) and measures[current + 1][0] <= due:
                outcome = DecisionOutcome.START_ANOTHER
            else:
                worse = statistics.fmean(severity.values()) > before + 0.02
                outcome = DecisionOutcome.CONTINUE
                if self.deciding and self.deciding.random() < (0.55 if worse else 0.2):
                    outcome = DecisionOutcome.ADJUST
            self._decision(case_id, previous, caseworker, self.in_effect[current][0], outcome)

    def _decision(
        self,
        case_id: int,
        rnd: Round,
        caseworker: Caseworker,
        measure_id: int,
        outcome: DecisionOutcome,
    ) -> None:
        """What the completed round led to for the measure in force, decided at the meeting or
        by the caseworker within a week, as the service records it; now and then none."""
        deciding = self.deciding
        if deciding is None or deciding.random() < UNRECORDED_DECISIONS:
            return
        decided_on = rnd.completed_on + timedelta(days=deciding.choice((0, 0, 0, 1, 2, 7)))
        decided_on = max(rnd.completed_on, min(decided_on, self.tenant.as_of))
        by = DecidedBy.MEETING if deciding.random() < 0.75 else DecidedBy.CASEWORKER
        self.out.add(
            RoundDecision,
            DECISION_COLUMNS,
            (
                self.out.new_id(RoundDecision),
                self.mid,
                rnd.id,
                case_id,
                outcome,
                by,
                measure_id,
                DECISION_REASONS[outcome],
                decided_on,
                caseworker.id,
                at(decided_on, 15),
                None,
            ),
        )

    def _round_row(
        self,
        round_id: int,
        case_id: int,
        form: Form,
        caseworker: Caseworker,
        variant: Variant,
        state: RoundState,
        due: date,
        *,
        previous_id: int | None = None,
        closed_at: datetime | None = None,
        completed_at: datetime | None = None,
        cancelled_at: datetime | None = None,
        next_due: date | None = None,
        informed: datetime | None = None,
    ) -> None:
        opened = at(due - timedelta(days=21), 8)
        last = completed_at or cancelled_at or closed_at or opened
        # The measures in force in the round's period, as the service records them.
        period = round_period(opened.date(), due, self.last_completed)
        for measure_id, start, end, provider_id in self.in_effect:
            if in_force(start, end, period):
                self.out.add(
                    RoundMeasure,
                    ROUND_MEASURE_COLUMNS,
                    (
                        self.out.new_id(RoundMeasure),
                        self.mid,
                        round_id,
                        measure_id,
                        provider_id,
                        RoundMeasureOrigin.OPENING,
                        opened,
                    ),
                )
        self.out.add(
            ScoringRound,
            ROUND_COLUMNS,
            (
                round_id,
                self.mid,
                case_id,
                form.instrument_id,
                self.tenant.procedure,
                variant,
                state,
                at(due, 15),
                at(due + timedelta(days=2), 9),
                caseworker.id,
                previous_id,
                closed_at,
                completed_at,
                cancelled_at,
                "Barnet flyttede midlertidigt; scores ved næste runde." if cancelled_at else None,
                None,
                informed,
                next_due,
                None,
                3,
                opened,
                last,
            ),
        )

    def _transitions(
        self, round_id: int, caseworker: Caseworker, path: list[tuple[RoundEvent, datetime]]
    ) -> None:
        state = RoundState.DRAFT
        for event, when in path:
            dest = next(
                t.dest for t in self.spec.transitions if t.event is event and state in t.source
            )
            self.out.add(
                RoundTransition,
                TRANSITION_COLUMNS,
                (
                    self.out.new_id(RoundTransition),
                    self.mid,
                    round_id,
                    event.value,
                    state,
                    dest,
                    f"staff:{caseworker.id}",
                    caseworker.name or f"Sagsbehandler {caseworker.id}",
                    "Barnet flyttede midlertidigt." if event is RoundEvent.CANCEL else None,
                    when,
                ),
            )
            state = dest

    def _cancelled(
        self,
        case_id: int,
        form: Form,
        caseworker: Caseworker,
        due: date,
        when: date,
        completed: int,
    ) -> None:
        round_id = self.out.new_id(ScoringRound)
        variant = Variant.FOLLOW_UP if completed else Variant.FIRST_TIME
        self._round_row(
            round_id,
            case_id,
            form,
            caseworker,
            variant,
            RoundState.CANCELLED,
            due,
            cancelled_at=at(when),
        )
        opened = at(due - timedelta(days=21), 8)
        self._transitions(
            round_id, caseworker, [(RoundEvent.OPEN, opened), (RoundEvent.CANCEL, at(when))]
        )

    def _cast(
        self, variant: Variant, age: int, years_in: float, has_provider: bool
    ) -> list[tuple[InformantRole, InformantStep]]:
        """Who takes part: the caseworker, school or daycare by age, now and then a
        psychologist, the provider, and (more often as the years go by) the family."""
        rng = self.rng
        roles = [R.CASEWORKER]
        if age >= 6 and rng.random() < 0.85:
            roles.append(R.SCHOOL)
        elif 1 <= age < 6 and rng.random() < 0.75:
            roles.append(R.DAYCARE)
        if rng.random() < 0.2:
            roles.append(R.PSYCHOLOGIST)
        if rng.random() < 0.08:
            roles.append(R.OTHER_PROFESSIONAL)
        if has_provider:
            roles.append(R.PROVIDER)
        growth = min(1.0, max(0.0, years_in / 5))
        if rng.random() < 0.5 + 0.35 * growth:
            roles.append(R.MOTHER)
        if rng.random() < 0.3 + 0.3 * growth:
            roles.append(R.FATHER)
        if age >= 7 and rng.random() < 0.25 + 0.45 * growth:
            roles.append(R.CHILD)
        return [(role, informant_step(self.spec, variant, role)) for role in roles]

    def _informant(
        self,
        round_id: int,
        role: InformantRole,
        step: InformantStep,
        caseworker: Caseworker,
        created: datetime,
    ) -> tuple[int, str]:
        informant_id = self.out.new_id(Informant)
        name = (
            caseworker.name or f"Sagsbehandler {caseworker.id}"
            if role is R.CASEWORKER
            else f"{role.value.replace('_', ' ').capitalize()} {self.rng.choice(SURNAMES)}"
        )
        self.out.add(
            Informant,
            INFORMANT_COLUMNS,
            (
                informant_id,
                self.mid,
                round_id,
                role,
                step,
                name,
                None,
                None,
                Language.DA,
                caseworker.id if role is R.CASEWORKER else None,
                None,
                None,
                None,
                None,
                created if role is not R.CASEWORKER else None,
                created,
            ),
        )
        return informant_id, name

    def _submission(
        self,
        round_id: int,
        informant_id: int,
        role: InformantRole,
        form: Form,
        official: dict[int, tuple[int | None, int | None]],
        bias: float,
        when: datetime,
        caseworker: Caseworker,
        *,
        draft: bool = False,
    ) -> list[tuple[int, int, int | None, str]]:
        """The informant's scores; returns (factor id, score, goal, comment) of those given.

        The family's scores are often entered by the caseworker, with them (KL: children and
        parents mostly need help to score)."""
        rng = self.rng
        submission_id = self.out.new_id(Submission)
        entered_by = caseworker.id if role in FAMILY and rng.random() < 0.6 else None
        self.out.add(
            Submission,
            SUBMISSION_COLUMNS,
            (
                submission_id,
                self.mid,
                round_id,
                informant_id,
                SubmissionStatus.DRAFT if draft else SubmissionStatus.SUBMITTED,
                entered_by,
                when - timedelta(days=2),
                when,
                None if draft else when,
            ),
        )
        given = []
        outsider = role in (R.SCHOOL, R.DAYCARE, R.PSYCHOLOGIST, R.OTHER_PROFESSIONAL)
        spread = 0.45 if role is R.CASEWORKER else 0.7
        for fid, key in form.factors:
            score_goal = official[fid]
            unknown = score_goal[0] is None or rng.random() < (
                0.3 if outsider and any(p in key for p in PRIVATE_FACTORS) else 0.04
            )
            if unknown:
                self.out.add(
                    SubmissionScore,
                    SCORE_COLUMNS,
                    (
                        self.out.new_id(SubmissionScore),
                        self.mid,
                        submission_id,
                        fid,
                        None,
                        True,
                        None,
                        "",
                    ),
                )
                continue
            assert score_goal[0] is not None
            school = 0.3 if role in (R.SCHOOL, R.DAYCARE) and key.startswith("skole") else 0.0
            value = _informant_value(rng, form.scale, score_goal[0], bias + school, spread)
            goal = _goal(rng, form.scale, value) if rng.random() < 0.8 else None
            comment = rng.choice(COMMENTS)
            self.out.add(
                SubmissionScore,
                SCORE_COLUMNS,
                (
                    self.out.new_id(SubmissionScore),
                    self.mid,
                    submission_id,
                    fid,
                    value,
                    False,
                    goal,
                    comment,
                ),
            )
            given.append((fid, value, goal, comment))
        return given

    def _completed_round(
        self,
        case_id: int,
        form: Form,
        caseworker: Caseworker,
        provider: ProviderRow | None,
        age: int,
        due: date,
        closes: date,
        years_in: float,
        severity: dict[int, float],
        previous: Round | None,
    ) -> Round:
        rng, out, tenant = self.rng, self.out, self.tenant
        round_id = out.new_id(ScoringRound)
        variant = Variant.FOLLOW_UP if previous else Variant.FIRST_TIME
        closed_at = at(closes, 11)
        finished = at(closes + timedelta(days=rng.randrange(0, 10)), 14)
        official: dict[int, tuple[int | None, int | None]] = {}
        for fid, _key in form.factors:
            if rng.random() < 0.025:
                official[fid] = (None, None)
            else:
                status = _on_scale(form.scale, severity[fid])
                official[fid] = (status, _goal(rng, form.scale, status))
        harsh = caseworker.harshness + caseworker.drift * years_in
        opened = at(due - timedelta(days=21), 8)
        for role, step in self._cast(variant, age, years_in, provider is not None):
            informant_id, name = self._informant(round_id, role, step, caseworker, opened)
            if step is InformantStep.MEETING_ONLY:
                continue
            bias = harsh if role is R.CASEWORKER else ROLE_BIAS[role]
            when = closed_at - timedelta(days=1) if step is InformantStep.INDEPENDENT else finished
            for fid, value, goal, comment in self._submission(
                round_id, informant_id, role, form, official, bias, when, caseworker
            ):
                score, official_goal = official[fid]
                # As the service keeps them: a differing score, or a differing proposed goal.
                score_differs = value != score
                goal_differs = goal is not None and goal != official_goal
                if score_differs or goal_differs:
                    out.add(
                        DisagreementNote,
                        NOTE_COLUMNS,
                        (
                            out.new_id(DisagreementNote),
                            self.mid,
                            round_id,
                            fid,
                            informant_id,
                            role,
                            name,
                            step,
                            value,
                            goal,
                            comment,
                            score,
                            official_goal,
                            score_differs,
                            goal_differs,
                            "",
                            finished,
                            None,
                        ),
                    )
        for fid, (score, goal) in official.items():
            out.add(
                OfficialScore,
                OFFICIAL_COLUMNS,
                (
                    out.new_id(OfficialScore),
                    self.mid,
                    round_id,
                    fid,
                    score,
                    goal,
                    "",
                    "" if score is not None else "Ikke tilstrækkelig viden om forholdet.",
                    caseworker.id,
                    closed_at,
                ),
            )
            why: NoOutcome | None
            if previous is None:
                outcome, why = None, NoOutcome.NO_PREVIOUS_ROUND
                before: tuple[int | None, int | None] = (None, None)
            else:
                before = previous.official.get(fid, (None, None))
                found = attainment(form.scale, before[0], before[1], score)
                outcome, why = found.outcome, found.no_outcome
            out.add(
                FactorOutcome,
                OUTCOME_COLUMNS,
                (
                    out.new_id(FactorOutcome),
                    self.mid,
                    round_id,
                    fid,
                    previous.id if previous else None,
                    before[0],
                    before[1],
                    score,
                    outcome,
                    why,
                ),
            )
        months = tenant.first_follow_up_months if previous is None else tenant.interval_months
        informed = finished if self.spec.informs_provider else None
        self._round_row(
            round_id,
            case_id,
            form,
            caseworker,
            variant,
            RoundState.COMPLETED,
            due,
            previous_id=previous.id if previous else None,
            closed_at=closed_at,
            completed_at=finished,
            next_due=(finished + relativedelta(months=months)).date(),
            informed=informed,
        )
        path = [(RoundEvent.OPEN, opened), (RoundEvent.CLOSE_COLLECTION, closed_at)]
        path.append((RoundEvent.FINISH_CONSENSUS, finished))
        if self.spec.family:
            path.append((RoundEvent.FINISH_FAMILY_DIALOGUE, finished))
        if self.spec.informs_provider:
            path.append((RoundEvent.INFORM_PROVIDER, finished))
        self._transitions(round_id, caseworker, path)
        self.last_completed = finished.date()
        return Round(round_id, official, finished.date())

    def _current_round(
        self,
        case_id: int,
        form: Form,
        caseworker: Caseworker,
        age: int,
        due: date,
        today: date,
        previous: Round | None,
        completed: int,
    ) -> None:
        """The round under way now, or none yet: some children are overdue."""
        rng = self.rng
        if due < today - timedelta(days=45) and rng.random() < 0.5:
            return  # overdue, and nobody has opened the round
        if due > today + timedelta(days=21):
            return  # not yet time to open it
        round_id = self.out.new_id(ScoringRound)
        variant = Variant.FOLLOW_UP if completed else Variant.FIRST_TIME
        state = rng.choices(
            [RoundState.DRAFT, RoundState.COLLECTING, RoundState.CONSENSUS], [0.15, 0.65, 0.2]
        )[0]
        opened = at(due - timedelta(days=21), 8)
        closed_at = at(min(due, today)) if state is RoundState.CONSENSUS else None
        self._round_row(
            round_id,
            case_id,
            form,
            caseworker,
            variant,
            state,
            due,
            previous_id=previous.id if previous else None,
            closed_at=closed_at,
        )
        path = [] if state is RoundState.DRAFT else [(RoundEvent.OPEN, opened)]
        if closed_at is not None:
            path.append((RoundEvent.CLOSE_COLLECTION, closed_at))
        self._transitions(round_id, caseworker, path)
        if state is RoundState.DRAFT:
            return
        official = {
            fid: (previous.official.get(fid, (None, None)) if previous else (None, None))
            for fid, _ in form.factors
        }
        guess: dict[int, tuple[int | None, int | None]] = {
            fid: (s if s is not None else _on_scale(form.scale, 0.4), None)
            for fid, (s, _) in official.items()
        }
        for role, step in self._cast(variant, age, self.tenant.years, True):
            informant_id, _ = self._informant(round_id, role, step, caseworker, opened)
            if step is not InformantStep.INDEPENDENT:
                continue
            if state is RoundState.COLLECTING and rng.random() < 0.45:
                continue  # not submitted yet
            bias = caseworker.harshness if role is R.CASEWORKER else ROLE_BIAS[role]
            self._submission(
                round_id,
                informant_id,
                role,
                form,
                guess,
                bias,
                opened + timedelta(days=7),
                caseworker,
            )
