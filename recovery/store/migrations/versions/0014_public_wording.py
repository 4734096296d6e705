"""What a case's customer and an incident's public are told, apart from the team's words: a
finding's public explanation, in the customer's language (`recovery_cases.explanation`), and
an incident's public wording in each served language (`recovery_incidents.says`: the problem,
what works again, its cause as told); the root cause and the incident's title stay internal.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:  # plain ADD COLUMN, SQLite too: the tables and their triggers stay
    op.add_column("recovery_cases", sa.Column("explanation", AutoString, nullable=True))
    op.add_column("recovery_incidents", sa.Column("says", sa.JSON, nullable=True))


def downgrade() -> None:  # plain DROP COLUMN (SQLite 3.35+): the tables' triggers stay
    op.drop_column("recovery_incidents", "says")
    op.drop_column("recovery_cases", "explanation")
