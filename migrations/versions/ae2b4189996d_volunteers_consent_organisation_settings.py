"""Volunteers, consent before contact, and the organisation's settings

Members who were in a group before consent was recorded are migrated as consented (source "migrated", at the
time they joined): they were added by a coordinator under the former rules.

Revision ID: ae2b4189996d
Revises: e8edda09d2d2
Create Date: 2026-12-06 00:16:32

"""
from alembic import op
import sqlalchemy as sa

import service.models.base


# revision identifiers, used by Alembic.
revision = 'ae2b4189996d'
down_revision = 'e8edda09d2d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('volunteers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('team_key', sa.String(length=64), nullable=True),
    sa.Column('reports_to_email', sa.String(length=320), nullable=True),
    sa.Column('availability', sa.JSON(), nullable=False),
    sa.Column('is_trained_moderator', sa.Boolean(), nullable=False),
    sa.Column('wants_training', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_consent', 'available', 'in_group', 'withdrawn', name='volunteerstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('consent_at', service.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consent_source', sa.Enum('email_confirmation', 'coordinator_declared', 'migrated', name='consentsource', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('consent_declared_by', sa.Integer(), nullable=True),
    sa.Column('created_at', service.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_mailed_at', service.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('link_nonce', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['consent_declared_by'], ['coordinators.id'], name=op.f('fk_volunteers_consent_declared_by_coordinators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_volunteers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteers')),
    sa.UniqueConstraint('organisation_id', 'email_key', name=op.f('uq_volunteers_organisation_id_email_key'))
    )
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteers_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteers_status'), ['status'], unique=False)

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('volunteer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_at', service.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_source', sa.Enum('email_confirmation', 'coordinator_declared', 'migrated', name='consentsource', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.add_column(sa.Column('consent_declared_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_mailed_at', service.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_members_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_members_consent_declared_by_coordinators'), 'coordinators', ['consent_declared_by'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_members_volunteer_id_volunteers'), 'volunteers', ['volunteer_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default='America/Toronto'))
        batch_op.add_column(sa.Column('signup_domains', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('teams', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('privacy_officer_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('privacy_officer_contact', sa.String(length=320), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('working_hours', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('signup_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_organisations_signup_key'), ['signup_key'])

    members = sa.table('members', sa.column('consent_at', service.models.base.UTCDateTime(timezone=True)),
                       sa.column('consent_source', sa.String(24)),
                       sa.column('joined_at', service.models.base.UTCDateTime(timezone=True)))
    op.execute(members.update().where(members.c.consent_at.is_(None))
               .values(consent_at=members.c.joined_at, consent_source='migrated'))



def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organisations_signup_key'), type_='unique')
        batch_op.drop_column('signup_key')
        batch_op.drop_column('working_hours')
        batch_op.drop_column('privacy_officer_contact')
        batch_op.drop_column('privacy_officer_name')
        batch_op.drop_column('teams')
        batch_op.drop_column('signup_domains')
        batch_op.drop_column('timezone')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_members_volunteer_id_volunteers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_members_consent_declared_by_coordinators'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_members_volunteer_id'))
        batch_op.drop_constraint(batch_op.f('ck_members_consentsource'), type_='check')
        batch_op.drop_column('consent_mailed_at')
        batch_op.drop_column('consent_declared_by')
        batch_op.drop_column('consent_source')
        batch_op.drop_column('consent_at')
        batch_op.drop_column('volunteer_id')

    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteers_status'))
        batch_op.drop_index(batch_op.f('ix_volunteers_organisation_id'))

    op.drop_table('volunteers')
