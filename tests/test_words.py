"""The words on the pages: one name for each thing, read the same way on every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from service.rendering.language import catalogue

#: How each catalogue quotes a word it names.
QUOTES = {"da": ("»", "«"), "en": ("“", "”")}
ROW = {"da": "række", "en": "row"}


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_meeting_legend_speaks_of_the_rows_it_marks(language: str) -> None:
    """The overview marks a divergent factor's whole row yellow and labels it; the legend
    says so, with the label's own word, rather than speaking of numbers."""
    words = catalogue(language)
    opening, closing = QUOTES[language]
    legend = words["meeting.legend"]
    assert f"{opening}{words['meeting.diverges_short']}{closing}" in legend
    assert ROW[language] in legend.lower()


SERVICE = Path(__file__).resolve().parent.parent / "service"
CATALOGUE = SERVICE / "instruments" / "catalogue"
#: The page templates, and the access request's document, which speaks Danish only.
TEMPLATES = [*(SERVICE / "web" / "templates").glob("*.html")]


def _named_procedures(text: str) -> list[str]:
    """Every way a text might name one of KL's three procedures."""
    pattern = r"KL\S*\s*-?\s*procedure\s*\S*|procedure\s*\{?\w*\}?|KL\s*[123]\b|\bKL[123]\b"
    return re.findall(pattern, text, flags=re.IGNORECASE)


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_procedure_has_one_name_in_the_catalogue(language: str) -> None:
    """ "KL's procedure 1" wherever a page names one, in both languages."""
    for key, text in catalogue(language).items():
        for name in _named_procedures(text):
            if re.search(r"\d|\{n\}", name):
                assert re.fullmatch(r"KL's procedure (\d|\{n\})", name), (key, name)


def test_the_templates_name_a_procedure_by_its_one_name() -> None:
    for template in TEMPLATES:
        source = template.read_text("utf-8")
        # Not the stored value shown as it is ("KL1") nor another spelling of the name.
        assert "procedure.value | upper" not in source, template.name
        for name in re.findall(r"KL\S*\s*-?procedure", source):
            assert name == "KL's procedure", (template.name, name)


def _danish_texts(node: object) -> list[str]:
    """Every Danish text of a catalogue file: fields named `*_da` and `da`."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key == "da" or key.endswith("_da")):
                found.append(value)
            else:
                found += _danish_texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _danish_texts(item)
    return found


@pytest.mark.parametrize("name", ["factors.json", "audiences.json", "instruments.json"])
def test_the_instrument_catalogue_has_no_slashes_in_danish(name: str) -> None:
    """ "Barnets/den unges" is read aloud as nothing: say "barnets eller den unges"."""
    texts = _danish_texts(json.loads((CATALOGUE / name).read_text("utf-8")))
    assert texts
    assert [t for t in texts if re.search(r"\w/\w", t)] == []


def test_a_parent_reads_about_their_own_child_on_every_factor() -> None:
    """The parents' words say "dit barn" and "mit barn" all the way, also on the young
    people's factors (school or work, everyday life, alcohol and drugs)."""
    audiences = json.loads((CATALOGUE / "audiences.json").read_text("utf-8"))["factors"]
    for key, words in audiences.items():
        parents = words.get("parents")
        if parents is None:
            continue
        for text in _danish_texts(parents):
            assert "den unge" not in text.lower(), (key, text)
        for level in parents.get("levels", []):
            assert "young person" not in level["en"].lower(), (key, level["en"])


#: Where a goal is set (the informant's proposal, the meeting's official goal) and where it is
#: shown (the staff's progress and the round's report, the family's result).
GOALS_SET = ("form.goal_help", "meeting.official_goal")
GOALS_SHOWN = ("progress.goal", "familyresult.goal")
PLAN = {"da": "barnets plan", "en": "child's plan"}


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_goals_are_named_as_those_of_barnets_plan(language: str) -> None:
    """Barnets lov § 91: the goals belong to barnets plan; where a goal is set, the paragraph
    is named too."""
    words = catalogue(language)
    for key in GOALS_SET + GOALS_SHOWN:
        assert PLAN[language] in words[key], key
    for key in GOALS_SET:
        assert "§ 91" in words[key], key
