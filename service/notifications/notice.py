"""What an informant is told in the link, the invitation, the reminders and the receipt: who
will see the answers and when, and the rights. The words come from the workflow's
derivation (`service/workflow/disclosure.py`); this module only gathers the round's facts."""

from __future__ import annotations

from service.models.case import Case
from service.models.municipality import Municipality
from service.models.round import Informant, ScoringRound
from service.models.staff import StaffUser
from service.schemas.rounds import InformantNotice
from service.workflow import disclosure


def situation(
    rnd: ScoringRound, informant: Informant, municipality: Municipality
) -> disclosure.Situation:
    return disclosure.Situation(
        procedure=rnd.procedure,
        variant=rnd.variant,
        step=informant.step,
        role=informant.role,
        policy=municipality.collection_close,
    )


def contact(
    case: Case, caseworker: StaffUser | None, municipality: Municipality
) -> disclosure.Contact:
    return disclosure.Contact(
        child=case.display_name,
        caseworker=caseworker.full_name if caseworker else "",
        municipality=municipality.name,
        email=caseworker.email if caseworker else None,
    )


def informant_notice(
    rnd: ScoringRound,
    case: Case,
    caseworker: StaffUser | None,
    municipality: Municipality,
    informant: Informant,
) -> InformantNotice:
    where = situation(rnd, informant, municipality)
    whom = contact(case, caseworker, municipality)
    return InformantNotice(
        who_sees_da=disclosure.who_sees(where, "da", whom),
        who_sees_en=disclosure.who_sees(where, "en", whom),
        rights_da=disclosure.rights(where, "da", whom),
        rights_en=disclosure.rights(where, "en", whom),
    )
