"""The demo municipality: staff, an integrator client, providers and children with measures.

The credentials are for development only: they are flagged as such and refused when the
service runs in production mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.clock import LOCAL_TIME
from service.db import session_scope
from service.generator.calibration_demo import load_demo_calibration
from service.models import tenancy
from service.models.case import (
    Case,
    CaseStatus,
    Measure,
    MeasureCategory,
    MeasureType,
    Provider,
    ProviderKind,
)
from service.models.case_level import LevelKind
from service.models.instrument import Instrument, InstrumentFactor
from service.models.municipality import Municipality, Team
from service.models.round import Informant, ScoringRound
from service.models.staff import Scope, StaffRole, StaffUser
from service.schemas.cadence import DeviationDecision, FollowUpRequestCreate, ShippedKey
from service.schemas.common import PageParams
from service.schemas.decisions import DecisionWrite
from service.schemas.meetings import MeetingKindWrite
from service.schemas.municipality import ClientCreate, StaffCreate
from service.schemas.notifications import BaselineRoundCreate, CaseLevelCreate, NotificationCreate
from service.schemas.plan import PlanRowCreate, PlanStatusWrite
from service.schemas.rounds import (
    AttendanceWrite,
    InformantCreate,
    LinkRequest,
    OfficialScoresWrite,
    OfficialScoreWrite,
    RoundCreate,
    ScoreEntry,
    TransitionRequest,
)
from service.usecases.administration.municipality import (
    create_client,
    create_municipality,
    create_staff,
    set_instruments_in_use,
)
from service.usecases.child import flags, levels, notifications, plan
from service.usecases.collection import informants, submissions
from service.usecases.consensus import meeting, meeting_kind, official_scores
from service.usecases.procedure import (
    cadence_deviations,
    cadence_standards,
    decisions,
    follow_up_requests,
    rounds,
)
from service.workflow.cadence_standards import DeviationReason
from service.workflow.decisions import DecisionOutcome
from service.workflow.meetings import MeetingKind
from service.workflow.notification import NotificationSource
from service.workflow.plan import RowStatus
from service.workflow.procedures import Gathering, Procedure
from service.workflow.roles import InformantRole
from service.workflow.states import FINAL_STATES, RoundEvent, RoundState

DEMO_CODE = "999"
_ALL = PageParams(limit=200, offset=0)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


DEMO_STAFF = (
    (
        StaffRole.CASEWORKER,
        "sagsbehandler@demo.konsensus.dk",
        "Sara Sagsbehandler",
        "demo-sagsbehandler",
    ),
    (StaffRole.TEAM_LEADER, "leder@demo.konsensus.dk", "Lars Leder", "demo-teamleder-1"),
    (
        StaffRole.ADMINISTRATOR,
        "admin@demo.konsensus.dk",
        "Anna Administrator",
        "demo-administrator",
    ),
)
DEMO_CLIENT_ID = "demo-dubu"
DEMO_CLIENT_SECRET = "demo-dubu-client-secret"
DEMO_INSTRUMENTS = ["kl-boern-familie", "kl-unge", "kl-handicap"]

DEMO_PROVIDERS = (
    ("Plejefamilien Holm", ProviderKind.FOSTER_FAMILY, "holm@example.org"),
    ("Familiehuset Syd", ProviderKind.FAMILY_THERAPY, "familiehuset@example.org"),
    ("Ungehuset Skovly", ProviderKind.INSTITUTION, "skovly@example.org"),
    ("Kontaktpersonkorpset", ProviderKind.CONTACT_PERSON, None),
)

#: (external ref, display name, birth date, measure and its kind in barnets lov, provider
#: name, measure start)
DEMO_CHILDREN = (
    (
        "DUBU-2024-0117",
        "Emma",
        date(2014, 3, 9),
        (MeasureType.FOSTER_CARE, MeasureCategory.PLACEMENT_WITH_CONSENT),
        "Plejefamilien Holm",
        date(2025, 1, 6),
    ),
    (
        "DUBU-2024-0342",
        "Noah",
        date(2011, 10, 21),
        (MeasureType.HOME_BASED_SUPPORT, MeasureCategory.SUPPORTIVE),
        "Familiehuset Syd",
        date(2025, 9, 1),
    ),
    (
        "DUBU-2025-0058",
        "Freja",
        date(2017, 6, 2),
        (MeasureType.PREVENTIVE, MeasureCategory.EARLY_PREVENTIVE),
        "Familiehuset Syd",
        date(2026, 2, 15),
    ),
    (
        "DUBU-2025-0203",
        "Ali",
        date(2009, 12, 30),
        (MeasureType.INSTITUTION, MeasureCategory.PLACEMENT_WITHOUT_CONSENT),
        "Ungehuset Skovly",
        date(2026, 4, 1),
    ),
)


def demo_logins() -> list[DemoLogin]:
    return [DemoLogin(role.value, username, password) for role, username, _, password in DEMO_STAFF]


def load_demo(engine: Engine, now: datetime | None = None) -> bool:
    """Create the demo municipality unless it exists; True if it was created now."""
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        if session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).first():
            return False
        mun = _create(session)
        _load_demo_rounds(session, mun, now)
        _load_demo_notification(session, mun, now)
        _load_demo_sessions(session, mun, now)
        _load_demo_history(session, mun, now)
        load_demo_calibration(
            session,
            mun,
            _instrument_id(session, "kl-boern-familie"),
            {role.value: username for role, username, _, _ in DEMO_STAFF},
            now,
        )
        _load_demo_cadence(session, mun, now)
    # Statistics for the planner, as after the generator: with none, PostgreSQL plans the
    # reports' joins over the history as if the tables were empty (minutes, not ms), and
    # SQLite picks the wrong one of two indexes led by the municipality.
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return True


#: Children with a generated history beside the four above, so that the leader's pages
#: show real figures (and, with groups this small, suppressed cells too).
DEMO_HISTORY_CHILDREN = 120
DEMO_HISTORY_YEARS = 3


def _load_demo_history(session: Session, mun: Municipality, now: datetime) -> None:
    from service.generator.run import catalogue_forms, demo_history
    from service.generator.simulate import Tenant

    assert mun.id is not None
    team = session.exec(select(Team)).one()
    caseworker = session.exec(select(StaffUser).where(StaffUser.role == StaffRole.CASEWORKER)).one()
    demo_history(
        session,
        Tenant(
            municipality_id=mun.id,
            code=mun.code,
            procedure=mun.procedure,
            first_follow_up_months=mun.first_follow_up_months,
            interval_months=mun.interval_months,
            forms=catalogue_forms(session, "kl"),
            password_hash="",
            children=DEMO_HISTORY_CHILDREN,
            years=DEMO_HISTORY_YEARS,
            as_of=now.date(),
            new_teams=1,
            teams=((team.id or 0, (caseworker.id or 0,)),),
            taken_provider_names=frozenset(name for name, _, _ in DEMO_PROVIDERS),
            ref_prefix="DEMO",
        ),
    )


def _create(session: Session) -> Municipality:
    mun = create_municipality(session, name="Demo Kommune", code=DEMO_CODE, procedure=Procedure.KL1)
    assert mun.id is not None
    mid = mun.id
    tenancy.bind_session(session, mid)
    set_instruments_in_use(session, mid, DEMO_INSTRUMENTS)
    team = Team(municipality_id=mid, name="Børn og Familie, Team Syd")
    session.add(team)
    session.flush()
    staff = {}
    for role, username, name, password in DEMO_STAFF:
        staff[role] = create_staff(
            session,
            None,
            StaffCreate(
                username=username,
                full_name=name,
                email=username,
                role=role,
                team_id=None if role is StaffRole.ADMINISTRATOR else team.id,
                password=password,
            ),
            municipality_id=mid,
            is_demo=True,
        )
    create_client(
        session,
        None,
        ClientCreate(name="DUBU (demo)", scopes=list(Scope)),
        municipality_id=mid,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        is_demo=True,
    )
    providers = {}
    for name, kind, email in DEMO_PROVIDERS:
        provider = Provider(municipality_id=mid, name=name, kind=kind, email=email)
        session.add(provider)
        providers[name] = provider
    session.flush()
    caseworker = staff[StaffRole.CASEWORKER]
    for ref, display_name, born, (measure_type, category), provider_name, start in DEMO_CHILDREN:
        case = Case(
            municipality_id=mid,
            external_ref=ref,
            display_name=display_name,
            birth_date=born,
            birth_year=born.year,
            caseworker_id=caseworker.id or 0,
            team_id=team.id,
            status=CaseStatus.ACTIVE,
        )
        session.add(case)
        session.flush()
        session.add(
            Measure(
                municipality_id=mid,
                case_id=case.id or 0,
                type=measure_type,
                category=category,
                provider_id=providers[provider_name].id,
                start_date=start,
            )
        )
    session.flush()
    return mun


# --- rounds: a history of two completed rounds, one collecting, one at the meeting ------

#: Emma's official scores, three rounds: (score, goal). Her intake was scored on the Århus
#: form (0-4, 0 best, one familieforhold); then the municipality moved to KL's form (1-5,
#: 1 best, the relations to mother, father and siblings apart). Her series crosses the
#: mapping: the relations start anew, the shared factors read on the 1-5 scale.
EMMA_FORMS = ("aarhus-boern-familie", "kl-boern-familie", "kl-boern-familie")
EMMA_ROUNDS: tuple[dict[str, tuple[int, int]], ...] = (
    {
        "udvikling_adfaerd": (4, 3),
        "familieforhold": (3, 2),
        "skoleforhold": (4, 3),
        "sundhedsforhold": (2, 1),
        "fritid_venskaber": (3, 2),
        "selvhjulpenhed": (2, 1),
        "tilknytning": (3, 2),
        "kriminalitet": (0, 0),
    },
    {
        "udvikling_adfaerd": (4, 3),
        "relation_mor": (3, 2),
        "relation_far": (4, 3),
        "relation_soeskende": (2, 2),
        "skoleforhold": (4, 2),
        "sundhedsforhold": (2, 2),
        "fritid_venskaber": (3, 2),
        "selvhjulpenhed": (2, 1),
        "tilknytning": (3, 2),
        "kriminalitet": (3, 2),
    },
    {
        "udvikling_adfaerd": (3, 2),
        "relation_mor": (3, 2),
        "relation_far": (4, 3),
        "relation_soeskende": (4, 3),
        "skoleforhold": (2, 2),
        "sundhedsforhold": (2, 2),
        "fritid_venskaber": (2, 1),
        "selvhjulpenhed": (1, 1),
        "tilknytning": (2, 2),
        "kriminalitet": (1, 1),
    },
)
#: Days before now that each of Emma's completed rounds opened: intake, three months later,
#: six months after that.
EMMA_STARTS = (450, 360, 180)
#: How the teacher and the foster mother saw it each time: offsets from the official score.
EMMA_INFORMANT_OFFSETS = {
    "school": (1, 0, 0, 0, 1, 0, -1, 0, 0, 0),
    "provider": (0, -1, 0, 0, 0, 0, 0, 0, -1, 0),
}
#: Where the foster mother saw it otherwise than the caseworker, by round: at the first
#: follow-up she found school going two points better (they part, and meet at the next
#: round); at the second, leisure two points worse (they part). The two compasses show it.
EMMA_PROVIDER_ROUNDS: dict[int, dict[str, int]] = {
    1: {"skoleforhold": -2},
    2: {"fritid_venskaber": 2},
}
#: How Emma and her mother saw it in the family dialogue: their own series, kept apart.
EMMA_FAMILY_OFFSETS = {
    InformantRole.CHILD: (-1, -1, 0, 0, -1, 0, -1, 0, -1, 0),
    InformantRole.MOTHER: (0, 0, 0, 0, 0, -1, 0, 0, 0, 0),
}
#: How Emma's grandmother (the family's network) saw it in the newest round's dialogue.
EMMA_NETWORK_OFFSETS = (-1, 0, 0, 0, -1, 0, -1, 0, 0, 0)
#: The factors the offsets above follow, in order (KL's form; familieforhold as the mother).
EMMA_OFFSET_KEYS = (*EMMA_ROUNDS[1], "familieforhold")


def _offsets(offsets: tuple[int, ...], keys: list[str]) -> list[int]:
    """An informant's offsets for the factors of the round's form."""
    by_key = dict(zip(EMMA_OFFSET_KEYS, (*offsets, offsets[1]), strict=True))
    return [by_key[k] for k in keys]


#: What the meeting decided after each of Emma's completed rounds.
EMMA_DECISIONS = (
    (DecisionOutcome.CONTINUE, "Plejefamilien er det rette sted; vi følger op om tre måneder."),
    (
        DecisionOutcome.ADJUST,
        "Kriminalitet er steget: plejefamilien får støtte fra en familiebehandler i skolen.",
    ),
    (DecisionOutcome.CONTINUE, "Fremgang i skole og fritid; indsatsen fortsætter uændret."),
)

DEMO_MOTHER = "Lene Jensen"
#: Noah at the meeting: three informants who see him differently (kl-unge).
NOAH_SCORES = {
    "caseworker": (3, 3, 2, 2, 3, 2, 3, 3, 1, 1),
    "school": (4, 3, 2, 2, 5, 2, 4, 3, 1, 1),
    "psychologist": (2, 2, 2, 3, 3, 1, 2, 2, 1, 1),
}
# Names, not titles: the role says what they are ("Kære Jonas Kirk", not "Kære Lærer ...").
DEMO_INFORMANT_NAME = "Jonas Kirk"
DEMO_FOSTER_MOTHER = "Hanne Holm"
DEMO_GRANDMOTHER = "Inger Jensen"
DEMO_NAMES = {
    InformantRole.SCHOOL: DEMO_INFORMANT_NAME,
    InformantRole.PROVIDER: DEMO_FOSTER_MOTHER,
    InformantRole.NETWORK: DEMO_GRANDMOTHER,
}


def _demo_actor(session: Session, mun: Municipality) -> Actor:
    from service.auth.actor import ROLE_SCOPES
    from service.models.audit import ActorKind

    user = session.exec(select(StaffUser).where(StaffUser.username == DEMO_STAFF[0][1])).one()
    return Actor(
        kind=ActorKind.STAFF,
        id=user.id or 0,
        municipality_id=mun.id or 0,
        label=user.full_name,
        role=user.role,
        team_id=user.team_id,
        scopes=ROLE_SCOPES[user.role],
    )


def _instrument_id(session: Session, key: str) -> int:
    instrument = session.exec(
        select(Instrument).where(Instrument.key == key, col(Instrument.municipality_id).is_(None))
    ).one()
    return instrument.id or 0


def _entries(
    keys: list[str], values: tuple[int, ...] | list[int], scale_max: int, scale_min: int = 1
) -> list[ScoreEntry]:
    return [
        ScoreEntry(factor_key=k, score=max(scale_min, min(scale_max, v)), comment="")
        for k, v in zip(keys, values, strict=True)
    ]


def _informant(
    session: Session, actor: Actor, round_id: int, role: InformantRole, name: str, now: datetime
) -> int:
    informant = informants.add_informant(
        session,
        actor,
        round_id,
        InformantCreate(role=role, name=name, email=f"{role.value}@example.org"),
        now=now,
    )
    return informant.id or 0


def _everyone_came(session: Session, actor: Actor, round_id: int, at: datetime) -> None:
    """The caseworker records that everyone expected at the meeting came."""
    there = meeting.get_attendance(session, actor, round_id, Gathering.MEETING)
    present = [a.informant_id for a in there.items]
    meeting.record_attendance(
        session, actor, round_id, AttendanceWrite(gathering=Gathering.MEETING, present=present), at
    )


def _load_demo_rounds(session: Session, mun: Municipality, now: datetime) -> None:
    tenancy.bind_session(session, mun.id)
    actor = _demo_actor(session, mun)
    cases = {c.display_name: c for c in session.exec(select(Case)).all()}
    kl_bf = _instrument_id(session, "kl-boern-familie")
    emma = cases["Emma"]
    # The Århus form was in use when Emma's case began.
    set_instruments_in_use(session, mun.id or 0, [*DEMO_INSTRUMENTS, EMMA_FORMS[0]])
    for n, official in enumerate(EMMA_ROUNDS):
        keys = list(official)
        low, high = (0, 4) if EMMA_FORMS[n].startswith("aarhus") else (1, 5)
        start = now - timedelta(days=EMMA_STARTS[n])
        rnd = rounds.open_round(
            session,
            actor,
            emma.id or 0,
            RoundCreate(
                instrument_id=_instrument_id(session, EMMA_FORMS[n]),
                due_at=start + timedelta(days=14),
            ),
            start,
        )
        if n == 0:
            set_instruments_in_use(session, mun.id or 0, DEMO_INSTRUMENTS)
        rid = rnd.id or 0
        own = session.exec(select(Informant).where(Informant.round_id == rid)).one()
        scored = [(own.id or 0, [v for v, _ in official.values()])]
        # The provider scores from the first follow-up on (KL: a new provider only meets).
        for role in [InformantRole.SCHOOL] + ([InformantRole.PROVIDER] if n else []):
            name = DEMO_NAMES[role]
            shift = _offsets(EMMA_INFORMANT_OFFSETS[role.value], keys)
            if role is InformantRole.PROVIDER:
                apart = EMMA_PROVIDER_ROUNDS.get(n, {})
                shift = [d + apart.get(k, 0) for k, d in zip(keys, shift, strict=True)]
            values = [v + d for (v, _), d in zip(official.values(), shift, strict=True)]
            scored.insert(0, (_informant(session, actor, rid, role, name, now), values))
        for informant_id, values in scored:  # everyone added first: the last one closes the step
            submissions.save_on_behalf(
                session,
                actor,
                rid,
                informant_id,
                _entries(keys, values, high, low),
                submit=True,
                now=start,
            )
        at = start + timedelta(days=16)
        if rnd.state is RoundState.COLLECTING:
            rounds.transition(
                session, actor, rid, TransitionRequest(event=RoundEvent.CLOSE_COLLECTION), at
            )
        official_scores.set_official_scores(
            session,
            actor,
            rnd,
            emma,
            mun,
            OfficialScoresWrite(
                scores=[
                    OfficialScoreWrite(factor_key=k, score=s, goal=g, rationale="Drøftet på mødet.")
                    for k, (s, g) in official.items()
                ]
            ),
            at,
        )
        if n == len(EMMA_ROUNDS) - 1:
            # Her newest round's meeting was a family council (familierådslagning).
            meeting_kind.set_meeting_kind(
                session, actor, rid, MeetingKindWrite(kind=MeetingKind.FAMILY_COUNCIL), at
            )
        _everyone_came(session, actor, rid, at)
        rounds.transition(
            session, actor, rid, TransitionRequest(event=RoundEvent.FINISH_CONSENSUS), at
        )
        # The family dialogue: Emma and her mother score with the caseworker; in the newest
        # round her grandmother, from the family's own network, scores there too.
        family = dict(EMMA_FAMILY_OFFSETS)
        if n == len(EMMA_ROUNDS) - 1:
            family[InformantRole.NETWORK] = EMMA_NETWORK_OFFSETS
        for role, offsets in family.items():
            name = {InformantRole.CHILD: "Emma", InformantRole.NETWORK: DEMO_GRANDMOTHER}.get(
                role, DEMO_MOTHER
            )
            values = [
                v + d for (v, _), d in zip(official.values(), _offsets(offsets, keys), strict=True)
            ]
            submissions.save_on_behalf(
                session,
                actor,
                rid,
                _informant(session, actor, rid, role, name, now),
                _entries(keys, values, high, low),
                submit=True,
                now=at,
            )
        rounds.transition(
            session,
            actor,
            rid,
            TransitionRequest(
                event=RoundEvent.FINISH_FAMILY_DIALOGUE,
                reason="Emma og plejeforældrene deltog i samtalen.",
            ),
            at,
        )
    # The first follow-up's flags (kriminalitet fell two points) were looked into and signed
    # off; the latest round's (among them the relation to her siblings) are still open.
    emma_flags = flags.list_flags(session, actor, emma.id or 0)
    first_flagged = min(f.round_id for f in emma_flags)
    for flag in emma_flags:
        if flag.round_id == first_flagged:
            flags.sign_off(
                session,
                actor,
                emma.id or 0,
                flag.id or 0,
                "Talt med Emma og plejefamilien: en enkeltstående episode, som er fulgt op.",
                now - timedelta(days=300),
            )
    # What each of Emma's completed rounds led to, at the meeting, on her foster care.
    placement = session.exec(select(Measure).where(Measure.case_id == emma.id)).first()
    emma_rounds = session.exec(
        select(ScoringRound)
        .where(ScoringRound.case_id == emma.id, ScoringRound.state == RoundState.COMPLETED)
        .order_by(col(ScoringRound.completed_at))
    ).all()
    for done, (outcome, reason) in zip(emma_rounds, EMMA_DECISIONS, strict=True):
        assert done.completed_at is not None
        decisions.record_decision(
            session,
            actor,
            done.id or 0,
            DecisionWrite(
                outcome=outcome,
                measure_id=placement.id if placement else None,
                reason=reason,
                decided_on=done.completed_at.astimezone(LOCAL_TIME).date(),
            ),
            done.completed_at,
        )
    # Emma's third round collects scores now: the teacher's link is printed at start.
    rnd = rounds.open_round(
        session,
        actor,
        emma.id or 0,
        RoundCreate(
            instrument_id=kl_bf,
            due_at=now + timedelta(days=10),
            meeting_at=now + timedelta(days=12),
        ),
        now,
    )
    _informant(session, actor, rnd.id or 0, InformantRole.SCHOOL, DEMO_INFORMANT_NAME, now)
    _informant(session, actor, rnd.id or 0, InformantRole.PROVIDER, DEMO_FOSTER_MOTHER, now)
    # Noah's first round is at the consensus meeting, with divergent scores.
    kl_unge = _instrument_id(session, "kl-unge")
    noah = cases["Noah"]
    start = now - timedelta(days=16)
    rnd = rounds.open_round(
        session,
        actor,
        noah.id or 0,
        RoundCreate(
            instrument_id=kl_unge,
            due_at=now - timedelta(days=2),
            meeting_at=now + timedelta(hours=2),
        ),
        start,
    )
    rid = rnd.id or 0
    unge_keys = [
        f.key
        for f in session.exec(
            select(InstrumentFactor)
            .where(InstrumentFactor.instrument_id == kl_unge)
            .order_by(col(InstrumentFactor.position))
        ).all()
    ]
    own = session.exec(select(Informant).where(Informant.round_id == rid)).one()
    noah_scores = [
        (_informant(session, actor, rid, InformantRole.SCHOOL, "Mette Lund", now), "school"),
        (
            _informant(session, actor, rid, InformantRole.PSYCHOLOGIST, "Ole Berg", now),
            "psychologist",
        ),
        (own.id or 0, "caseworker"),
    ]
    for informant_id, key in noah_scores:
        submissions.save_on_behalf(
            session,
            actor,
            rid,
            informant_id,
            _entries(unge_keys, NOAH_SCORES[key], 5),
            submit=True,
            now=start,
        )
    if rnd.state is RoundState.COLLECTING:
        rounds.transition(
            session, actor, rid, TransitionRequest(event=RoundEvent.CLOSE_COLLECTION), now
        )


# --- Kolding's way: a child whose case starts at a notification ----------------------

#: The child, the notification's age in days, and who made it.
DEMO_NOTIFIED = ("DUBU-2026-0611", "Sofie", date(2017, 5, 2), 50)
#: Sofie's first round: the official (score, goal) per factor of KL's form.
SOFIE_OFFICIAL = {
    "udvikling_adfaerd": (3, 2),
    "relation_mor": (3, 2),
    "relation_far": (2, 2),
    "relation_soeskende": (2, 2),
    "skoleforhold": (4, 2),
    "sundhedsforhold": (3, 2),
    "fritid_venskaber": (3, 2),
    "selvhjulpenhed": (2, 2),
    "tilknytning": (2, 2),
    "kriminalitet": (1, 1),
}
#: Sofie's plan (SØM), after Kolding's example: situation, desired solution, means, the actor
#: (a participant's role, or None for a service), external resources, the factors served,
#: and the status at the follow-up round with the caseworker's note.
SOFIE_PLAN: tuple[
    tuple[str, str, str, InformantRole | None, str, str, list[str], RowStatus, str], ...
] = (
    (
        "Sofie kommer i skole uden madpakke og er sulten til frokost.",
        "At hun bliver mæt og kan koncentrere sig.",
        "En madmakker, og en madpakke smurt i skolen de dage, hjemmet ikke når det.",
        InformantRole.SCHOOL,
        "Klasselærer Hanne Lund",
        "Penge til brød og pålæg.",
        ["skoleforhold", "sundhedsforhold"],
        RowStatus.UNDER_WAY,
        "Madpakken kommer hjemmefra fire dage om ugen nu.",
    ),
    (
        "Sofie er træt og kommer for sent, når mor har det dårligt.",
        "At Sofie bliver passet på og kommer i skole til tiden.",
        "En tryghedsfamilie, hvor Sofie kan sove, når mor har det skidt.",
        InformantRole.NETWORK,
        "Mormor Inger Holm",
        "Penge til mad og transport hos mormor.",
        ["relation_mor", "udvikling_adfaerd"],
        RowStatus.DONE,
        "Aftalen holder: Sofie har sovet hos mormor fem gange.",
    ),
    (
        "Sofie har ingen venner uden for skolen.",
        "At hun har noget at gå til og en ven at gå med.",
        "En fritidsaktivitet og en kontaktperson de første gange.",
        None,
        "Fritidsvejledningen",
        "Kontingent til gymnastik.",
        ["fritid_venskaber"],
        RowStatus.NOT_STARTED,
        "Holdet starter efter vinterferien.",
    ),
)


def _load_demo_notification(session: Session, mun: Municipality, now: datetime) -> None:
    """Sofie's case from the school's notification 50 days ago (Kolding's way): the help
    started at once (a § 30 measure), the first round dated from the notification was done
    in ten days, the plan (SØM) made from it the day after, within its 14 days, and the
    follow-up for the outcome checkpoint at about two months follows the plan's rows; the
    collaboration level and concern are set from the situation."""
    tenancy.bind_session(session, mun.id)
    actor = _demo_actor(session, mun)
    ref, name, born, days = DEMO_NOTIFIED
    day_zero = now - timedelta(days=days)
    received = day_zero.astimezone(LOCAL_TIME).date()
    team = session.exec(select(Team)).one()
    case = Case(
        municipality_id=mun.id or 0,
        external_ref=ref,
        display_name=name,
        birth_date=born,
        birth_year=born.year,
        caseworker_id=actor.id,
        team_id=team.id,
        status=CaseStatus.ACTIVE,
        created_at=day_zero,
    )
    session.add(case)
    session.flush()
    case_id = case.id or 0
    session.add(
        Measure(
            municipality_id=mun.id or 0,
            case_id=case_id,
            type=MeasureType.PREVENTIVE,
            category=MeasureCategory.EARLY_PREVENTIVE,
            description="Familierådslagning og en madmakker i skolen",
            start_date=received,
        )
    )
    made = notifications.create(
        session,
        actor,
        case_id,
        NotificationCreate(
            received_on=received,
            source=NotificationSource.SCHOOL,
            note="Klasselæreren er bekymret: Sofie kommer uden madpakke og er ofte træt.",
        ),
        day_zero,
    )
    kl_bf = _instrument_id(session, "kl-boern-familie")
    rnd = notifications.open_baseline_round(
        session,
        actor,
        case_id,
        made.id or 0,
        BaselineRoundCreate(instrument_id=kl_bf, draft=False),
        day_zero,
    )
    _sofie_first_round(session, actor, mun, case, rnd, day_zero + timedelta(days=7))
    for kind, value, note in (
        (LevelKind.COLLABORATION, 2, "Skolen og familierådgivningen koordinerer."),
        (LevelKind.CONCERN, 2, "Ud fra underretningen og samtalen med mor."),
    ):
        levels.set_level(
            session,
            actor,
            case_id,
            CaseLevelCreate(kind=kind, value=value, note=note),
            day_zero + timedelta(days=10),
        )
    rows = [
        plan.add_row(
            session,
            actor,
            case_id,
            PlanRowCreate(
                situation=situation,
                desired_solution=desired,
                means=means,
                actor_role=role,
                actor_name=who,
                external_resources=external,
                factor_keys=keys,
            ),
            day_zero + timedelta(days=11),
        )
        for situation, desired, means, role, who, external, keys, _, _ in SOFIE_PLAN
    ]
    start = now - timedelta(days=5)
    follow_up = rounds.open_round(
        session,
        actor,
        case_id,
        RoundCreate(instrument_id=kl_bf, due_at=now + timedelta(days=7)),
        start,
    )
    _informant(session, actor, follow_up.id or 0, InformantRole.SCHOOL, "Hanne Lund", start)
    for row, (*_, status, note) in zip(rows, SOFIE_PLAN, strict=True):
        plan.set_status(
            session,
            actor,
            follow_up.id or 0,
            row.id,
            PlanStatusWrite(status=status, note=note),
            start,
        )


def _sofie_first_round(
    session: Session,
    actor: Actor,
    mun: Municipality,
    case: Case,
    rnd: ScoringRound,
    at: datetime,
) -> None:
    """Sofie's first round, from the answers to the family's dialogue: the teacher and the
    caseworker score, the meeting sets the goals, Sofie and her mother score with the
    caseworker afterwards."""
    rid = rnd.id or 0
    keys = list(SOFIE_OFFICIAL)
    own = session.exec(select(Informant).where(Informant.round_id == rid)).one()
    teacher = _informant(session, actor, rid, InformantRole.SCHOOL, "Hanne Lund", at)
    official = [s for s, _ in SOFIE_OFFICIAL.values()]
    school = [
        min(5, v + (1 if k == "skoleforhold" else 0)) for k, v in zip(keys, official, strict=True)
    ]
    for informant_id, values in ((teacher, school), (own.id or 0, official)):
        submissions.save_on_behalf(
            session, actor, rid, informant_id, _entries(keys, values, 5), submit=True, now=at
        )
    meeting_at = at + timedelta(days=3)
    if rnd.state is RoundState.COLLECTING:
        rounds.transition(
            session, actor, rid, TransitionRequest(event=RoundEvent.CLOSE_COLLECTION), meeting_at
        )
    official_scores.set_official_scores(
        session,
        actor,
        rnd,
        case,
        mun,
        OfficialScoresWrite(
            scores=[
                OfficialScoreWrite(factor_key=k, score=s, goal=g, rationale="Drøftet på mødet.")
                for k, (s, g) in SOFIE_OFFICIAL.items()
            ]
        ),
        meeting_at,
    )
    meeting_kind.set_meeting_kind(
        session, actor, rid, MeetingKindWrite(kind=MeetingKind.FAMILY_COUNCIL), meeting_at
    )
    _everyone_came(session, actor, rid, meeting_at)
    rounds.transition(
        session, actor, rid, TransitionRequest(event=RoundEvent.FINISH_CONSENSUS), meeting_at
    )
    for role, who in ((InformantRole.CHILD, "Sofie"), (InformantRole.MOTHER, "Camilla Holm")):
        submissions.save_on_behalf(
            session,
            actor,
            rid,
            _informant(session, actor, rid, role, who, meeting_at),
            _entries(keys, official, 5),
            submit=True,
            now=meeting_at,
        )
    if rnd.state is RoundState.FAMILY_DIALOGUE:
        rounds.transition(
            session,
            actor,
            rid,
            TransitionRequest(
                event=RoundEvent.FINISH_FAMILY_DIALOGUE,
                reason="Sofie og hendes mor deltog i samtalen.",
            ),
            meeting_at,
        )


def _actor_of(session: Session, mun: Municipality, role: StaffRole) -> Actor:
    from service.auth.actor import ROLE_SCOPES
    from service.models.audit import ActorKind

    username = next(name for r, name, _, _ in DEMO_STAFF if r is role)
    user = session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    return Actor(
        kind=ActorKind.STAFF,
        id=user.id or 0,
        municipality_id=mun.id or 0,
        label=user.full_name,
        role=user.role,
        team_id=user.team_id,
        scopes=ROLE_SCOPES[user.role],
    )


def _long_term_foster_care(session: Session, caseworker: Actor) -> Case | None:
    """A child of the demo caseworker's in foster care, whose latest round is completed and
    none under way: the standard's typical deviation."""
    cases = session.exec(
        select(Case)
        .join(Measure, col(Measure.case_id) == col(Case.id))
        .where(
            Measure.type == MeasureType.FOSTER_CARE,
            col(Measure.end_date).is_(None),
            Case.status == CaseStatus.ACTIVE,
            Case.caseworker_id == caseworker.id,
            Case.team_id == caseworker.team_id,
        )
        .order_by(col(Measure.start_date), col(Case.id))
    ).all()
    for case in cases:
        states = session.exec(
            select(ScoringRound.state).where(ScoringRound.case_id == case.id)
        ).all()
        if RoundState.COMPLETED in states and all(s in FINAL_STATES for s in states):
            return case
    return None


def _load_demo_cadence(session: Session, mun: Municipality, now: datetime) -> None:
    """Herning's written cadence standard adopted; a child in long-term foster care followed
    up less often than it says, with the team leader's approval; and Emma's foster family
    asking for a follow-up, not yet answered."""
    tenancy.bind_session(session, mun.id)
    cadence_standards.adopt(
        session, _actor_of(session, mun, StaffRole.ADMINISTRATOR), ShippedKey.HERNING, now
    )
    caseworker = _actor_of(session, mun, StaffRole.CASEWORKER)
    settled = _long_term_foster_care(session, caseworker)
    if settled is not None:
        rnd = cadence_deviations.latest_completed(session, settled.id or 0)
        due = max(cadence_deviations.standard_due(session, rnd), now.date())
        deviation = cadence_deviations.plan(
            session,
            caseworker,
            settled,
            due + relativedelta(months=3),
            DeviationReason.LONG_TERM_FOSTER_CARE,
            "Barnet har boet i plejefamilien i flere år og trives; besøg hver tredje måned "
            "bryder hverdagen mere, end de giver.",
            now,
        )
        cadence_deviations.decide(
            session,
            _actor_of(session, mun, StaffRole.TEAM_LEADER),
            deviation.id or 0,
            DeviationDecision(approve=True, note="Enig; vi følger op ved tegn på forandring."),
            now,
        )
    emma = session.exec(select(Case).where(Case.external_ref == DEMO_CHILDREN[0][0])).one()
    follow_up_requests.create(
        session,
        caseworker,
        emma.id or 0,
        FollowUpRequestCreate(
            provider_name="Plejefamilien Holm",
            provider_email="holm@demo.konsensus.dk",
            reason="Emma er begyndt at blive hjemme fra skole; vi vil gerne tale om det snart.",
        ),
        now,
    )


def reissue_demo_link(
    engine: Engine, keyring: Keyring, now: datetime, base_url: str | None = None
) -> str | None:
    """A fresh personal link for the demo teacher (only its hash is stored, so each start
    issues a new one and the previous one stops working)."""
    with session_scope(engine) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).first()
        if mun is None:
            return None
        tenancy.bind_session(session, mun.id)
        informant = session.exec(
            select(Informant)
            .join(ScoringRound, col(ScoringRound.id) == col(Informant.round_id))
            .where(
                Informant.role == InformantRole.SCHOOL,
                ScoringRound.state == RoundState.COLLECTING,
            )
            .order_by(col(Informant.id))
        ).first()
        if informant is None:
            return None
        actor = _demo_actor(session, mun)
        _, token = informants.issue_link(
            session,
            actor,
            informant.round_id,
            informant.id or 0,
            LinkRequest(),
            keyring,
            now,
            base_url=base_url,
        )
        return token


def reissue_family_link(engine: Engine, keyring: Keyring, now: datetime) -> str | None:
    """A fresh link for Emma's mother in Emma's newest completed round: it shows her the
    family's result (each start issues a new one; the previous one stops working)."""
    with session_scope(engine) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).first()
        if mun is None:
            return None
        tenancy.bind_session(session, mun.id)
        informant = session.exec(
            select(Informant)
            .join(ScoringRound, col(ScoringRound.id) == col(Informant.round_id))
            .where(Informant.name == DEMO_MOTHER, ScoringRound.state == RoundState.COMPLETED)
            .order_by(col(ScoringRound.completed_at).desc())
        ).first()
        if informant is None:
            return None
        actor = _demo_actor(session, mun)
        _, token = informants.issue_link(
            session, actor, informant.round_id, informant.id or 0, LinkRequest(), keyring, now
        )
        return token


def demo_meeting_round(engine: Engine) -> int | None:
    """Noah's round, at the consensus meeting in the demo."""
    with session_scope(engine, write=False) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).first()
        if mun is None:
            return None
        tenancy.bind_session(session, mun.id)
        found = session.exec(
            select(ScoringRound.id)
            .join(Case, col(Case.id) == col(ScoringRound.case_id))
            .where(
                Case.external_ref == DEMO_CHILDREN[1][0],
                ScoringRound.state == RoundState.CONSENSUS,
            )
        ).first()
        return found


# --- session forms: Noah's series of short forms with Familiehuset Syd ---------------------

#: Noah's answers, week by week up to a few days ago: the outcome form's four lines (myself,
#: family, school and daily life, overall) and the alliance form's (heard, what I wanted, the
#: way we worked, overall). Things get better at home before they do at school.
NOAH_SESSIONS: tuple[tuple[tuple[int, int, int, int], tuple[int, int, int, int] | None], ...] = (
    ((3, 2, 3, 3), (6, 5, 6, 6)),
    ((3, 3, 3, 3), (7, 6, 6, 7)),
    ((4, 3, 2, 3), (7, 7, 6, 7)),
    ((4, 4, 3, 4), None),
    ((5, 4, 3, 4), (8, 7, 7, 8)),
    ((4, 5, 3, 4), (8, 8, 7, 8)),
    ((5, 5, 4, 5), (8, 7, 8, 8)),
    ((6, 6, 4, 5), (9, 8, 8, 9)),
    ((5, 6, 5, 5), (8, 8, 8, 8)),
    ((6, 7, 5, 6), (9, 9, 8, 9)),
    ((7, 7, 5, 6), (9, 8, 9, 9)),
    ((7, 7, 6, 7), (9, 9, 9, 9)),
)
DEMO_SESSION_CHILD = "Noah"


def _noah(session: Session) -> tuple[Case, Measure]:
    case = session.exec(select(Case).where(Case.external_ref == DEMO_CHILDREN[1][0])).one()
    measure = session.exec(select(Measure).where(Measure.case_id == case.id)).one()
    return case, measure


def _load_demo_sessions(session: Session, mun: Municipality, now: datetime) -> None:
    """Noah answers before and after each weekly session, through a standing link whose
    token was never kept: `konsensus dev` issues him a fresh one at each start."""
    import secrets

    from service.models.session_form import SessionLink
    from service.schemas.sessions import AnswerItem, SessionAnswerWrite
    from service.usecases.sessions import answers
    from service.usecases.sessions.links import HeldLink
    from service.workflow.sessions import ITEMS, LinkHolder, SessionForm

    case, measure = _noah(session)
    actor = _demo_actor(session, mun)
    first = now - timedelta(weeks=len(NOAH_SESSIONS), days=-4)
    link = SessionLink(
        municipality_id=mun.id or 0,
        case_id=case.id or 0,
        measure_id=measure.id or 0,
        holder=LinkHolder.YOUNG_PERSON,
        label=DEMO_SESSION_CHILD,
        token_hash=secrets.token_hex(32),
        key_id="demo",
        issued_at=first - timedelta(days=1),
        issued_by=actor.audit_id,
        issued_by_label=actor.label,
    )
    session.add(link)
    session.flush()
    held = HeldLink(link, measure, case)
    for week, (outcome, alliance) in enumerate(NOAH_SESSIONS):
        # Each session at 15:00 Danish time on its day, so that both forms of one session fall
        # on its date whatever the hour the demo is loaded (at 22:30 in summer, an hour later
        # was the next day, and the series showed each form as a session of its own).
        day = (first + timedelta(weeks=week)).astimezone(LOCAL_TIME).date()
        on = datetime.combine(day, time(15), tzinfo=LOCAL_TIME).astimezone(UTC)
        for form, values, later in (
            (SessionForm.OUTCOME, outcome, timedelta(0)),
            (SessionForm.ALLIANCE, alliance, timedelta(hours=1)),
        ):
            if values is None:
                continue  # he left before answering how the session went
            body = SessionAnswerWrite(
                form=form,
                answers=[
                    AnswerItem(item=item, value=value)
                    for item, value in zip(ITEMS[form], values, strict=True)
                ],
                submission_key=secrets.token_urlsafe(12),
            )
            answers.record(session, held, body, on + later, None)


def reissue_session_links(
    engine: Engine, keyring: Keyring, now: datetime
) -> tuple[str, str] | None:
    """Fresh standing links for Noah and for Familiehuset Syd (the earlier demo ones are
    closed): his form, and the provider's view of his series."""
    from service.schemas.sessions import SessionLinkCreate
    from service.usecases.sessions import links
    from service.workflow.sessions import LinkHolder

    with session_scope(engine) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).first()
        if mun is None:
            return None
        tenancy.bind_session(session, mun.id)
        actor = _demo_actor(session, mun)
        case, measure = _noah(session)
        issued, _ = links.list_links(session, actor, case.id or 0, _ALL, now)
        for old in issued:
            if old.active:
                links.revoke(session, actor, case.id or 0, old.id, now)
        tokens = [
            links.issue(
                session,
                actor,
                case.id or 0,
                SessionLinkCreate(measure_id=measure.id or 0, holder=holder, label=label),
                keyring,
                now,
            )[3]
            for holder, label in (
                (LinkHolder.YOUNG_PERSON, DEMO_SESSION_CHILD),
                (LinkHolder.PROVIDER, DEMO_CHILDREN[1][4]),
            )
        ]
        return tokens[0], tokens[1]
