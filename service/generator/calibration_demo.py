"""The demo's calibration: two vignettes of fictitious children in the terms of KL's form for
children and families (1-5, 1 best), each with the municipality's reference and why; one
exercise closed three weeks ago with its answers, and one open that the demo caseworker has
still to score.

The children, their families and every detail are made up for practice; no real case lies
behind them.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from service.auth.actor import ROLE_SCOPES, Actor
from service.models.audit import ActorKind
from service.models.municipality import Municipality, Team
from service.models.staff import StaffRole, StaffUser
from service.schemas.calibration import (
    AnswerWrite,
    CalibrationScoreEntry,
    ExerciseCreate,
    ReferenceEntry,
    VignetteCreate,
)
from service.schemas.municipality import StaffCreate
from service.usecases.administration.municipality import create_staff
from service.usecases.calibration import exercises, vignettes

FORM = "kl-boern-familie"
KEYS = (
    "udvikling_adfaerd",
    "relation_mor",
    "relation_far",
    "relation_soeskende",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
)

MATHILDE_TITLE = "Mathilde, 10 år, i plejefamilie"
MATHILDE = "\n\n".join(
    (
        (
            "Mathilde er 10 år og har boet i plejefamilie i halvandet år. Hun kom i pleje efter "
            "en periode, hvor mor drak meget og ofte ikke var hjemme om aftenen."
        ),
        (
            "Mathilde går i 4. klasse på den lokale skole. Lærerne beskriver en pige, der gerne "
            "vil gøre det godt. Hun har svært ved at koncentrere sig efter frikvartererne og "
            "bliver ked af det, når noget ændrer sig uden varsel. Hun læser et år under "
            "klassetrin og får hjælp af en læsevejleder to gange om ugen. Hun har næsten intet "
            "fravær."
        ),
        (
            "Mathilde ser sin mor hver anden weekend på en café med en støtteperson til stede. "
            "Efter samværet er hun ofte urolig og sover dårligt et par nætter. Sin far har hun "
            "ikke set, siden hun var fem. Hun har en halvbror på 14, som bor hos sin far. De ses "
            "sjældent, men skriver sammen på telefonen."
        ),
        (
            "I plejefamilien er hun glad for plejemor og søger trøst hos hende, når hun er ked af"
            " det. Hun går til håndbold og har en fast veninde i klassen. Hun klarer selv "
            "morgenrutinen, men glemmer tit madpakke og idrætstøj. Der er ingen bekymring for "
            "kriminalitet."
        ),
    )
)

MATHILDE_REFERENCE: tuple[tuple[int | None, str], ...] = (
    (
        3,
        "Uro og koncentrationsbesvær både i skolen og efter samvær. "
        "Det kræver målrettet støtte flere steder.",
    ),
    (3, "Samværet er fast, men det belaster Mathilde. Relationen er præget af usikkerhed."),
    (5, "Ingen kontakt i fem år. Skalaens 5 beskriver netop ingen relation til far."),
    (2, "Sparsom, men god kontakt til halvbroren."),
    (3, "Hun læser et år under klassetrin og får særlig støtte. Fraværet trækker ikke ned."),
    (2, "Søvnproblemer i perioder efter samvær. Ellers ingen bekymring."),
    (1, "Fast fritidsaktivitet og en fast veninde."),
    (2, "Klarer morgenrutinen, men glemmer ting, som jævnaldrende husker."),
    (2, "Søger trøst hos plejemor. Bliver usikker ved uventede skift."),
    (1, "Ingen bekymring."),
)

OSKAR_TITLE = "Oskar, 3 år, hjemme med familiebehandling"
OSKAR = "\n\n".join(
    (
        (
            "Oskar er 3 år og bor hjemme hos sin mor. Familien har haft familiebehandling i fire "
            "måneder. Den startede, efter at vuggestuen lavede en underretning: Oskar kom ofte "
            "sulten og i for tyndt tøj, og han sagde næsten ingenting."
        ),
        (
            "Mor er 22 år og har svært ved at skabe faste rammer. Hun siger selv, at hun bliver "
            "overvældet, når Oskar græder. Familiebehandleren kommer to gange om ugen og arbejder"
            " med måltider, sengetider og leg."
        ),
        (
            "Oskar er startet i børnehave. Pædagogerne fortæller, at han nu siger enkelte ord, "
            "men taler markant mindre end de andre børn. Han er henvist til en talepædagog. Han "
            "leger mest alene og bliver vred, når andre børn tager hans ting. Han har haft mange "
            "mellemørebetændelser og mangler den sidste vaccination."
        ),
        (
            "Oskar søger mor, når han er bange, men bliver ikke altid trøstet. Over for "
            "pædagogerne er han tilbageholdende og lader sig først trøste efter lang tid. Han kan"
            " spise selv, men skal have hjælp til at tage tøj på og har ble både dag og nat."
        ),
        (
            "Far bor i en anden by. Mor siger, at han ser Oskar en gang imellem. Hverken "
            "familiebehandleren eller børnehaven har talt med ham. Oskar har ingen søskende."
        ),
    )
)

OSKAR_REFERENCE: tuple[tuple[int | None, str], ...] = (
    (3, "Sproget er tydeligt forsinket, og vreden over for andre børn kræver voksenstøtte."),
    (3, "Mor er der, men trøster ikke altid. Det er det, familiebehandlingen arbejder med."),
    (
        None,
        "Ingen af dem, der kender Oskar, har talt med far. Det kan ikke vurderes ud fra teksten.",
    ),
    (1, "Ingen søskende. Skalaens 1 gælder også, når der ingen søskende er."),
    (2, "Han trives overvejende i børnehaven. Sproget hører under udvikling og adfærd."),
    (
        3,
        "Gentagne mellemørebetændelser og en manglende vaccination. "
        "Opfølgningen sker ikke af sig selv.",
    ),
    (3, "Leger mest alene og kommer i konflikt med de andre børn."),
    (2, "Spiser selv. Han har brug for lidt mere hjælp end de fleste 3-årige."),
    (3, "Tegn på utryg tilknytning: han søger mor, men trøstes ikke altid."),
    (1, "Ikke en bekymring i den alder."),
)

#: The closed exercise's answers: (who, scores); the demo caseworker and leader are two of them.
MATHILDE_ANSWERS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("caseworker", (2, 3, 5, 2, 3, 2, 1, 2, 2, 1)),
    ("team_leader", (3, 3, 4, 2, 3, 1, 1, 2, 2, 1)),
    ("Peter Pedersen", (3, 4, 5, 3, 3, 2, 1, 3, 3, 1)),
    ("Maja Madsen", (2, 3, 5, 2, 4, 2, 1, 2, 2, 1)),
)
#: The open exercise: two colleagues have answered; the demo's caseworker and leader have not.
OSKAR_ANSWERS: tuple[tuple[str, tuple[int | None, ...]], ...] = (
    ("Peter Pedersen", (3, 3, None, 1, 2, 3, 3, 2, 3, 1)),
    ("Maja Madsen", (4, 3, None, 1, 3, 3, 3, 2, 4, 1)),
)
COLLEAGUES = ("Peter Pedersen", "Maja Madsen")


def _actor(user: StaffUser) -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=user.id or 0,
        municipality_id=user.municipality_id,
        label=user.full_name,
        role=user.role,
        team_id=user.team_id,
        scopes=ROLE_SCOPES[user.role],
    )


def _references(
    keys: tuple[str, ...], reference: tuple[tuple[int | None, str], ...]
) -> list[ReferenceEntry]:
    return [
        ReferenceEntry(factor_key=k, score=v, cannot_assess=v is None, rationale=why)
        for k, (v, why) in zip(keys, reference, strict=True)
    ]


def _answer(values: tuple[int | None, ...]) -> AnswerWrite:
    return AnswerWrite(
        scores=[
            CalibrationScoreEntry(factor_key=k, score=v, cannot_assess=v is None)
            for k, v in zip(KEYS, values, strict=True)
        ]
    )


def load_demo_calibration(
    session: Session,
    mun: Municipality,
    instrument_id: int,
    logins: dict[str, str],
    now: datetime,
) -> None:
    """The vignettes, two colleagues in a second team, and the two exercises; `logins` gives
    the demo's username by role (caseworker, team_leader, administrator)."""
    mid = mun.id or 0
    staff = {
        role: session.exec(select(StaffUser).where(StaffUser.username == username)).one()
        for role, username in logins.items()
    }
    team = Team(municipality_id=mid, name="Børn og Familie, Team Nord")
    session.add(team)
    session.flush()
    for name in COLLEAGUES:
        username = name.split()[0].lower() + "@demo.konsensus.dk"
        staff[name] = create_staff(
            session,
            None,
            StaffCreate(
                username=username,
                full_name=name,
                email=username,
                role=StaffRole.CASEWORKER,
                team_id=team.id,
                password=secrets.token_urlsafe(24),
            ),
            municipality_id=mid,
            is_demo=True,
        )
    admin = _actor(staff[StaffRole.ADMINISTRATOR.value])
    invited = [staff[who].id or 0 for who in ("caseworker", "team_leader", *COLLEAGUES)]
    earlier = now - timedelta(days=35)
    for title, story, reference, answers, opened, closes in (
        (
            MATHILDE_TITLE,
            MATHILDE,
            MATHILDE_REFERENCE,
            MATHILDE_ANSWERS,
            earlier,
            now - timedelta(days=21),
        ),
        (OSKAR_TITLE, OSKAR, OSKAR_REFERENCE, OSKAR_ANSWERS, now, now + timedelta(days=10)),
    ):
        vignette = vignettes.create_vignette(
            session,
            admin,
            VignetteCreate(
                instrument_id=instrument_id,
                title=title,
                story=story,
                references=_references(KEYS, reference),
            ),
        )
        exercise = exercises.open_exercise(
            session,
            admin,
            ExerciseCreate(
                vignette_id=vignette.id or 0,
                title=f"Fælles kalibrering: {title.split(',')[0]}",
                closes_at=closes,
                staff_ids=invited,
            ),
            opened,
        )
        for who, values in answers:
            exercises.submit_answer(
                session, _actor(staff[who]), exercise.id or 0, _answer(values), opened
            )
