"""The case page shows the child's series: the star and a line per factor, each beside a table
of the same numbers; a single round is labelled a snapshot."""

from __future__ import annotations

import httpx

from service.clock import FrozenClock
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
    cells = [c.strip() for c in table.replace("<td>", "|").split("|")]
    assert "Progressionsmål opfyldt" in table and "3</td>" in table and "2</td>" in table
    assert "1</td></tr>" in table  # the child's own second score
    assert len(cells) > 4
