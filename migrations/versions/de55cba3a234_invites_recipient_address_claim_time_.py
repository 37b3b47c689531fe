"""Invites: recipient address, claim time, superseded status, join-link digest

Revision ID: de55cba3a234
Revises: 3d4464c77aa8
Create Date: 2026-11-23 04:10:09.554325

"""
from alembic import op
import sqlalchemy as sa

import service.models.base


# revision identifiers, used by Alembic.
revision = 'de55cba3a234'
down_revision = '3d4464c77aa8'
branch_labels = None
depends_on = None

OLD_STATUSES = ('pending', 'sending', 'sent', 'failed')
NEW_STATUSES = OLD_STATUSES + ('superseded',)


def _status(values):
    return sa.Enum(*values, name='invitestatus', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', service.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('link_digest', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invites_superseded_by_id_invites'), 'invites', ['superseded_by_id'], ['id'], ondelete='SET NULL')
    # Rows written before this revision went to the member's address of the time: the current one.
    op.execute('UPDATE invites SET email = (SELECT members.email FROM members WHERE members.id = invites.member_id)')
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=320), nullable=False)
        batch_op.alter_column('status', existing_type=_status(OLD_STATUSES), type_=_status(NEW_STATUSES),
                              existing_nullable=False)


def downgrade():
    op.execute("UPDATE invites SET status = 'sent' WHERE status = 'superseded'")
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=_status(NEW_STATUSES), type_=_status(OLD_STATUSES),
                              existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_invites_superseded_by_id_invites'), type_='foreignkey')
        batch_op.drop_column('link_digest')
        batch_op.drop_column('superseded_by_id')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('email')
