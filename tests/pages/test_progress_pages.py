"""The case page shows the child's series: the star and a line per factor, each beside a table
of the same numbers; a single round is labelled a snapshot. Across a change of form and scale
every earlier value reads on the newest scale, with the value as scored in brackets."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from service.clock import FrozenClock
from service.rendering.language import Translator
from service.rendering.progress import progress_view
from service.schemas.progress import (
    CaseProgress,
    FactorProgress,
    OfficialPoint,
    ProgressRound,
    ProgressScale,
)
from service.workflow.comparison import Crossing
from service.workflow.outcomes import NoOutcome
from service.workflow.procedures import Procedure
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd
from service.workflow.states import Variant
from tests.api.test_instrument_mappings import AARHUS_BF, KL_BF, _complete
from tests.factories import CW_A
from tests.pages.test_round_measures_page import login
from tests.rounds_helpers import complete_round, new_case, set_procedure
from tests.world import World

FIRST = [(3, 2), (2, 2), (4, 3), (1, 1), (0, 0), (2, 1), (3, 3), (None, None)]
SECOND = [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (2, 2), (3, 3), (None, None)]


async def test_case_page_shows_the_series_with_tables(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    await complete_round(
        client, world, clock, case_id, FIRST, {"child": [2, 1, 3, 0, 0, 1, 2, None]}
    )
    await login(client)
    page = (await client.get(f"/cases/{case_id}")).text
    assert "et øjebliksbillede, ikke en udvikling" in page
    await complete_round(
        client, world, clock, case_id, SECOND, {"child": [1, 1, 2, 0, 0, 1, 2, None]}
    )
    await login(client)  # the round took weeks of the clock: the staff session has ended
    page = (await client.get(f"/cases/{case_id}")).text
    assert "øjebliksbillede" not in page
    assert page.count('class="chart star-chart"') == 1
    assert page.count('class="chart line-chart"') == 8
    assert "Udvikling over tid" in page and "Udvikling og adfærd i tal" in page
    # The table beside the first factor's line: official 3 then 2, the goal met, the child's own.
    table = page.split("<caption>Udvikling og adfærd i tal</caption>")[1].split("</table>")[0]
    cells = [c.strip() for c in table.split("<td")]
    assert "Progressionsmål opfyldt" in table and "3</td>" in table and "2</td>" in table
    assert "1</td></tr>" in table  # the child's own second score
    assert len(cells) > 4


def _table(page: str, caption: str) -> str:
    """The table's markup, its cells without the labels they carry as cards on a phone."""
    table = page.split(f"<caption>{caption}</caption>")[1].split("</table>")[0]
    return re.sub(r'<td data-label="[^"]*">', "<td>", table)


async def _moved_to_kl(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> tuple[int, int]:
    """A case scored on the Århus form (0-4), then on KL's (1-5): familieforhold 3 with the
    goal 2, then the father relation 4 with the goal 3; udvikling 2 (goal 1), then 2."""
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    first = dict.fromkeys(AARHUS_BF, (1, 1)) | {
        "familieforhold": (3, 2),
        "udvikling_adfaerd": (2, 1),
    }
    await _complete(client, world, clock, case_id, "aarhus-boern-familie", first)
    second = dict.fromkeys(KL_BF, (2, 2)) | {"relation_far": (4, 3), "udvikling_adfaerd": (2, 2)}
    r2 = await _complete(client, world, clock, case_id, "kl-boern-familie", second)
    return case_id, int(r2["round_id"])


async def test_a_series_across_a_change_of_scale_reads_on_the_newest_scale(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """Earlier values on the newest scale with the value as scored in brackets, the scale of
    each round, the earlier factor named, and why a split factor has no outcome: on the case
    page and in the report, in Danish and in English."""
    case_id, r2 = await _moved_to_kl(client, world, clock)
    await login(client)
    pages = {
        "da": (await client.get(f"/cases/{case_id}")).text,
        "en": (await client.get(f"/cases/{case_id}", params={"lang": "en"})).text,
        "report": (
            await client.get(
                f"/api/v1/rounds/{r2}/report",
                params={"format": "html"},
                headers=world.headers(CW_A),
            )
        ).text,
    }
    words = {
        "da": ("Relation til far i tal", "Udvikling og adfærd i tal", "Alle faktorer i tal"),
        "en": ("Relationship with father in numbers", "Development and behaviour in numbers", ""),
    }
    said = {
        "da": (
            "Tidligere runder brugte en anden skala. Deres værdier vises på den nyeste skala "
            "(1–5) med den oprindelige værdi i parentes.",
            "Familieforhold (faktoren før skift af skema)",
            "ny faktor efter skift af skema (udskilt fra en tidligere faktor): nyt udgangspunkt",
        ),
        "en": (
            "Earlier rounds used another scale. Their values are shown on the newest scale "
            "(1–5), with the value as scored in brackets.",
            "Family relations (the factor before the change of form)",
            "new factor after a change of form (split from an earlier factor): a new baseline",
        ),
    }
    for name, page in pages.items():
        language = "en" if name == "en" else "da"
        father, development, star = words[language]
        if language == "en":
            star = "All factors in numbers"
        note, earlier, why = said[language]
        assert note in page, name
        table = _table(page, father)
        rows = table.split("<tr>")[2:]
        assert len(rows) == 2, name
        # Round 1: familieforhold 3 (goal 2) on 0-4 reads 4 (goal 3) on 1-5.
        assert earlier in rows[0] and "<td>0–4</td>" in rows[0], name
        assert "<td>4 (3)</td><td>3 (2)</td>" in rows[0], name
        assert "<td>1–5</td><td>4</td><td>3</td>" in rows[1], name
        assert why in rows[1], name
        assert "Ingen progression" not in table and "No progression" not in table, name
        dev = _table(page, development).split("<tr>")[2:]
        assert "<td>3 (2)</td><td>2 (1)</td>" in dev[0], name
        star_rows = _table(page, star)
        udvikling = "Udvikling og adfærd" if language == "da" else "Development and behaviour"
        row = star_rows.split(f'<th scope="row">{udvikling}</th>')[1].split("</tr>")[0]
        assert row.startswith("<td>3 (2)</td><td>2</td>"), (name, row)
    # The round's own page: the basis of udvikling's outcome, measured across the mapping.
    for language, basis in (
        ("da", "Sidst 3 (2) med mål 2 (1), nu 2."),
        ("en", "Last time 3 (2) with goal 2 (1), now 2."),
    ):
        page = (await client.get(f"/rounds/{r2}", params={"lang": language})).text
        assert basis in page, language


def test_the_familys_view_reads_on_the_newest_scale_in_plain_words() -> None:
    """The family's page draws with the same view, in its own words."""
    kl, aarhus = (
        ProgressScale(min=1, max=5, best_end=BestEnd.LOW),
        ProgressScale(min=0, max=4, best_end=BestEnd.LOW),
    )
    at = datetime(2026, 6, 1, tzinfo=UTC)

    def rnd(rid: int, scale: ProgressScale, key: str, crosses: Crossing | None) -> ProgressRound:
        return ProgressRound(
            round_id=rid,
            completed_at=at.replace(month=rid * 5),
            instrument_id=rid,
            instrument_key=key,
            instrument_version=1,
            instrument_name_da=key,
            instrument_name_en=key,
            scale=scale,
            procedure=Procedure.KL1,
            variant=Variant.FOLLOW_UP,
            compared_with_round_id=rid - 1 if rid > 1 else None,
            crosses=crosses,
            measures=[],
        )

    def point(rid: int, key: str, name: str, values: tuple[int, int, int, int]) -> OfficialPoint:
        return OfficialPoint(
            round_id=rid,
            factor_key=key,
            factor_name_da=name,
            factor_name_en=name,
            score=values[0],
            goal=values[1],
            score_on_newest_scale=values[2],
            goal_on_newest_scale=values[3],
            not_assessed=False,
            outcome=None,
            no_outcome=NoOutcome.NO_PREVIOUS_ROUND
            if rid == 1
            else NoOutcome.SPLIT_AFTER_FORM_CHANGE,
        )

    progress = CaseProgress(
        case_id=1,
        snapshot=False,
        rounds=[
            rnd(1, aarhus, "aarhus-boern-familie", None),
            rnd(2, kl, "kl-boern-familie", Crossing.MAPPING),
        ],
        factors=[
            FactorProgress(
                factor_key="relation_far",
                position=1,
                name_da="Relation til far",
                name_en="Relation to father",
                official=[
                    point(1, "familieforhold", "Familieforhold", (3, 2, 4, 3)),
                    point(2, "relation_far", "Relation til far", (4, 3, 4, 3)),
                ],
                spread=[],
                roles=[],
            )
        ],
        other_rounds=[],
    )
    for language, earlier, why in (
        ("da", "Familieforhold (det, vi spurgte om før)", "ny efter skift af skema"),
        ("en", "Familieforhold (what we asked about before)", "new after a change of form"),
    ):
        view = progress_view(
            progress,
            Translator(language),
            own_role=InformantRole.MOTHER,
            professionals=False,
            words="familyprogress",
        )
        assert view.scales_differ and view.newest_scale == "1–5"
        first, second = view.factors[0].rows
        assert (first.score, first.goal, first.scale, first.earlier_factor) == (
            "4 (3)",
            "3 (2)",
            "0–4",
            earlier,
        )
        assert (second.score, second.goal, second.scale, second.earlier_factor) == (
            "4",
            "3",
            "1–5",
            "",
        )
        assert second.no_outcome.startswith(why)
        assert 'fill="#ffffff" stroke="#1a1a1a" stroke-width="2"' in view.factors[0].chart
        assert earlier in view.factors[0].chart
