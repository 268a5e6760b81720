"""What an informant is told, for every procedure, variant, role and closing policy, in Danish
and English: the table below says, sentence by sentence, what each of them must read."""

from __future__ import annotations

import itertools

import pytest

from service.workflow.collection import CollectionClose as C
from service.workflow.disclosure import Contact, Situation, rights, who_sees
from service.workflow.procedures import InformantStep, Procedure
from service.workflow.roles import InformantRole as R
from service.workflow.states import Variant

CONTACT = Contact("Emma", "Sofie Holm", "Aarhus Kommune", "sofie@aarhus.example.dk")
FIRST, FOLLOW_UP = Variant.FIRST_TIME, Variant.FOLLOW_UP
ADULT_ROLES = [r for r in R if r is not R.CHILD]

ALONE = (
    "Du svarer alene. Ingen ser dine svar, og du ser ikke de andres, før indsamlingen er lukket.",
    "You answer on your own. Nobody sees your answers, and you do not see the others', until "
    "the collection is closed.",
)
CLOSING = {
    C.ALL_SUBMITTED: (
        "Indsamlingen lukker, når alle de spurgte har svaret, eller før, hvis sagsbehandleren "
        "lukker den.",
        "The collection closes when everyone asked has answered, or earlier if the caseworker "
        "closes it.",
    ),
    C.DUE_DATE: (
        "Indsamlingen lukker ved svarfristen, eller før, hvis sagsbehandleren lukker den.",
        "The collection closes at the deadline, or earlier if the caseworker closes it.",
    ),
    C.ALL_SUBMITTED_OR_DUE_DATE: (
        "Indsamlingen lukker, når alle de spurgte har svaret, eller ved svarfristen, hvis den "
        "kommer først, eller før, hvis sagsbehandleren lukker den.",
        "The collection closes when everyone asked has answered or at the deadline, whichever "
        "comes first, or earlier if the caseworker closes it.",
    ),
    C.MANUAL: (
        "Indsamlingen lukker, når sagsbehandleren lukker den.",
        "The collection closes when the caseworker closes it.",
    ),
}
CHILD_CLOSING = {
    C.ALL_SUBMITTED: (
        "alle har svaret, eller sagsbehandleren lukker for svar",
        "everyone has answered, or your caseworker stops the answering",
    ),
    C.DUE_DATE: (
        "tiden til at svare er gået, eller sagsbehandleren lukker for svar",
        "the time to answer is over, or your caseworker stops the answering",
    ),
    C.ALL_SUBMITTED_OR_DUE_DATE: (
        "alle har svaret, tiden til at svare er gået, eller sagsbehandleren lukker for svar",
        "everyone has answered, the time to answer is over, or your caseworker stops the answering",
    ),
    C.MANUAL: ("sagsbehandleren lukker for svar", "your caseworker stops the answering"),
}
# Step 2, as Tabel 1-3 give it: who meets (KL 1: the professionals plus the provider; KL 3:
# everyone), or the caseworker alone (KL 2), for both variants.
MEETING_KL1 = (
    "Derefter ser sagsbehandleren, de andre fagpersoner (fx skole, dagtilbud, psykolog) og "
    "leverandøren af indsatsen alle svar side om side på et møde, også dine. Er I uenige, "
    "fastsætter sagsbehandleren den officielle vurdering og de officielle mål.",
    "Then the caseworker, the other professionals (such as school, daycare, psychologist) and "
    "the provider of the support see all the answers side by side at a meeting, yours "
    "included. Where you disagree, the caseworker sets the official assessment and goals.",
)
MEETING_KL3 = (
    "Derefter ser sagsbehandleren, de andre fagpersoner (fx skole, dagtilbud, psykolog), "
    "leverandøren af indsatsen, forældrene og Emma alle svar side om side på et møde, også "
    "dine. Er I uenige, fastsætter sagsbehandleren den officielle vurdering og de officielle "
    "mål.",
    "Then the caseworker, the other professionals (such as school, daycare, psychologist), "
    "the provider of the support, the parents and Emma see all the answers side by side at a "
    "meeting, yours included. Where you disagree, the caseworker sets the official assessment "
    "and goals.",
)
ALONE_KL2 = (
    "Derefter ser sagsbehandleren alle svar og fastsætter alene den officielle vurdering og "
    "de officielle mål. Der holdes intet møde, og de andre, der har svaret, ser ikke dine svar "
    "i runden.",
    "Then the caseworker sees all the answers and alone sets the official assessment and "
    "goals. There is no meeting, and the others who answered do not see yours in the round.",
)
TOLD_KL2_PROVIDER = (
    "Bagefter får du besked om den officielle vurdering og de officielle mål.",
    "Afterwards you are told the official assessment and goals.",
)
CHILD_MEETING_KL3 = (
    "Bagefter mødes du med din sagsbehandler, andre voksne, der kender dig (fx fra skolen), "
    "dem, der hjælper dig til daglig og dine forældre, og I ser alle svarene sammen, også "
    "dine. Er I uenige, er det sagsbehandleren, der bestemmer, hvad der bliver det fælles "
    "svar.",
    "Afterwards you meet your caseworker, other grown-ups who know you (for example from "
    "school), the people who help you every day and your parents, and you all look at the "
    "answers together, yours too. If you disagree, your caseworker decides what the shared "
    "answer will be.",
)
# Trin 3 of KL 1 and 2: the family scores in dialogue, after the official score is set.
FAMILY = {
    Procedure.KL1: (
        "Du giver din vurdering og dine mål i en samtale med sagsbehandleren og leverandøren "
        "af indsatsen, efter at den officielle vurdering er fastsat. Sagsbehandleren og "
        "leverandøren af indsatsen ser dine svar med det samme.",
        "You give your assessment and your goals in a conversation with the caseworker and "
        "the provider of the support, after the official assessment has been set. The "
        "caseworker and the provider of the support see your answers straight away.",
    ),
    Procedure.KL2: (
        "Du giver din vurdering og dine mål i en samtale med sagsbehandleren, efter at den "
        "officielle vurdering er fastsat. I samtalen fortæller sagsbehandleren, hvilken "
        "vurdering og hvilke mål sagsbehandleren er kommet frem til. Sagsbehandleren ser "
        "dine svar med det samme.",
        "You give your assessment and your goals in a conversation with the caseworker, after "
        "the official assessment has been set. In the conversation the caseworker tells you "
        "the assessment and goals the caseworker has set. The caseworker sees your answers "
        "straight away.",
    ),
}
CHILD_FAMILY = {
    Procedure.KL1: (
        "Du svarer sammen med din sagsbehandler og dem, der hjælper dig til daglig. De ser "
        "dine svar med det samme.",
        "You answer together with your caseworker and the people who help you every day. They "
        "see your answers straight away.",
    ),
    Procedure.KL2: (
        "Du svarer sammen med din sagsbehandler. Din sagsbehandler fortæller dig også, hvad de "
        "voksne er kommet frem til. Din sagsbehandler ser dine svar med det samme.",
        "You answer together with your caseworker. Your caseworker also tells you what the "
        "grown-ups have decided. Your caseworker sees your answers straight away.",
    ),
}
MEETING_ONLY = (
    "Du scorer ikke på forhånd. Du deltager i mødet, hvor du ser alle svar side om side.",
    "You do not score beforehand. You take part in the meeting, where you see all the answers "
    "side by side.",
)
INFORMED = (
    "Du scorer ikke selv. Når sagsbehandleren har fastsat den officielle vurdering og de "
    "officielle mål, får du besked om dem. De enkeltes svar ser du ikke.",
    "You do not score yourself. When the caseworker has set the official assessment and "
    "goals, you are told them. You do not see the individual answers.",
)
KEPT = (
    "Dine svar gemmes i Emmas sag i kommunen. Hvor de afviger fra den officielle vurdering, "
    "gemmes de som en note ved siden af den.",
    "Your answers are kept in Emma's case at the municipality. Where they differ from the "
    "official assessment, they are kept as a note beside it.",
)
CHILD_KEPT = (
    "Dine svar bliver gemt i din sag hos kommunen, også hvis de voksne ser anderledes på det.",
    "Your answers are kept in your case at the municipality, even if the grown-ups see things "
    "differently.",
)

# Who else reads the answers: the team leader, the case file and the case system, the parents'
# access to the case file, and the statistics; the child's in its own words.
READERS = (
    "Sagsbehandlerens leder kan også se dine svar. Rapporten fra runden lægges på sagen, også "
    "i kommunens sagssystem, hvis det er koblet på. Forældrene har ret til aktindsigt i sagen "
    "og kan derfor senere se dine svar. Uden dit navn indgår svarene i kommunens statistik "
    "over uenighed mellem fx skole, forældre og sagsbehandler.",
    "The caseworker's team leader can also see your answers. The round's report is filed in "
    "the case, also in the municipality's case system if one is connected. The parents have a "
    "right of access to the case file (partsaktindsigt), so they may later see your answers. "
    "Without your name, the answers count in the municipality's statistics of disagreement "
    "between, for example, school, parents and caseworker.",
)
CHILD_READERS = (
    "Din sagsbehandlers chef kan også se dine svar, og dine forældre må bede om at læse din "
    "sag. Kommunen tæller også svarene sammen uden dit navn for at lære af dem.",
    "Your caseworker's boss can also see your answers, and your parents may ask to read your "
    "case. The municipality also counts answers together, without your name, to learn from "
    "them.",
)


def _expected(procedure: Procedure, variant: Variant, role: R, policy: C) -> tuple[str, str]:
    """What the informant must read, in Danish and English, from the tables above."""
    child = role is R.CHILD
    independent_family = procedure is Procedure.KL3
    first_provider = role is R.PROVIDER and variant is FIRST
    if first_provider and procedure is Procedure.KL2:
        parts = [INFORMED]
    elif first_provider:
        parts = [MEETING_ONLY]
    # The family's network scores in the family's step, and reads what the parents read.
    elif role in (R.MOTHER, R.FATHER, R.CHILD, R.NETWORK) and not independent_family:
        parts = [
            (CHILD_FAMILY if child else FAMILY)[procedure],
            CHILD_KEPT if child else KEPT,
            CHILD_READERS if child else READERS,
        ]
    elif child:
        alone = (
            f"Først svarer du alene. Ingen ser dine svar, før {CHILD_CLOSING[policy][0]}.",
            f"First you answer on your own. Nobody sees your answers until "
            f"{CHILD_CLOSING[policy][1]}.",
        )
        parts = [alone, CHILD_MEETING_KL3, CHILD_KEPT, CHILD_READERS]
    else:
        after = {Procedure.KL1: MEETING_KL1, Procedure.KL2: ALONE_KL2, Procedure.KL3: MEETING_KL3}
        parts = [ALONE, CLOSING[policy], after[procedure]]
        if procedure is Procedure.KL2 and role is R.PROVIDER:
            parts.append(TOLD_KL2_PROVIDER)
        parts += [KEPT, READERS]
    return " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)


CASES = list(itertools.product(Procedure, Variant, R, C))


@pytest.mark.parametrize(("procedure", "variant", "role", "policy"), CASES)
def test_who_sees_the_answers_and_when(
    procedure: Procedure, variant: Variant, role: R, policy: C
) -> None:
    situation = Situation.of(procedure, variant, role, policy)
    danish, english = _expected(procedure, variant, role, policy)
    assert who_sees(situation, "da", CONTACT) == danish
    assert who_sees(situation, "en", CONTACT) == english


@pytest.mark.parametrize(("procedure", "variant", "role", "policy"), CASES)
def test_nobody_is_promised_what_the_procedure_does_not_keep(
    procedure: Procedure, variant: Variant, role: R, policy: C
) -> None:
    situation = Situation.of(procedure, variant, role, policy)
    danish = who_sees(situation, "da", CONTACT)
    english = who_sees(situation, "en", CONTACT)
    # "until everyone has answered" is a policy, not a promise; never to the family of KL 1-2.
    if policy in (C.DUE_DATE, C.MANUAL) or situation.step is not InformantStep.INDEPENDENT:
        assert "alle de spurgte har svaret" not in danish
        assert "everyone asked has answered" not in english
    if situation.step is InformantStep.FAMILY:
        assert "alene" not in danish and "on your own" not in english
    if procedure is Procedure.KL2:  # Tabel 2 has no meeting
        assert "på et møde" not in danish and "mødet" not in danish
        assert "at a meeting" not in english and "the meeting" not in english


@pytest.mark.parametrize("role", ADULT_ROLES)
def test_the_rights_of_an_adult(role: R) -> None:
    situation = Situation.of(Procedure.KL1, FOLLOW_UP, role, C.ALL_SUBMITTED)
    assert rights(situation, "da", CONTACT) == (
        "Vurderingen er ikke en afgørelse om Emma. Den bruges til at følge op på støtten til "
        "Emma og målene i barnets plan (barnets lov § 91). Afgørelser om støtte træffer "
        "kommunen efter barnets lov. Hver afgørelse fortæller, hvordan du kan klage over den "
        "til Ankestyrelsen. Du har ret til at se de "
        "oplysninger, kommunen har om dig, og til at få forkerte oplysninger rettet. Du kan "
        "klage over kommunens behandling af dine oplysninger til kommunen eller til "
        "Datatilsynet. Har du spørgsmål, så kontakt Sofie Holm, Aarhus Kommune "
        "(sofie@aarhus.example.dk)."
    )
    assert rights(situation, "en", CONTACT).startswith(
        "This assessment is not a decision about Emma."
    )
    english = rights(situation, "en", CONTACT)
    assert "Danish Data Protection Agency" in english and "(Ankestyrelsen)" in english
    assert "(barnets plan, § 91 of the Danish Children's Act)" in english


def test_the_rights_of_the_child_in_its_own_words() -> None:
    situation = Situation.of(Procedure.KL3, FIRST, R.CHILD, C.ALL_SUBMITTED)
    no_email = Contact("Emma", "Sofie Holm", "Aarhus Kommune")
    assert rights(situation, "da", no_email) == (
        "Dine svar er ikke en beslutning om dig. De hjælper de voksne med at forstå, hvordan du "
        "har det, og hvad der kan hjælpe dig. Det er kommunen, der beslutter, hvilken hjælp du "
        "får, og du må altid sige, hvis du er uenig. Du må også bede om at se, hvad kommunen har "
        "skrevet om dig. Du kan altid spørge Sofie Holm om det hele. Vil du tale med en voksen, "
        "der ikke er fra kommunen, kan du ringe eller skrive til Børnetelefonen hos Børns "
        "Vilkår på 116 111. Det er gratis. Synes du, at kommunen ikke gør det rigtige, kan du "
        "skrive til Børnekontoret hos Folketingets Ombudsmand. De hjælper børn."
    )
    english = rights(situation, "en", no_email)
    assert english.startswith("Your answers are not a decision about you.")
    assert "Datatilsynet" not in english and "decision" in english
    assert "Børnetelefonen" in english and "116 111" in english and "Børnekontoret" in english


@pytest.mark.parametrize(
    ("child", "danish", "english"),
    [
        ("Lukas", "i Lukas' sag", "in Lukas' case"),
        ("Emma", "i Emmas sag", "in Emma's case"),
        ("Felix", "i Felix' sag", "in Felix's case"),
    ],
)
def test_the_childs_name_takes_the_possessive_of_each_language(
    child: str, danish: str, english: str
) -> None:
    """Not "Lukass sag": after s, x and z the Danish genitive is an apostrophe."""
    contact = Contact(child, "Sofie Holm", "Aarhus Kommune")
    situation = Situation.of(Procedure.KL3, Variant.FIRST_TIME, R.SCHOOL, C.MANUAL)
    assert danish in who_sees(situation, "da", contact)
    assert english in who_sees(situation, "en", contact)
