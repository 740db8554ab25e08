"""The properties panel's choices in English (webapp/modeler_words.py): handler descriptions,
notification kinds and deadline settings come from Vietnamese data and are translated on
the server; the Vietnamese page keeps the data as it is."""

from __future__ import annotations

import re

from flask import Flask
from test_admin_processes import BASE, People, signed_in

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợ"
                        "ùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE)


def test_the_english_panel_lists_english_choices(app: Flask, people: People) -> None:
    admin = signed_in(app, "admin1")
    engine = app.extensions["tdkt"].engine
    vietnamese = admin.get(f"{BASE}/modeler-config.json").get_json()
    assert {h["name"]: h["description"] for h in vietnamese["handlers"]} == \
        engine.handlers.describe()
    assert {k["kind"]: k["label"] for k in vietnamese["notify_kinds"]}["task.new"] == \
        "Công việc mới"

    english = admin.get(f"{BASE}/modeler-config.json?lang=en").get_json()
    handlers = {h["name"]: h["description"] for h in english["handlers"]}
    assert set(handlers) == set(engine.handlers.describe())
    assert handlers["compute_bonus"] == "Computes the bonus of the dossier's nominations."
    # a numbering handler that also renders documents: its description and the note
    assert handlers["issue_decision"] == (
        "Issues the award decision's number from the decision register. Renders the "
        "decision (DOCX, PDF) and the certificates of merit.")
    kinds = {k["kind"]: k["label"] for k in english["notify_kinds"]}
    assert kinds["task.new"] == "New task" and kinds["task.overdue"] == "Overdue"
    settings = {s["name"]: s["label"] for s in english["deadline_settings"]}
    assert settings["appraisal_working_days"] == "Dossier appraisal deadline"
    texts = [*handlers.values(), *kinds.values(), *settings.values(),
             *(r["label"] for r in english["roles"])]
    assert [t for t in texts if VIETNAMESE.search(t.replace("«", "").replace("»", ""))] == []
