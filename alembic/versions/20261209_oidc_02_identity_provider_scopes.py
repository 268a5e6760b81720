"""The scopes a municipality's identity provider is asked for besides openid, email and
profile (identity_provider.extra_scopes): AD FS sends its issuance rules' claims, the groups
among them, in the ID token only for `allatclaims`.

Revision ID: 20261209_oidc_02
Revises: 20261209_oidc_01
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "20261209_oidc_02"
down_revision: str | None = "20261209_oidc_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "extra_scopes",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                server_default="",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.drop_column("extra_scopes")
