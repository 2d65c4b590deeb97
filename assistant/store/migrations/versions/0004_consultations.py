"""Consultations on drafts and members' comments.

Revision ID: 0004_consultations
Revises: 0003_idempotency
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_consultations"
down_revision = "0003_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("doc_id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("org_units", sa.JSON, nullable=False),
        sa.Column("owner_unit", sa.String(300), nullable=False),
        sa.Column("deadline", sa.DateTime, nullable=False),
        sa.Column("names_above", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "consultation_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "consultation_id", sa.String(32), sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("key_id", sa.String(64), nullable=True),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("org_unit", sa.String(300), nullable=False),
        sa.Column("target", sa.String(300), nullable=False, server_default=""),
        sa.Column("stance", sa.String(10), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(10), nullable=False, server_default="app"),
        sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_consultation_comments_consultation_id", "consultation_comments", ["consultation_id"])
    op.create_index("ix_consultation_comments_org_unit", "consultation_comments", ["org_unit"])


def downgrade() -> None:
    op.drop_index("ix_consultation_comments_org_unit", table_name="consultation_comments")
    op.drop_index("ix_consultation_comments_consultation_id", table_name="consultation_comments")
    op.drop_table("consultation_comments")
    op.drop_table("consultations")
