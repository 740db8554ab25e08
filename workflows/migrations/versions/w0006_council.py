"""council: members, meetings, agenda, attendance, recusals, votes, anonymous tallies, deliveries

The secret ballot's anonymity is a property of these tables: ``council_vote`` says who
voted (its ``choice`` is NULL for a secret candidate), ``council_tally`` holds anonymous
counters per candidate and choice, without timestamps or sequences.

Revision ID: w0006
Revises: w0005
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "w0006"
down_revision = "w0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('council_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('quorum_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('members_total', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('voting_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('scan_filename', sa.String(length=255), nullable=True),
    sa.Column('scan_content_type', sa.String(length=128), nullable=True),
    sa.Column('scan_size', sa.Integer(), nullable=True),
    sa.Column('scan_sha256', sa.String(length=64), nullable=True),
    sa.Column('scan_storage_key', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_meeting'))
    )
    op.create_index(op.f('ix_council_meeting_status'), 'council_meeting', ['status'], unique=False)
    op.create_table('council_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('person_code', sa.String(length=64), nullable=True),
    sa.Column('position', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_code'], ['person.code'], name=op.f('fk_council_member_person_code_person')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_council_member_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_member')),
    sa.UniqueConstraint('user_id', name=op.f('uq_council_member_user_id'))
    )
    op.create_table('council_invitation',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['council_meeting.id'], name=op.f('fk_council_invitation_meeting_id_council_meeting')),
    sa.ForeignKeyConstraint(['member_id'], ['council_member.id'], name=op.f('fk_council_invitation_member_id_council_member')),
    sa.PrimaryKeyConstraint('meeting_id', 'member_id', name=op.f('pk_council_invitation'))
    )
    op.create_table('council_delivery',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_council_delivery_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['meeting_id'], ['council_meeting.id'], name=op.f('fk_council_delivery_meeting_id_council_meeting')),
    sa.PrimaryKeyConstraint('meeting_id', 'instance_id', name=op.f('pk_council_delivery'))
    )
    op.create_index(op.f('ix_council_delivery_status'), 'council_delivery', ['status'], unique=False)
    op.create_table('council_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('subject_code', sa.String(length=64), nullable=False),
    sa.Column('award_code', sa.String(length=32), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('threshold_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('vote_base', sa.String(length=16), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('agree', sa.Integer(), nullable=True),
    sa.Column('disagree', sa.Integer(), nullable=True),
    sa.Column('abstain', sa.Integer(), nullable=True),
    sa.Column('recused', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('required', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['council_meeting.id'], name=op.f('fk_council_candidate_meeting_id_council_meeting')),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], name=op.f('fk_council_candidate_nomination_id_nomination')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_candidate')),
    sa.UniqueConstraint('meeting_id', 'nomination_id', name='uq_council_candidate_nomination')
    )
    op.create_index(op.f('ix_council_candidate_instance_id'), 'council_candidate', ['instance_id'], unique=False)
    op.create_index(op.f('ix_council_candidate_meeting_id'), 'council_candidate', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_council_candidate_nomination_id'), 'council_candidate', ['nomination_id'], unique=False)
    op.create_table('council_recusal',
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['council_candidate.id'], name=op.f('fk_council_recusal_candidate_id_council_candidate')),
    sa.ForeignKeyConstraint(['member_id'], ['council_member.id'], name=op.f('fk_council_recusal_member_id_council_member')),
    sa.PrimaryKeyConstraint('candidate_id', 'member_id', name=op.f('pk_council_recusal'))
    )
    op.create_table('council_tally',
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['council_candidate.id'], name=op.f('fk_council_tally_candidate_id_council_candidate')),
    sa.PrimaryKeyConstraint('candidate_id', 'choice', name=op.f('pk_council_tally'))
    )
    op.create_table('council_vote',
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['council_candidate.id'], name=op.f('fk_council_vote_candidate_id_council_candidate')),
    sa.ForeignKeyConstraint(['member_id'], ['council_member.id'], name=op.f('fk_council_vote_member_id_council_member')),
    sa.PrimaryKeyConstraint('candidate_id', 'member_id', name=op.f('pk_council_vote'))
    )


def downgrade() -> None:
    op.drop_table('council_vote')
    op.drop_table('council_tally')
    op.drop_table('council_recusal')
    op.drop_index(op.f('ix_council_candidate_nomination_id'), table_name='council_candidate')
    op.drop_index(op.f('ix_council_candidate_meeting_id'), table_name='council_candidate')
    op.drop_index(op.f('ix_council_candidate_instance_id'), table_name='council_candidate')
    op.drop_table('council_candidate')
    op.drop_index(op.f('ix_council_delivery_status'), table_name='council_delivery')
    op.drop_table('council_delivery')
    op.drop_table('council_invitation')
    op.drop_table('council_member')
    op.drop_index(op.f('ix_council_meeting_status'), table_name='council_meeting')
    op.drop_table('council_meeting')
