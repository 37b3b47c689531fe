"""w18: invites remember their claimer; indexes for meeting syncs and the sweep

Revision ID: 50dbd9a8a35a
Revises: df29fa620e4b
Create Date: 2026-12-06 00:56:26.541152

"""
from alembic import op
import sqlalchemy as sa

import service.models.base


# revision identifiers, used by Alembic.
revision = '50dbd9a8a35a'
down_revision = 'df29fa620e4b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_sessions_zoom_meeting_id'), ['zoom_meeting_id'], unique=False)

    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))

    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_series_zoom_meeting_id'), ['zoom_meeting_id'], unique=False)

    with op.batch_alter_table('zoom_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_zoom_meetings_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('zoom_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_zoom_meetings_status_next_attempt_at')

    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_series_zoom_meeting_id'))

    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_sessions_zoom_meeting_id'))

