"""Prompt rows remember when a refused post may be tried again

Revision ID: 5b0e3c1d9f42
Revises: de55cba3a234
Create Date: 2026-11-23 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import service.models.base


revision = '5b0e3c1d9f42'
down_revision = 'de55cba3a234'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('prompts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', service.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('prompts', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
