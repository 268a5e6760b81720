"""The pages' Jinja2 rendering: the shared environment (`service/rendering/templates.py`)
with the helpers only the pages' forms use."""

from __future__ import annotations

from service.rendering.templates import render, templates
from service.web.forms import error_items, factor_words

__all__ = ["render", "templates"]

templates.env.globals["error_items"] = error_items
templates.env.globals["factor_words"] = factor_words
templates.env.globals["scale_position"] = lambda scale, value: scale.to_scale().severity(value)
