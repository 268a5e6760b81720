"""The operators' configuration page is the one `service.config.Settings` gives: every
setting, its variable, type, default and the comment the source has for it."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.config import Settings
from tools import settings_reference
from tools.settings_reference import PAGE, default_text, kind_text, read_comments, render


def test_the_committed_page_is_the_one_the_settings_give() -> None:
    committed = PAGE.read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/operators/configuration.md differs from service/config.py: "
        "run `.venv/bin/python -m tools.settings_reference` and commit the page"
    )


def test_every_setting_is_on_the_page_by_its_variable() -> None:
    page = PAGE.read_text(encoding="utf-8")
    absent = [
        f"KONSENSUS_{name.upper()}"
        for name in Settings.model_fields
        if f"| `KONSENSUS_{name.upper()}` |" not in page
    ]
    assert absent == []


class _Example(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    plain: str = "a"
    #: Its own comment,
    #: over two lines.
    own: int = Field(default=3, ge=1, le=9)
    # A comment for the run below.
    first: str = Field(default="x", pattern="^(x|y)$")
    second: SecretStr = SecretStr("hidden")

    after_blank: bool = False
    described: float | None = Field(default=None, description="From the field itself.")


def test_comments_are_read_as_the_source_has_them() -> None:
    comments = read_comments(_Example)
    assert comments.own == {"own": "Its own comment, over two lines."}
    assert comments.shared == {
        "first": "A comment for the run below.",
        "second": "A comment for the run below.",
    }
    fields = _Example.model_fields
    assert settings_reference.description("described", fields["described"], comments) == (
        "From the field itself."
    )
    assert settings_reference.description("plain", fields["plain"], comments) == ""
    assert settings_reference.description("after_blank", fields["after_blank"], comments) == ""


def test_types_limits_and_defaults_are_said_plainly() -> None:
    fields = _Example.model_fields
    assert kind_text(fields["own"]) == "whole number (≥ 1, ≤ 9)"
    assert kind_text(fields["first"]) == "`x` \\| `y`"
    assert kind_text(fields["described"]) == "number, optional"
    assert default_text(fields["second"]) == "not shown"
    assert default_text(fields["after_blank"]) == "`false`"
    assert default_text(fields["described"]) == "none"
