"""What an informant is told: who will see the answers and when, and the informant's rights.

Every sentence is derived from the procedure's table (who scores when, who meets, who the
family talks with), the round's variant, the informant's step and role, and the
municipality's closing policy, so that no link, invitation or reminder promises more than the
procedure keeps (`002` l.840-865: who may see what must be clear to every participant;
`000`: rights in every link, in words a child reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.wording import genitive
from service.workflow.collection import CollectionClose
from service.workflow.procedures import (
    PROCEDURES,
    Consensus,
    InformantStep,
    Procedure,
    informant_step,
)
from service.workflow.roles import InformantRole
from service.workflow.states import Variant


class Language(StrEnum):
    DA = "da"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Situation:
    """Where an informant stands in a round: enough to say truthfully who sees what, when."""

    procedure: Procedure
    variant: Variant
    step: InformantStep
    role: InformantRole
    policy: CollectionClose

    @classmethod
    def of(
        cls, procedure: Procedure, variant: Variant, role: InformantRole, policy: CollectionClose
    ) -> Situation:
        """The situation of an informant with `role`, at the step the procedure gives it."""
        step = informant_step(PROCEDURES[procedure], variant, role)
        return cls(procedure, variant, step, role, policy)

    @property
    def for_child(self) -> bool:
        return self.role is InformantRole.CHILD


@dataclass(frozen=True, slots=True)
class Contact:
    """Whom the informant asks: the case's caseworker at the municipality."""

    child: str
    caseworker: str
    municipality: str
    email: str | None = None


# --- the words ------------------------------------------------------------------------
# Each table is keyed by what the procedure decides; `{child}` is the child's display name.

#: The groups of people, as an adult reads them and as the child reads them, in the order
#: they are named. A role belongs to the first group that holds it.
_GROUPS: tuple[tuple[frozenset[InformantRole], dict[Language, str], dict[Language, str]], ...] = (
    (
        frozenset({InformantRole.CASEWORKER}),
        {Language.DA: "sagsbehandleren", Language.EN: "the caseworker"},
        {Language.DA: "din sagsbehandler", Language.EN: "your caseworker"},
    ),
    (
        frozenset(
            {
                InformantRole.SCHOOL,
                InformantRole.DAYCARE,
                InformantRole.PSYCHOLOGIST,
                InformantRole.OTHER_PROFESSIONAL,
            }
        ),
        {
            Language.DA: "de andre fagpersoner (fx skole, dagtilbud, psykolog)",
            Language.EN: "the other professionals (such as school, daycare, psychologist)",
        },
        {
            Language.DA: "andre voksne, der kender dig (fx fra skolen)",
            Language.EN: "other grown-ups who know you (for example from school)",
        },
    ),
    (
        frozenset({InformantRole.PROVIDER}),
        {Language.DA: "leverandøren af indsatsen", Language.EN: "the provider of the support"},
        {
            Language.DA: "dem, der hjælper dig til daglig",
            Language.EN: "the people who help you every day",
        },
    ),
    (
        frozenset({InformantRole.MOTHER, InformantRole.FATHER}),
        {Language.DA: "forældrene", Language.EN: "the parents"},
        {Language.DA: "dine forældre", Language.EN: "your parents"},
    ),
    (
        frozenset({InformantRole.NETWORK}),
        {
            Language.DA: "familiens netværk (fx bedsteforældre, naboer eller en træner)",
            Language.EN: "the family's network (such as grandparents, neighbours or a coach)",
        },
        {
            Language.DA: "andre, du kender godt (fx dine bedsteforældre eller din træner)",
            Language.EN: "other people who know you well (like your grandparents or your coach)",
        },
    ),
    (
        frozenset({InformantRole.CHILD}),
        {Language.DA: "{child}", Language.EN: "{child}"},
        {Language.DA: "dig", Language.EN: "you"},
    ),
)

_AND = {Language.DA: "og", Language.EN: "and"}

_ALONE = {
    Language.DA: "Du svarer alene. Ingen ser dine svar, og du ser ikke de andres, før "
    "indsamlingen er lukket.",
    Language.EN: "You answer on your own. Nobody sees your answers, and you do not see the "
    "others', until the collection is closed.",
}
_ALONE_CHILD = {
    Language.DA: "Først svarer du alene. Ingen ser dine svar, før {closing}.",
    Language.EN: "First you answer on your own. Nobody sees your answers until {closing}.",
}

#: When the independent step closes, by the municipality's policy.
_CLOSING: dict[CollectionClose, dict[Language, str]] = {
    CollectionClose.ALL_SUBMITTED: {
        Language.DA: "Indsamlingen lukker, når alle de spurgte har svaret, eller før, hvis "
        "sagsbehandleren lukker den.",
        Language.EN: "The collection closes when everyone asked has answered, or earlier if "
        "the caseworker closes it.",
    },
    CollectionClose.DUE_DATE: {
        Language.DA: "Indsamlingen lukker ved svarfristen, eller før, hvis sagsbehandleren "
        "lukker den.",
        Language.EN: "The collection closes at the deadline, or earlier if the caseworker "
        "closes it.",
    },
    CollectionClose.ALL_SUBMITTED_OR_DUE_DATE: {
        Language.DA: "Indsamlingen lukker, når alle de spurgte har svaret, eller ved "
        "svarfristen, hvis den kommer først, eller før, hvis sagsbehandleren lukker den.",
        Language.EN: "The collection closes when everyone asked has answered or at the "
        "deadline, whichever comes first, or earlier if the caseworker closes it.",
    },
    CollectionClose.MANUAL: {
        Language.DA: "Indsamlingen lukker, når sagsbehandleren lukker den.",
        Language.EN: "The collection closes when the caseworker closes it.",
    },
}
_CLOSING_CHILD: dict[CollectionClose, dict[Language, str]] = {
    CollectionClose.ALL_SUBMITTED: {
        Language.DA: "alle har svaret, eller sagsbehandleren lukker for svar",
        Language.EN: "everyone has answered, or your caseworker stops the answering",
    },
    CollectionClose.DUE_DATE: {
        Language.DA: "tiden til at svare er gået, eller sagsbehandleren lukker for svar",
        Language.EN: "the time to answer is over, or your caseworker stops the answering",
    },
    CollectionClose.ALL_SUBMITTED_OR_DUE_DATE: {
        Language.DA: "alle har svaret, tiden til at svare er gået, eller sagsbehandleren "
        "lukker for svar",
        Language.EN: "everyone has answered, the time to answer is over, or your caseworker "
        "stops the answering",
    },
    CollectionClose.MANUAL: {
        Language.DA: "sagsbehandleren lukker for svar",
        Language.EN: "your caseworker stops the answering",
    },
}

#: Step 2, by how the official score is set.
_AFTER: dict[Consensus, dict[Language, str]] = {
    Consensus.MEETING: {
        Language.DA: "Derefter ser {audience} alle svar side om side på et møde, også dine. "
        "Er I uenige, fastsætter sagsbehandleren den officielle vurdering og de officielle mål.",
        Language.EN: "Then {audience} see all the answers side by side at a meeting, yours "
        "included. Where you disagree, the caseworker sets the official assessment and goals.",
    },
    Consensus.CASEWORKER_ALONE: {
        Language.DA: "Derefter ser sagsbehandleren alle svar og fastsætter alene den officielle "
        "vurdering og de officielle mål. Der holdes intet møde, og de andre, der har svaret, "
        "ser ikke dine svar i runden.",
        Language.EN: "Then the caseworker sees all the answers and alone sets the official "
        "assessment and goals. There is no meeting, and the others who answered do not see "
        "yours in the round.",
    },
}
_AFTER_CHILD: dict[Consensus, dict[Language, str]] = {
    Consensus.MEETING: {
        Language.DA: "Bagefter mødes du med {audience}, og I ser alle svarene sammen, også "
        "dine. Er I uenige, er det sagsbehandleren, der bestemmer, hvad der bliver det fælles "
        "svar.",
        Language.EN: "Afterwards you meet {audience}, and you all look at the answers "
        "together, yours too. If you disagree, your caseworker decides what the shared answer "
        "will be.",
    },
    Consensus.CASEWORKER_ALONE: {
        Language.DA: "Bagefter ser din sagsbehandler alle svarene og bestemmer, hvad der bliver "
        "det fælles svar.",
        Language.EN: "Afterwards your caseworker looks at all the answers and decides what the "
        "shared answer will be.",
    },
}
_AFTER_MEETING_WITHOUT_CHILD_FOR_CHILD = {
    Language.DA: "Bagefter ser {audience} alle svarene, også dine, og sagsbehandleren "
    "bestemmer, hvad der bliver det fælles svar.",
    Language.EN: "Afterwards {audience} look at all the answers, yours too, and your caseworker "
    "decides what the shared answer will be.",
}

#: Trin 4 (KL 2): the provider is told the result.
_TOLD_RESULT = {
    Language.DA: "Bagefter får du besked om den officielle vurdering og de officielle mål.",
    Language.EN: "Afterwards you are told the official assessment and goals.",
}
_INFORMED = {
    Language.DA: "Du scorer ikke selv. Når sagsbehandleren har fastsat den officielle "
    "vurdering og de officielle mål, får du besked om dem. De enkeltes svar ser du ikke.",
    Language.EN: "You do not score yourself. When the caseworker has set the official "
    "assessment and goals, you are told them. You do not see the individual answers.",
}

#: Trin 3 (KL 1, 2): the family scores in dialogue, after the official score is set.
_DIALOGUE = {
    Language.DA: "Du giver din vurdering og dine mål i en samtale med {audience}, efter at "
    "den officielle vurdering er fastsat.",
    Language.EN: "You give your assessment and your goals in a conversation with {audience}, "
    "after the official assessment has been set.",
}
_DIALOGUE_CHILD = {
    Language.DA: "Du svarer sammen med {audience}.",
    Language.EN: "You answer together with {audience}.",
}
_PRESENTS = {
    Language.DA: "I samtalen fortæller sagsbehandleren, hvilken vurdering og hvilke mål "
    "sagsbehandleren er kommet frem til.",
    Language.EN: "In the conversation the caseworker tells you the assessment and goals the "
    "caseworker has set.",
}
_PRESENTS_CHILD = {
    Language.DA: "Din sagsbehandler fortæller dig også, hvad de voksne er kommet frem til.",
    Language.EN: "Your caseworker also tells you what the grown-ups have decided.",
}
_SEEN_AT_ONCE = {
    Language.DA: "{audience} ser dine svar med det samme.",
    Language.EN: "{audience} see your answers straight away.",
}
_SEEN_AT_ONCE_ONE = {
    Language.DA: "{audience} ser dine svar med det samme.",
    Language.EN: "{audience} sees your answers straight away.",
}
_SEEN_AT_ONCE_CHILD = {
    Language.DA: "De ser dine svar med det samme.",
    Language.EN: "They see your answers straight away.",
}

_MEETING_ONLY = {
    Language.DA: "Du scorer ikke på forhånd. Du deltager i mødet, hvor du ser alle svar side "
    "om side.",
    Language.EN: "You do not score beforehand. You take part in the meeting, where you see "
    "all the answers side by side.",
}

_KEPT = {
    Language.DA: "Dine svar gemmes i {child_s} sag i kommunen. Hvor de afviger fra den "
    "officielle vurdering, gemmes de som en note ved siden af den.",
    Language.EN: "Your answers are kept in {child_s} case at the municipality. Where they "
    "differ from the official assessment, they are kept as a note beside it.",
}
_KEPT_CHILD = {
    Language.DA: "Dine svar bliver gemt i din sag hos kommunen, også hvis de voksne ser "
    "anderledes på det.",
    Language.EN: "Your answers are kept in your case at the municipality, even if the "
    "grown-ups see things differently.",
}

#: Who else reads the answers, beyond the round's own people: the team leader, the case file
#: (the round's report is journalised) and the case system the municipality connects, the
#: parents' right of access to the case file (partsaktindsigt, which holds over time), and the
#: statistics of disagreement by role. A summary that stays true in every procedure.
_READERS = {
    Language.DA: "Sagsbehandlerens leder kan også se dine svar. Rapporten fra runden lægges på "
    "sagen, også i kommunens sagssystem, hvis det er koblet på. Forældrene har ret til "
    "aktindsigt i sagen og kan derfor senere se dine svar. Uden dit navn indgår svarene i "
    "kommunens statistik over uenighed mellem fx skole, forældre og sagsbehandler.",
    Language.EN: "The caseworker's team leader can also see your answers. The round's report is "
    "filed in the case, also in the municipality's case system if one is connected. The parents "
    "have a right of access to the case file (partsaktindsigt), so they may later see your "
    "answers. Without your name, the answers count in the municipality's statistics of "
    "disagreement between, for example, school, parents and caseworker.",
}
_READERS_CHILD = {
    Language.DA: "Din sagsbehandlers chef kan også se dine svar, og dine forældre må bede om at "
    "læse din sag. Kommunen tæller også svarene sammen uden dit navn for at lære af dem.",
    Language.EN: "Your caseworker's boss can also see your answers, and your parents may ask to "
    "read your case. The municipality also counts answers together, without your name, to "
    "learn from them.",
}

_RIGHTS = {
    Language.DA: "Vurderingen er ikke en afgørelse om {child}. Den bruges til at følge op på "
    "støtten til {child} og målene i barnets plan (barnets lov § 91). Afgørelser om støtte "
    "træffer kommunen efter barnets lov. Hver afgørelse fortæller, hvordan du kan klage over "
    "den til Ankestyrelsen. Du har ret til "
    "at se de oplysninger, kommunen har om dig, og til at få forkerte oplysninger rettet. Du "
    "kan klage over kommunens behandling af dine oplysninger til kommunen eller til "
    "Datatilsynet. Har du spørgsmål, så kontakt {caseworker}, {municipality}{email}.",
    Language.EN: "This assessment is not a decision about {child}. It is used to follow up "
    "on the support for {child} and the goals in the child's plan (barnets plan, § 91 of the "
    "Danish Children's Act). Decisions about support are made by the municipality under the "
    "Children's Act (barnets lov). Each decision tells you how to complain about it to the "
    "National Social Appeals Board (Ankestyrelsen). You have the right to see the "
    "information the municipality holds about you and to have wrong information corrected. "
    "You can complain about how the municipality handles your information to the "
    "municipality or to the Danish Data Protection Agency (Datatilsynet). If you have "
    "questions, contact {caseworker}, {municipality}{email}.",
}
_RIGHTS_CHILD = {
    Language.DA: "Dine svar er ikke en beslutning om dig. De hjælper de voksne med at forstå, "
    "hvordan du har det, og hvad der kan hjælpe dig. Det er kommunen, der beslutter, hvilken "
    "hjælp du får, og du må altid sige, hvis du er uenig. Du må også bede om at se, hvad "
    "kommunen har skrevet om dig. Du kan altid spørge {caseworker} om det hele{email}. Vil du "
    "tale med en voksen, der ikke er fra kommunen, kan du ringe eller skrive til "
    "Børnetelefonen hos Børns Vilkår på 116 111. Det er gratis. Synes du, at kommunen ikke "
    "gør det rigtige, kan du skrive til Børnekontoret hos Folketingets Ombudsmand. De hjælper "
    "børn.",
    Language.EN: "Your answers are not a decision about you. They help the grown-ups "
    "understand how you are and what could help you. The municipality decides what help you "
    "get, and you can always say if you disagree. You may also ask to see what the "
    "municipality has written about you. You can always ask {caseworker} about all of it"
    "{email}. If you want to talk to a grown-up who is not from the municipality, you can "
    "call or write to Børnetelefonen, the children's helpline of Børns Vilkår, on 116 111. It "
    "is free. If you think the municipality is not doing the right thing, you can write to "
    "Børnekontoret, the children's office of the Parliamentary Ombudsman (Folketingets "
    "Ombudsmand). They help children.",
}
_EMAIL = {Language.DA: " ({email})", Language.EN: " ({email})"}


# --- deriving the text ----------------------------------------------------------------


def _names(roles: frozenset[InformantRole], language: Language, *, child_words: bool) -> list[str]:
    names = []
    for members, adult, child in _GROUPS:
        if roles & members:
            names.append((child if child_words else adult)[language])
    return names


def _join(names: list[str], language: Language) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {_AND[language]} " + names[-1]


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def who_sees(situation: Situation, language: Language | str, contact: Contact) -> str:
    """Who will see the informant's answers, and when: one paragraph, true for this
    procedure, variant, step and closing policy."""
    lang = Language(language)
    spec = PROCEDURES[situation.procedure]
    step = situation.step
    child = situation.for_child
    parts: list[str] = []
    if step is InformantStep.INDEPENDENT:
        if child:
            parts.append(_ALONE_CHILD[lang].format(closing=_CLOSING_CHILD[situation.policy][lang]))
        else:
            parts.append(_ALONE[lang])
            parts.append(_CLOSING[situation.policy][lang])
        meeting = spec.meeting[situation.variant]
        if spec.consensus is Consensus.MEETING and child and InformantRole.CHILD in meeting:
            others = _names(meeting - {InformantRole.CHILD}, lang, child_words=True)
            parts.append(_AFTER_CHILD[Consensus.MEETING][lang].format(audience=_join(others, lang)))
        elif spec.consensus is Consensus.MEETING and child:
            audience = _join(_names(meeting, lang, child_words=True), lang)
            parts.append(_AFTER_MEETING_WITHOUT_CHILD_FOR_CHILD[lang].format(audience=audience))
        elif spec.consensus is Consensus.MEETING:
            audience = _join(_names(meeting, lang, child_words=False), lang)
            parts.append(_AFTER[Consensus.MEETING][lang].format(audience=audience))
        else:
            parts.append((_AFTER_CHILD if child else _AFTER)[spec.consensus][lang])
        if spec.informs_provider and situation.role is InformantRole.PROVIDER:
            parts.append(_TOLD_RESULT[lang])
    elif step is InformantStep.FAMILY:
        names = _names(spec.dialogue, lang, child_words=child)
        audience = _join(names, lang)
        parts.append((_DIALOGUE_CHILD if child else _DIALOGUE)[lang].format(audience=audience))
        if spec.consensus is Consensus.CASEWORKER_ALONE:
            parts.append((_PRESENTS_CHILD if child else _PRESENTS)[lang])
        if child and len(names) > 1:
            parts.append(_SEEN_AT_ONCE_CHILD[lang])
        else:
            seen = _SEEN_AT_ONCE if len(names) > 1 else _SEEN_AT_ONCE_ONE
            parts.append(_capitalized(seen[lang].format(audience=audience)))
    elif step is InformantStep.MEETING_ONLY:
        parts.append(_MEETING_ONLY[lang])
    else:  # InformantStep.INFORMED
        parts.append(_INFORMED[lang])
    if step in (InformantStep.INDEPENDENT, InformantStep.FAMILY):
        parts.append((_KEPT_CHILD if child else _KEPT)[lang])
        parts.append((_READERS_CHILD if child else _READERS)[lang])
    text = " ".join(parts).replace("{child_s}", genitive(contact.child, lang.value))
    return text.replace("{child}", contact.child)


def rights(situation: Situation, language: Language | str, contact: Contact) -> str:
    """The informant's rights: the scoring is not a decision, decisions are complained of to
    Ankestyrelsen, data-protection rights and Datatilsynet, and whom to ask; the child's in its
    own words, with where a child gets help outside the municipality (Børnetelefonen,
    Børnekontoret hos Folketingets Ombudsmand)."""
    lang = Language(language)
    text = (_RIGHTS_CHILD if situation.for_child else _RIGHTS)[lang]
    email = _EMAIL[lang].format(email=contact.email) if contact.email else ""
    return text.format(
        child=contact.child,
        caseworker=contact.caseworker,
        municipality=contact.municipality,
        email=email,
    )
