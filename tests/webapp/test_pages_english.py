"""The English switch: pages in English after ``?lang=en``, and a complete English catalogue.

The catalogue tests make a new UI string without English fail: every msgid the source has
(extracted as ``make translations`` does) must be in ``messages.po``, translated, not fuzzy,
and compiled into ``messages.mo``; every run-time label passed to ``_()`` must be listed in
``webapp/i18n_data.py`` so that extraction sees it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations
from demo_kit import DemoOffice
from flask.testing import FlaskClient
from test_pages_auth import login

from webapp import (
    council_meeting_pages,
    council_pages,
    i18n_data,
    movements_pages,
    notifications_pages,
    registry_pages,
)
from webapp.admin import users as admin_users
from webapp.demo import DEMO_PASSWORD
from workflows import (
    catalogue_admin,
    eligibility_catalogue,
    history,
    movements,
    nomination_start,
    outcome,
    settings_admin,
)
from workflows.council import members as council_members
from workflows.council import views as council_views
from workflows.handlers import MODULES as HANDLER_MODULES
from workflows.handlers.documents import WRAPPED

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES"
VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợ"
                        "ùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE)

# (user, page, English texts it must show, Vietnamese texts it must no longer show)
PAGES = [
    ("thuky", "/notifications",
     ['<h1 class="h3 mb-0">Notifications</h1>', "Filter the notifications", "Unread"],
     ["Thông báo</h1>", "Chưa đọc"]),
    ("thuky", "/council", ["Emulation and Commendation Council meetings", "Upcoming meetings",
                           "In session or voting"], ["Họp Hội đồng Thi đua"]),
    ("thuky", "/council/members", ["Council secretary", "Council chair", "Position"],
     ["Thư ký Hội đồng", "Chức danh"]),
    ("quantri", "/admin", ["System administrator", "Award catalogue", "Document templates"],
     ["Quản trị hệ thống", "Danh mục khen thưởng"]),
    ("quantri", "/admin/settings", ["Base salary (VND/month)", "Bonus", "Council quorum",
                                    "(working days)", "(%)"],
     ["Mức lương cơ sở", "Tiền thưởng", "ngày làm việc"]),
    ("quantri", "/admin/mail", ["Outbox", "SMTP is not configured.", "Send the due e-mails now"],
     ["Hộp thư đi", "Chưa cấu hình SMTP"]),
    ("thuky", "/password", ["My account", "Receive notifications by e-mail"],
     ["Tài khoản của tôi", "Nhận thông báo qua thư"]),
    ("quantri", "/admin/catalogue", ["Catalogue of titles and awards", "Provincial"],
     ["Cấp tỉnh"]),
    ("thuky", "/movements", ["Emulation movements", "Regular (annual)", "Thematic"],
     ["Phong trào thi đua</h1>", "Chuyên đề"]),
    ("thuky", "/registry", ["Award register", "Decision number and date"],
     ["Sổ theo dõi khen thưởng"]),
]


def _signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    demo.app.config["WTF_CSRF_ENABLED"] = True
    client = demo.app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


class _Headings(HTMLParser):
    """The text of the headings, table headers and legends inside <main>."""

    TAGS = {"h1", "h2", "h3", "th", "legend"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.TAGS:
            self.open.append(tag)
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.open and tag == self.open[-1]:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts[-1] += data


def _headings(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html[html.index("<main"):])
    return [" ".join(t.split()) for t in parser.texts if t.strip()]


def test_new_pages_switch_to_english_and_back(demo: DemoOffice) -> None:
    clients = {user: _signed_in(demo, user) for user in {p[0] for p in PAGES}}
    for user, path, english, vietnamese in PAGES:
        html = clients[user].get(path, query_string={"lang": "en"}).get_data(as_text=True)
        assert '<html lang="en">' in html, path
        for shown in english:
            assert shown in html, (path, shown)
        main = html[html.index("<main"):]  # the navigation shows names, which are data
        for gone in vietnamese:
            assert gone not in main, (path, gone)
        untranslated = [h for h in _headings(html) if VIETNAMESE.search(h)]
        assert untranslated == [], (path, untranslated)
    # the choice stays in the session; ?lang=vi switches back
    again = clients["thuky"].get("/council").get_data(as_text=True)
    assert "Emulation and Commendation Council meetings" in again
    back = clients["thuky"].get("/council?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in back
    assert "Họp Hội đồng Thi đua - Khen thưởng" in back and "Upcoming meetings" not in back


def test_a_user_who_never_chose_sees_vietnamese(demo: DemoOffice) -> None:
    html = _signed_in(demo, "quantri").get("/admin").get_data(as_text=True)
    assert "Quản trị hệ thống" in html and 'href="/admin?lang=en"' in html
    assert "Award catalogue" not in html


# -- the catalogue ------------------------------------------------------------------------
def _po() -> dict[str, object]:
    with (CATALOGUE_DIR / "messages.po").open("rb") as f:
        catalog = read_po(f)
    # a plural entry by its singular msgid, as extraction names it
    return {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}


def _source_msgids() -> set[str]:
    """The msgids extraction finds now (babel.cfg, keywords _l and N_ as in the Makefile)."""
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open(encoding="utf-8"))
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_an_english_translation() -> None:
    messages = _po()
    untranslated = [mid for mid, m in messages.items()
                    if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [mid for mid, m in messages.items() if m.fuzzy]
    assert untranslated == [] and fuzzy == [], "run `make translations` and translate"


def test_every_string_of_the_source_is_in_the_catalogue() -> None:
    messages = _po()
    missing = sorted(_source_msgids() - set(messages))
    assert missing == [], f"run `make translations`: {missing[:20]}"


def test_the_compiled_catalogue_matches_the_po() -> None:
    with (CATALOGUE_DIR / "messages.mo").open("rb") as f:
        compiled = Translations(f)
    stale = [mid for mid, m in _po().items() if isinstance(m.string, str)
             and compiled.gettext(mid) != m.string]
    assert stale == [], "run `pybabel compile -d webapp/translations`"


def test_placeholders_are_kept_in_the_translations() -> None:
    placeholder = re.compile(r"%\(\w+\)s|%%|\{\w+\}")
    wrong = [mid for mid, m in _po().items() if isinstance(m.string, str)
             and sorted(placeholder.findall(mid)) != sorted(placeholder.findall(m.string))]
    assert wrong == []


def _labels(*dicts: dict[str, object]) -> set[str]:
    out: set[str] = set()
    for d in dicts:
        for value in d.values():
            out.add(str(value[0] if isinstance(value, tuple) else value))
    return out


def test_run_time_labels_are_listed_for_extraction() -> None:
    """Labels that pages pass to _() at run time must be in webapp/i18n_data.py."""
    labels = _labels(catalogue_admin.LEVELS, catalogue_admin.VOTE_BASES, settings_admin.GROUPS,
                     settings_admin.TLS_MODES, admin_users.STATUSES, movements.KINDS,
                     movements.LAUNCH_LEVELS, movements.SCOPES, movements_pages.STATUS_LABELS,
                     council_meeting_pages.CHOICE_LABEL, council_pages.MODES,
                     council_views.STATUS_LABEL, council_views.MODE_LABEL,
                     council_views.REASON_LABEL, council_members.POSITION_LABEL,
                     registry_pages.KINDS, nomination_start.SUBJECT_KINDS,
                     outcome.OUTCOME_LABELS, notifications_pages.TITLE_TEMPLATES,
                     history.RATING_NAMES, history.LEVEL_NAMES, history.DISCIPLINE_NAMES)
    labels |= {s.label for s in settings_admin.SETTINGS} | {s.unit for s in settings_admin.SETTINGS}
    labels |= {d for m in HANDLER_MODULES for _h, d in m.HANDLERS.values()}
    labels |= {note.strip() for _build, note in WRAPPED.values()}
    labels |= _labels(eligibility_catalogue.KEYS, eligibility_catalogue.QUOTA_SCOPES)
    labels -= {"", "%", "STARTTLS", "SSL/TLS"}  # the same in both languages
    assert sorted(labels - i18n_data.MESSAGES) == []
    assert i18n_data.N_("Đồng ý") == "Đồng ý"  # the marker changes nothing
