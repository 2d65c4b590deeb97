"""Meetings and members' replies.

Revision ID: 0001_meetings
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_meetings"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_unit", sa.String(300), nullable=False),
        sa.Column("organization", sa.JSON, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("topic", sa.Text, nullable=False, server_default=""),
        sa.Column("starts_at", sa.DateTime, nullable=False),
        sa.Column("place", sa.Text, nullable=False, server_default=""),
        sa.Column("online", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("agenda", sa.JSON, nullable=False),
        sa.Column("readings", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="scheduled"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_meetings_org_unit", "meetings", ["org_unit"])
    op.create_index("ix_meetings_status", "meetings", ["status"])
    op.create_table(
        "meeting_replies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("member_key_id", sa.String(64), nullable=False),
        sa.Column("member_name", sa.String(200), nullable=False),
        sa.Column("attending", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("replied_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("meeting_id", "member_key_id", name="one_reply_per_member"),
    )
    op.create_index("ix_meeting_replies_meeting_id", "meeting_replies", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_replies_meeting_id", table_name="meeting_replies")
    op.drop_table("meeting_replies")
    op.drop_index("ix_meetings_status", table_name="meetings")
    op.drop_index("ix_meetings_org_unit", table_name="meetings")
    op.drop_table("meetings")
