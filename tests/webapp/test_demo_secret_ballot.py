"""The demo can show a secret ballot: KT06 has an initiative recognised in 2026, so she is
eligible for Chiến sĩ thi đua cơ sở 2026, a title the council votes on by secret ballot.
Walked through ``/api/v1`` like the other demo procedures (test_demo_procedures.py); no
vote row keeps a choice, and truongkt (head of KT) is recused."""

from __future__ import annotations

from demo_kit import DemoOffice
from sqlalchemy import select
from test_demo_procedures import appraise, chair, council, file_dossier, reasons

from workflows.council.models import CouncilCandidate, CouncilVote


def test_kt06_is_eligible_for_cstd_cs_2026_and_the_council_votes_in_secret(
        demo: DemoOffice) -> None:  # noqa: F811
    verdict = demo.eligibility("donvi_kt", "KT06", "CSTD_CS", 2026)
    assert verdict["eligible"] is True, verdict["reasons"]
    assert [(r["year"], r["level"]) for r in reasons(verdict)["initiative"]["rows"]
            if r["table"] == "initiative"] == [(2026, "co_so")]
    assert demo.ok(demo.get("donvi_kt", "/catalogue/CSTD_CS"))["secret_ballot"] is True

    inst = demo.start("donvi_kt", "annual_title_nomination", "CSTD-CS-2026-KT")
    file_dossier(demo, inst, "donvi_kt", "CSTD_CS")
    inst = demo.walk(inst, [
        ("propose", "submitter", "donvi_kt", {
            "year": 2026, "award_code": "CSTD_CS", "subjects": ["KT06"],
            "summary": "Sáng kiến cấp cơ sở năm 2026: sổ tay điện tử về thủ tục TĐKT."}),
        appraise(), council("KT06"), chair()])
    assert inst["status"] == "completed", inst.get("error")
    assert [a["award_code"] for a in demo.awards("thuky", subject_code="KT06", year=2026)
            if a["instance_id"] == inst["id"]] == ["CSTD_CS"]
    with demo.app.extensions["tdkt"].db.session() as session:
        cand = session.scalars(select(CouncilCandidate).where(
            CouncilCandidate.subject_code == "KT06")).one()
        votes = session.scalars(select(CouncilVote.choice).where(
            CouncilVote.candidate_id == cand.id)).all()
    assert cand.secret and len(votes) == 6 and set(votes) == {None}  # truongkt recused
