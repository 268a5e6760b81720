"""Outcomes stored for factors split or combined by a change of form become a new baseline.

Rounds measured across a mapping so far gave each relation split out of familieforhold (and
familieforhold combined from the relations) an outcome against a goal nobody set for it, and
the reports counted it. Such a factor now has no outcome, no earlier status, and the reason.
A factor is split where another factor of the same round was measured against the same one
earlier factor; combined where it was measured against several.

Revision ID: 20261207_scales_01
Revises: 20261207_figures_01
Create Date: 2026-12-07
"""

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "20261207_scales_01"
down_revision: str | None = "20261207_figures_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_rounds = sa.table(
    "scoring_round",
    sa.column("id", sa.Integer()),
    sa.column("previous_crossing", sa.String()),
)
_outcomes = sa.table(
    "factor_outcome",
    sa.column("id", sa.Integer()),
    sa.column("round_id", sa.Integer()),
    sa.column("previous_factor_keys", sa.JSON()),
    sa.column("previous_score", sa.Integer()),
    sa.column("previous_goal", sa.Integer()),
    sa.column("outcome", sa.String()),
    sa.column("no_outcome", sa.String()),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_outcomes.c.id, _outcomes.c.round_id, _outcomes.c.previous_factor_keys)
        .join(_rounds, _rounds.c.id == _outcomes.c.round_id)
        .where(_rounds.c.previous_crossing == "mapping")
    ).all()
    by_round: dict[int, list[tuple[int, list[str]]]] = {}
    for outcome_id, round_id, keys in rows:
        by_round.setdefault(round_id, []).append((outcome_id, list(keys or [])))
    for found in by_round.values():
        uses = Counter(keys[0] for _, keys in found if len(keys) == 1)
        for outcome_id, keys in found:
            if len(keys) > 1:
                why = "merged_after_form_change"
            elif len(keys) == 1 and uses[keys[0]] > 1:
                why = "split_after_form_change"
            else:
                continue
            bind.execute(
                _outcomes.update()
                .where(_outcomes.c.id == outcome_id)
                .values(previous_score=None, previous_goal=None, outcome=None, no_outcome=why)
            )


def downgrade() -> None:
    # The outcomes measured against an imputed goal are not restored: they were never earned.
    pass
