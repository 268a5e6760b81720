"""The two compasses page: from the case page, per factor a chart of the caseworker's and the
provider's views beside a table of the same figures, saying where they are far apart and where
they meet again; for staff who may see the case."""

from __future__ import annotations

import httpx

from service.clock import FrozenClock
from tests.factories import CW2_A
from tests.pages.test_round_measures_page import login
from tests.rounds_helpers import complete_round, new_case, set_procedure
from tests.world import World


async def test_the_case_page_leads_to_the_two_compasses_with_their_tables(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    await complete_round(client, world, clock, case_id, [(3, 2)] * 8)
    await complete_round(
        client, world, clock, case_id, [(3, 2)] * 8, {"provider": [1, 2, 3, 3, 3, 3, 3, 3]}
    )
    await login(client)
    case_page = (await client.get(f"/cases/{case_id}")).text
    assert f'href="/cases/{case_id}/compasses"' in case_page
    page = (await client.get(f"/cases/{case_id}/compasses")).text
    assert page.count('class="chart compass-chart"') == 8
    table = page.split("<caption>Udvikling og adfærd: de samme tal som i grafen</caption>")[1]
    table = table.split("</table>")[0]
    # The first round: no provider yet; the second: the provider two points from the caseworker.
    assert "Ingen score" in table and "Langt fra hinanden" in table
    assert 'class="diverges"' in table
    # Said under the first factor alone, and in the key of each of the eight charts.
    assert page.count("Langt fra hinanden: ") == 1 + 8
    await login(client, CW2_A)
    refused = await client.get(f"/cases/{case_id}/compasses")
    assert refused.status_code == 404 and "compass-chart" not in refused.text
