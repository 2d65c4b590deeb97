"""The meeting cycle: notices published, records kept, minutes approved; rosters; calendar feeds.

Revision ID: 0002_meeting_cycle
Revises: 0001_meetings
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_meeting_cycle"
down_revision = "0001_meetings"
branch_labels = None
depends_on = None

MEETING_COLUMNS: list[sa.Column] = [
    sa.Column("published_at", sa.DateTime, nullable=True),
    sa.Column("notice", sa.Text, nullable=True),
    sa.Column("record", sa.JSON, nullable=True),
    sa.Column("recorded_by", sa.String(64), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        for column in MEETING_COLUMNS:
            batch.add_column(column.copy())
    op.create_table(
        "meeting_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("drafted_by", sa.String(64), nullable=False),
        sa.Column("drafted_at", sa.DateTime, nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("approved_at", sa.DateTime, nullable=True),
        sa.Column("doc_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("meeting_id", "kind", "revision", name="one_revision_per_kind"),
    )
    op.create_index("ix_meeting_documents_meeting_id", "meeting_documents", ["meeting_id"])
    op.create_index("ix_meeting_documents_status", "meeting_documents", ["status"])
    op.create_table(
        "roster",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("org_unit", sa.String(300), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("membership", sa.String(20), nullable=False, server_default="official"),
        sa.Column("exempt", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("exempt_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_roster_org_unit", "roster", ["org_unit"])
    op.create_table(
        "calendar_feeds",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_index("ix_roster_org_unit", table_name="roster")
    op.drop_table("roster")
    op.drop_index("ix_meeting_documents_status", table_name="meeting_documents")
    op.drop_index("ix_meeting_documents_meeting_id", table_name="meeting_documents")
    op.drop_table("meeting_documents")
    with op.batch_alter_table("meetings") as batch:
        for column in reversed(MEETING_COLUMNS):
            batch.drop_column(column.name)
