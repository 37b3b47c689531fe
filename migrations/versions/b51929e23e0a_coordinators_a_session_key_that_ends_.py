"""Coordinators: a session key that ends every session at once

Revision ID: b51929e23e0a
Revises: 5b0e3c1d9f42
Create Date: 2026-12-06 00:21:34.745110

Empty for every existing coordinator: the sessions open at the upgrade end, and the next login sets it.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b51929e23e0a'
down_revision = '5b0e3c1d9f42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coordinators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('coordinators', schema=None) as batch_op:
        batch_op.drop_column('session_key')
