"""server-side sign-in sessions, API token expiry

Revision ID: 3a1f0c9d2e01
Revises: 2b021653b299
Create Date: 2026-11-29 11:00:00

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '3a1f0c9d2e01'
down_revision = '2b021653b299'
branch_labels = None
depends_on = None

# Tokens issued before expiry existed get the default lifetime from the day of the upgrade, so
# none stops working at the deployment itself.
EXISTING_TOKEN_DAYS = 90


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('id_hash', name=op.f('uq_user_sessions_id_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    expires = datetime.now(UTC) + timedelta(days=EXISTING_TOKEN_DAYS)
    if bind.dialect.name == 'sqlite':
        expires = expires.replace(tzinfo=None)  # SQLite keeps UTC without an offset
    tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime(timezone=True)))
    bind.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=expires))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_at')

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
