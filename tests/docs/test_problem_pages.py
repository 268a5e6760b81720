"""The integrators' problem pages are what `tools/problem_pages.py` makes from the registry."""

from __future__ import annotations

from pathlib import Path

from service.errors import PROBLEM_TYPES
from tools import problem_pages


def test_the_committed_pages_are_what_the_registry_makes() -> None:
    stale = problem_pages.differences()
    assert not stale, (
        f"docs/integrators/problems/ differs from service/errors.py: {stale}; "
        "run `.venv/bin/python -m tools.problem_pages`"
    )


def test_a_changed_or_left_over_page_is_found(tmp_path: Path) -> None:
    for name, text in problem_pages.pages().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert problem_pages.differences(tmp_path) == []
    (tmp_path / "round-not-found.md").write_text("# edited by hand\n", encoding="utf-8")
    (tmp_path / "retired-code.md").write_text("# gone\n", encoding="utf-8")
    assert problem_pages.differences(tmp_path) == ["retired-code.md", "round-not-found.md"]


def test_every_code_has_a_page_listed_in_the_index() -> None:
    index = problem_pages.index()
    for problem in PROBLEM_TYPES.values():
        assert f"]({problem.slug}.md)" in index
        assert (problem_pages.FOLDER / f"{problem.slug}.md").exists()
