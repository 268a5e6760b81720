"""Both catalogues say the same things, and every key the templates use exists."""

from __future__ import annotations

import re
from pathlib import Path

from service.web.i18n import catalogue

TEMPLATES = Path(__file__).resolve().parent.parent / "service" / "web" / "templates"


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    da, en = catalogue("da"), catalogue("en")
    assert set(da) == set(en)
    for key in da:
        assert set(re.findall(r"{(\w+)}", da[key])) == set(re.findall(r"{(\w+)}", en[key])), key
        assert da[key].strip() and en[key].strip(), key


def test_every_literal_key_in_the_templates_exists() -> None:
    keys = set(catalogue("da"))
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r't\("([a-z_]+\.[a-z_.]+)"', template.read_text("utf-8")))
    assert used, "found no message keys"
    assert used - keys == set()
