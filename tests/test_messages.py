"""Both catalogues say the same things, and every key the templates use exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from service.rendering.language import catalogue
from service.workflow.outcomes import NoOutcome, Outcome

SERVICE = Path(__file__).resolve().parent.parent / "service"
TEMPLATES = SERVICE / "web" / "templates"


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    da, en = catalogue("da"), catalogue("en")
    assert set(da) == set(en)

    def placeholders(text: str) -> set[str]:
        # "{child_s}" is the child's name in the possessive: Danish says "Emmas trivsel"
        # where English says "How is Emma doing?".
        return {name.removesuffix("_s") for name in re.findall(r"{(\w+)}", text)}

    for key in da:
        assert placeholders(da[key]) == placeholders(en[key]), key
        assert da[key].strip() and en[key].strip(), key


def test_every_literal_key_in_the_templates_exists() -> None:
    keys = set(catalogue("da"))
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r't\("([a-z_]+\.[a-z_.]+)"', template.read_text("utf-8")))
    assert used, "found no message keys"
    assert used - keys == set()


#: Officialese a reader of borger.dk stumbles on.
OFFICIALESE = ("vedkommende", "dennes", "jf.", "hhv.", "iht.", "integrationsklient", "registreres")


def test_the_danish_texts_follow_the_plain_language_rules() -> None:
    """Digitaliseringsstyrelsen's rules for public self-service: short sentences with one
    message each, no slashes or semicolons, no officialese."""
    for key, text in catalogue("da").items():
        assert ";" not in text, key
        assert not re.search(r"\w/\w", text), key
        for word in OFFICIALESE:
            assert word not in text.lower(), (key, word)
        for sentence in re.split(r"(?<=[.!?:])\s+", text):
            assert len(sentence.split()) <= 25, (key, sentence)


def test_the_progress_views_have_all_their_words() -> None:
    """A progress view's words are looked up by prefix: the staff's, a parent's plain ones and
    the child's own; the outcome's six words, and why there is none, for staff and family."""
    from service.rendering.progress import NO_OUTCOME_WORDS, OUTCOME_WORDS, WORDS

    outcomes = [o.value for o in Outcome]
    reasons = [n.value for n in NoOutcome]
    for language in ("da", "en"):
        keys = set(catalogue(language))
        for prefix in ("progress", "familyprogress", "childprogress"):
            assert {f"{prefix}.{w}" for w in WORDS} - keys == set(), (language, prefix)
        for prefix in {*OUTCOME_WORDS.values(), "familyoutcome"}:
            assert {f"{prefix}.{o}" for o in outcomes} - keys == set(), (language, prefix)
        for prefix in {*NO_OUTCOME_WORDS.values(), "familynooutcome"}:
            assert {f"{prefix}.{n}" for n in reasons} - keys == set(), (language, prefix)


def _error_codes() -> set[str]:
    """Every stable error code the service can answer with, read from its source: `code=`
    arguments, `code = ...` class attributes, `"code": ...` entries, and the codes of the
    workflow's refusals (`DecisionRefused(field, code, message)`)."""
    codes: set[str] = set()
    for path in SERVICE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "code":
                found = [node.value]
            elif isinstance(node, ast.Assign):
                named = any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets)
                found = [node.value] if named else []
            elif isinstance(node, ast.Dict):
                found = [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "code"
                ]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "DecisionRefused"
            ):
                found = node.args[1:2]
            else:
                found = []
            codes |= {
                v.value for v in found if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
    return codes


def test_every_error_code_has_a_text_in_both_languages() -> None:
    """Pages show a refusal by its code; no English detail reaches a Danish page."""
    codes = _error_codes()
    assert {"not_accepting", "rationale_required", "goal_not_allowed", "link_revoked"} <= codes
    for language in ("da", "en"):
        missing = sorted(c for c in codes if f"problem.{c}" not in catalogue(language))
        assert missing == [], language
