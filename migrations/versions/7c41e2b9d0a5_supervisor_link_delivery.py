"""Supervisors: when the e-mail with their link was asked for, accepted by the mail server, or refused

Revision ID: 7c41e2b9d0a5
Revises: 50dbd9a8a35a
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import service.models.base


# revision identifiers, used by Alembic.
revision = '7c41e2b9d0a5'
down_revision = '50dbd9a8a35a'
branch_labels = None
depends_on = None


def upgrade():
    # Supervisors named before this have no delivery record: the page shows none for them (nothing is assumed).
    with op.batch_alter_table('supervisors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_requested_at', service.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('link_sent_at', service.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('link_refused_at', service.models.base.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('supervisors', schema=None) as batch_op:
        batch_op.drop_column('link_refused_at')
        batch_op.drop_column('link_sent_at')
        batch_op.drop_column('link_requested_at')
