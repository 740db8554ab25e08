"""A real procedure of the office moved to a new version mid-way, then walked to its end.

The ad-hoc award (``bpmn/adhoc_award.bpmn``: forms, service tasks, a call activity to
``province_forwarding``) waits at the secretariat's appraisal when v2 renames that step;
the instance moves over the API and finishes on v2 with its award in the registry.
"""

from __future__ import annotations

from io import BytesIO

from demo_kit import API, DemoOffice
from test_demo_procedures import chair, file_dossier, registry_row

from webapp.migration_worker import migration_worker


def test_adhoc_award_moves_at_appraisal_and_completes(demo: DemoOffice) -> None:
    inst = demo.start("donvi_kt", "adhoc_award", "DX-2026-MIG")
    file_dossier(demo, inst, "donvi_kt", "GK", simplified=True)
    inst = demo.walk(inst, [("propose", "submitter", "donvi_kt", {
        "nominee_name": "Hoàng Minh Tuấn", "subject_kind": "individual",
        "award_code": "GK", "deed_date": "2026-10-02",
        "deed_summary": "Phát hiện, ngăn chặn kịp thời sai sót trong hồ sơ thanh toán."})])
    xml = demo.client.get(f"{API}/processes/adhoc_award/versions/1/xml",
                          headers=demo.headers["quantri"]).get_data()
    renamed = xml.replace('name="Thẩm định hồ sơ"'.encode(),
                          'name="Thẩm định hồ sơ khen thưởng đột xuất"'.encode())
    assert renamed != xml
    r = demo.client.post(f"{API}/processes", headers=demo.headers["quantri"],
                         data={"file": (BytesIO(renamed), "adhoc_award.bpmn")},
                         content_type="multipart/form-data")
    assert (r.status_code, r.get_json()["version"]) == (201, 2), r.get_json()

    report = demo.ok(demo.post("quantri", "/processes/adhoc_award/migrations", {
        "from_version": 1, "to_version": 2, "dry_run": True}))
    assert (report["total"], report["movable"]) == (1, 1)
    assert [(c["element_id"], c["field"], c["new"]) for c in report["items"][0]["changes"]] \
        == [("appraise", "title", "Thẩm định hồ sơ khen thưởng đột xuất")]
    job = demo.ok(demo.post("quantri", "/processes/adhoc_award/migrations", {
        "from_version": 1, "to_version": 2, "filters": {"business_key_prefix": "DX-2026-"}}),
        202)
    migration_worker(demo.app).join(60)
    assert demo.ok(demo.get("quantri", f"/migrations/{job['id']}"))["moved"] == 1

    inst = demo.ok(demo.get("thuky", f"/instances/{inst['id']}"))
    assert inst["version"] == 2
    assert inst["tasks"][0]["title"] == "Thẩm định hồ sơ khen thưởng đột xuất"
    inst = demo.walk(inst, [
        ("appraise", "secretariat", "thuky",
         {"decision": "approve", "nominee_code": "KT05", "comment": "Đúng thành tích."}),
        chair()])
    assert (inst["status"], inst["version"]) == ("completed", 2), inst.get("error")
    assert registry_row(demo, inst, "KT05")["award_code"] == "GK"
