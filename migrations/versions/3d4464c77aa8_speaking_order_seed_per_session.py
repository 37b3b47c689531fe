"""Speaking order seed per session

Revision ID: 3d4464c77aa8
Revises: aba097ecec9a
Create Date: 2026-11-23 04:20:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d4464c77aa8'
down_revision = 'aba097ecec9a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaking_order_seed', sa.String(length=32), nullable=True))
    # Sessions that already exist get their own secret seed too.
    connection = op.get_bind()
    sessions = sa.table('group_sessions', sa.column('id', sa.Integer), sa.column('speaking_order_seed', sa.String))
    for (session_id,) in connection.execute(sa.select(sessions.c.id)).all():
        connection.execute(
            sessions.update().where(sessions.c.id == session_id).values(speaking_order_seed=secrets.token_hex(16))
        )
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.alter_column('speaking_order_seed', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.drop_column('speaking_order_seed')
