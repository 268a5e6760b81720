"""One head again: the identity provider's scopes (20261209_oidc_02) and the municipality's
session form versions (20261209_forms_01) both followed 20261209_oidc_01; this joins them,
changing nothing.

Revision ID: 20261209_oidc_03
Revises: 20261209_forms_01, 20261209_oidc_02
Create Date: 2026-12-09
"""

from collections.abc import Sequence

revision: str = "20261209_oidc_03"
down_revision: str | tuple[str, ...] | None = ("20261209_forms_01", "20261209_oidc_02")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
