"""domain tables

Revision ID: w0001
Revises: 
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = 'w0001'
down_revision = None
branch_labels = ('workflows',)
depends_on = 'e0001'


def upgrade() -> None:

    op.create_table('annual_rating',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('subject_code', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('year', 'subject_code', name=op.f('pk_annual_rating'))
    )
    op.create_table('award_type',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.String(length=255), nullable=False),
    sa.Column('bonus_coefficient', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('secret_ballot', sa.Boolean(), nullable=False),
    sa.Column('vote_threshold_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('vote_base', sa.String(length=16), nullable=False),
    sa.Column('needs_disclosure', sa.Boolean(), nullable=False),
    sa.Column('disclosure_working_days', sa.Integer(), nullable=False),
    sa.Column('dossier_items', sa.JSON(), nullable=False),
    sa.Column('simplified_dossier_items', sa.JSON(), nullable=False),
    sa.Column('registration_required', sa.Boolean(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_award_type'))
    )
    op.create_table('emulation_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('launch_level', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('target_units', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emulation_movement')),
    sa.UniqueConstraint('code', name=op.f('uq_emulation_movement_code'))
    )
    with op.batch_alter_table('emulation_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emulation_movement_year'), ['year'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('award_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('subject_code', sa.String(length=64), nullable=False),
    sa.Column('award_code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('decision_no', sa.String(length=64), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('bonus_amount', sa.Integer(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('revoked_decision_no', sa.String(length=64), nullable=True),
    sa.Column('revoked_date', sa.Date(), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_code'], ['award_type.code'], name=op.f('fk_award_record_award_code_award_type')),
    sa.ForeignKeyConstraint(['movement_id'], ['emulation_movement.id'], name=op.f('fk_award_record_movement_id_emulation_movement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_record')),
    sa.UniqueConstraint('year', 'subject_code', 'award_code', 'kind', 'decision_no', name='uq_award_record_decision')
    )
    with op.batch_alter_table('award_record', schema=None) as batch_op:
        batch_op.create_index('ix_award_record_subject_year', ['subject_code', 'year'], unique=False)

    op.create_table('emulation_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('subject_code', sa.String(length=64), nullable=False),
    sa.Column('award_code', sa.String(length=32), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_code'], ['award_type.code'], name=op.f('fk_emulation_registration_award_code_award_type')),
    sa.ForeignKeyConstraint(['movement_id'], ['emulation_movement.id'], name=op.f('fk_emulation_registration_movement_id_emulation_movement')),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_emulation_registration_unit_code_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emulation_registration')),
    sa.UniqueConstraint('year', 'subject_code', 'award_code', name='uq_registration_subject')
    )
    with op.batch_alter_table('emulation_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emulation_registration_subject_code'), ['subject_code'], unique=False)

    op.create_table('person',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.String(length=255), nullable=False),
    sa.Column('is_leader', sa.Boolean(), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('education', sa.String(length=16), nullable=True),
    sa.Column('tdkt_since', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_person_unit_code_unit')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_unit_code'), ['unit_code'], unique=False)

    op.create_table('discipline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_code', sa.String(length=64), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_code'], ['person.code'], name=op.f('fk_discipline_person_code_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discipline')),
    sa.UniqueConstraint('person_code', 'form', 'start_date', name='uq_discipline_case')
    )
    with op.batch_alter_table('discipline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discipline_person_code'), ['person_code'], unique=False)

    op.create_table('initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('person_code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['person_code'], ['person.code'], name=op.f('fk_initiative_person_code_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative')),
    sa.UniqueConstraint('year', 'person_code', 'title', name='uq_initiative_person_title')
    )
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_person_code'), ['person_code'], unique=False)

    op.create_table('nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('award_code', sa.String(length=32), nullable=False),
    sa.Column('subject_code', sa.String(length=64), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=True),
    sa.Column('award_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_code'], ['award_type.code'], name=op.f('fk_nomination_award_code_award_type')),
    sa.ForeignKeyConstraint(['award_id'], ['award_record.id'], name=op.f('fk_nomination_award_id_award_record')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_nomination_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['movement_id'], ['emulation_movement.id'], name=op.f('fk_nomination_movement_id_emulation_movement')),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_nomination_unit_code_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
    sa.UniqueConstraint('instance_id', 'subject_code', 'award_code', name='uq_nomination_instance_subject')
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_subject_code'), ['subject_code'], unique=False)
        batch_op.create_index('ix_nomination_year_award', ['year', 'award_code'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=True),
    sa.Column('item', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_attachment_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], name=op.f('fk_attachment_nomination_id_nomination')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_instance_item', ['instance_id', 'item'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_attachment_instance_item')

    op.drop_table('attachment')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index('ix_nomination_year_award')
        batch_op.drop_index(batch_op.f('ix_nomination_subject_code'))
        batch_op.drop_index(batch_op.f('ix_nomination_instance_id'))

    op.drop_table('nomination')
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_person_code'))

    op.drop_table('initiative')
    with op.batch_alter_table('discipline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discipline_person_code'))

    op.drop_table('discipline')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_unit_code'))

    op.drop_table('person')
    with op.batch_alter_table('emulation_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emulation_registration_subject_code'))

    op.drop_table('emulation_registration')
    with op.batch_alter_table('award_record', schema=None) as batch_op:
        batch_op.drop_index('ix_award_record_subject_year')

    op.drop_table('award_record')
    op.drop_table('setting')
    with op.batch_alter_table('emulation_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emulation_movement_year'))

    op.drop_table('emulation_movement')
    op.drop_table('award_type')
    op.drop_table('annual_rating')

