"""The family's result in a real browser, on a phone: under KL 3, where the family met the
professionals, it shows how differently they saw it (their lowest to highest score, never who
said what); under KL 1 and 2 it does not. The legend and the headings are in plain words for
a parent, and in the child's own for the child. axe-core checks each, moderate included."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.factories import ADMIN_A
from tests.pages import axe
from tests.pages.axe import PHONE
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, everyone_present, informant_link, new_round, scores
from tests.world import World

SCHOOL = [4, 3, 1, 1, 4, 0, 2, 0]
PSYCHOLOGIST = [1, 4, 2, 1, 1, 0, 2, 0]
CASEWORKER = [2, 3, 2, 1, 2, 0, 2, 0]
MOTHER = [2, 2, 2, 1, 1, 0, 2, 1]
CHILD = [1, 2, 2, 0, 0, 1, 2, 0]


def _send(base: str, url: str, values: list[int]) -> None:
    token = url.rsplit("/", 1)[1]
    r = httpx.post(f"{base}/api/v1/links/{token}/submission", json={"scores": scores(values)})
    assert r.status_code == 200, r.text


def _completed_round(base: str, world: World, procedure: str) -> tuple[str, str]:
    """A round on `procedure` to completion; the mother's and the child's links."""
    with api(base, world, ADMIN_A) as admin:
        policy = {"procedure": procedure}
        if procedure == "kl2":
            policy["collection_close"] = "due_date"
        assert admin.patch("/municipality/policy", json=policy).status_code == 200
    with api(base, world) as http:
        rid = int(new_round(http, ref=f"WEB-{procedure}")["id"])
        links = {
            role: informant_link(http, rid, role, name)[1]
            for role, name in (
                ("school", "Ane Lund"),
                ("psychologist", "Bo Holm"),
                ("mother", "Lene Berg"),
                ("child", "Emma"),
            )
        }
        _send(base, links["school"], SCHOOL)
        _send(base, links["psychologist"], PSYCHOLOGIST)
        if procedure == "kl3":  # the family scores beside the professionals
            _send(base, links["mother"], MOTHER)
            _send(base, links["child"], CHILD)
        own = http.get(f"/rounds/{rid}/informants").json()["items"][0]
        r = http.post(
            f"/rounds/{rid}/informants/{own['id']}/submission",
            json={"scores": scores(CASEWORKER), "submit": True},
        )
        assert r.status_code == 200, r.text
        if http.get(f"/rounds/{rid}").json()["state"] == "collecting":
            r = http.post(f"/rounds/{rid}/transitions", json={"event": "close_collection"})
            assert r.status_code == 200, r.text
        official = [
            {"factor_key": k, "score": v, "goal": max(v - 1, 0), "rationale": "Drøftet."}
            for k, v in zip([s["factor_key"] for s in scores(CASEWORKER)], CASEWORKER, strict=True)
        ]
        r = http.put(f"/rounds/{rid}/official-scores", json={"scores": official})
        assert r.status_code == 200, r.text
        everyone_present(http, rid)  # the family too, where it meets (KL 3)
        r = http.post(f"/rounds/{rid}/transitions", json={"event": "finish_consensus"})
        assert r.status_code == 200, r.text
        if procedure != "kl3":  # the family's step comes after the meeting
            _send(base, links["mother"], MOTHER)
            _send(base, links["child"], CHILD)
            r = http.post(f"/rounds/{rid}/transitions", json={"event": "finish_family_dialogue"})
            assert r.status_code == 200, r.text
        state = http.get(f"/rounds/{rid}").json()["state"]
        if state == "provider_information":
            r = http.post(
                f"/rounds/{rid}/transitions",
                json={"event": "inform_provider", "reason": "Ingen leverandør endnu."},
            )
            assert r.status_code == 200, r.text
        assert http.get(f"/rounds/{rid}").json()["state"] == "completed"
    return links["mother"], links["child"]


def _result(page: Page) -> str:
    section = page.locator(".family-result")
    expect(section).to_be_visible()
    return section.inner_text()


def test_kl3_family_sees_how_differently_the_professionals_saw_it(
    live_server: str, world: World, browser: Browser
) -> None:
    mother_url, child_url = _completed_round(live_server, world, "kl3")
    page = browser.new_page(viewport=PHONE)
    page.goto(mother_url)
    text = _result(page)
    assert "I mødtes med fagfolkene" in text
    row = page.locator(".family-result tbody tr").first
    expect(row.locator("th")).to_have_text("Udvikling og adfærd")
    # The caseworker 2, the psychologist 1, the school 4: from 1 to 4, nobody named.
    expect(row.locator("td[data-label='Fagfolkenes svar']")).to_have_text("1–4")
    assert "Ane Lund" not in text and "Bo Holm" not in text
    # Plain words, not the staff's.
    for word in ("Officiel status", "Målopfyldelse", "Faktor", "Progression"):
        assert word not in text, word
    axe.check(page, "family result, KL 3", moderate=True)
    page.locator(".family-result table").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("family-result-kl3-360"), full_page=False)

    page.goto(child_url)
    text = _result(page)
    assert "Det blev vi enige om" in text and "Det sagde de voksne" in text
    row = page.locator(".family-result tbody tr").first
    expect(row.locator("th")).to_have_text(
        "Hvordan har du det, og hvordan går det med at styre dig selv?"
    )
    expect(row.locator("td[data-label='Det sagde de voksne']")).to_have_text("1–4")
    axe.check(page, "child's result, KL 3", moderate=True)

    page.goto(f"{mother_url}?lang=en")
    text = _result(page)
    assert "You met the professionals" in text and "The professionals' answers" in text
    page.close()


def test_kl1_and_kl2_family_sees_no_professional_score(
    live_server: str, world: World, browser: Browser
) -> None:
    for procedure in ("kl1", "kl2"):
        mother_url, child_url = _completed_round(live_server, world, procedure)
        page = browser.new_page(viewport=PHONE)
        for url in (mother_url, child_url):
            page.goto(url)
            text = _result(page)
            assert "Fagfolkenes svar" not in text and "Det sagde de voksne" not in text, procedure
            assert "I mødtes med fagfolkene" not in text
            assert "Ane Lund" not in text and "Bo Holm" not in text
            cells = page.locator(".family-result tbody tr").first.locator("td")
            expect(cells).to_have_count(4)  # decided, goal, how it went, your answer
        axe.check(page, f"family result, {procedure}", moderate=True)
        page.close()
