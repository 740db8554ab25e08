"""Sending the outbox to a real SMTP server (aiosmtpd in the test process): one letter per
person per run, headers and links, retries with back-off, failure, two senders at once."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.utils import parseaddr

import pytest
from engine_kit import World, ready
from mail_kit import ADDRESSES, BASE_URL, mail_world, outbox, set_user, smtp, to_appraisal
from smtp_kit import ANSWER, SmtpServer, closed_port, smtp_server  # noqa: F401  (fixture)
from sqlalchemy import String, cast, update

from engine.mail.sender import RetryPolicy, SendReport, _Claim, send_pending, take
from engine.store.models import EmailOutbox, utcnow


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return mail_world(db_url, monkeypatch)


def test_one_letter_per_person_with_utf8_subject_and_links(w: World,
                                                           smtp_server: SmtpServer) -> None:  # noqa: F811
    first, second = to_appraisal(w, "HS-S-1"), to_appraisal(w, "HS-S-2")
    report = send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    # sec1 and sec2: two "Thẩm định" each -> two letters (sub_a2's "Lập hồ sơ" mails were
    # cancelled when sub_a did the task before they left)
    assert (report.messages, report.sent, report.retrying, report.failed) == (2, 4, 0, 0)
    [letter] = smtp_server.inbox.to(ADDRESSES["sec1"])
    msg = letter.message
    assert msg["Subject"] == "[TĐKT] Anh/chị có 2 thông báo mới"
    assert letter.raw.startswith(b"Subject: =?utf-8?") and letter.raw.isascii()  # RFC 2047
    assert parseaddr(str(msg["From"])) == ("Thi đua - Khen thưởng", "tdkt@tinh.gov.vn")
    assert str(msg["To"]) == ADDRESSES["sec1"] and letter.mail_from == "tdkt@tinh.gov.vn"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"]
    text, html = letter.part("plain"), letter.part("html")
    for inst, key in ((first, "HS-S-1"), (second, "HS-S-2")):
        link = f"{BASE_URL}/tasks/{ready(inst, 'appraise')['id']}"
        assert f"Mở công việc: {link}" in text and f'href="{link}"' in html
        assert f"Hồ sơ: {key}" in text
    assert text.startswith("Kính gửi anh/chị,") and "Tài khoản của tôi" in text
    rows = [r for r in outbox(w) if r.recipient == ADDRESSES["sec1"]]
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    assert len({r.message_id for r in rows}) == 1 and rows[0].message_id == msg["Message-ID"]
    assert all(r.sent_at is not None and r.claim_token is None for r in rows)
    # nothing is due any more
    assert send_pending(w.db, smtp(smtp_server.host, smtp_server.port)).claimed == 0
    assert len(smtp_server.inbox.received) == 2


def test_a_single_notification_keeps_its_own_subject(w: World,
                                                     smtp_server: SmtpServer) -> None:  # noqa: F811
    w.start("notify_p", "sub_a", business_key="HS-S-3")
    send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    [letter] = smtp_server.inbox.to(ADDRESSES["sub_a2"])
    assert letter.message["Subject"] == "[TĐKT] Công việc mới: Lập hồ sơ"
    assert "Anh/chị có" not in letter.part("plain")


def queued(w: World) -> list[int]:
    return [r.id for r in outbox(w) if r.status == "queued"]


def _run(w: World, port: int, at: timedelta, start: object) -> SendReport:
    return send_pending(w.db, smtp("127.0.0.1", port), now=start + at)  # type: ignore[operator]


def test_a_refused_connection_is_retried_with_back_off_then_fails(w: World) -> None:
    w.start("notify_p", "sub_a")
    port, start = closed_port(), utcnow() + timedelta(seconds=1)
    policy = RetryPolicy()
    elapsed = timedelta(0)
    for attempt in range(1, policy.max_attempts + 1):
        report = _run(w, port, elapsed, start)
        [row] = outbox(w)
        assert row.attempts == attempt and "từ chối kết nối" in (row.last_error or "")
        if attempt < policy.max_attempts:
            assert (report.retrying, row.status) == (1, "queued")
            wait = policy.delay(attempt)
            assert row.next_attempt_at == start + elapsed + wait
            # not due a moment before its time
            assert _run(w, port, elapsed + wait - timedelta(seconds=1), start).claimed == 0
            elapsed += wait
        else:
            assert (report.failed, row.status) == (1, "failed")
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25),
        timedelta(minutes=125), timedelta(hours=6)]
    assert _run(w, port, elapsed + timedelta(days=1), start).claimed == 0  # failed stays


def test_an_address_refused_for_good_fails_at_once_and_others_still_go(
        w: World, smtp_server: SmtpServer) -> None:  # noqa: F811
    set_user(w, "sec2", email="nobody@tinh.gov.vn")
    to_appraisal(w, "HS-S-4")
    report = send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    assert (report.messages, report.failed) == (1, 1)
    failed = [r for r in outbox(w) if r.status == "failed"]
    assert [r.recipient for r in failed] == ["nobody@tinh.gov.vn"] and failed[0].attempts == 1
    assert "550" in (failed[0].last_error or "") and "nobody@tinh.gov.vn" in failed[0].last_error
    assert len(smtp_server.inbox.to(ADDRESSES["sec1"])) == 1


def test_not_configured_sends_nothing_and_the_rows_wait(w: World) -> None:
    w.start("notify_p", "sub_a")
    report = send_pending(w.db, smtp("", 25))
    assert report.not_configured and report.claimed == 0
    [row] = outbox(w)
    assert (row.status, row.attempts, row.last_error) == ("queued", 0, None)
    assert send_pending(w.db, smtp("127.0.0.1", 25, sender="")).not_configured


def test_mail_turned_off_after_queueing_is_cancelled(w: World,
                                                     smtp_server: SmtpServer) -> None:  # noqa: F811
    to_appraisal(w, "HS-S-5")
    set_user(w, "sec2", email_notifications=False)
    set_user(w, "sec1", email="sec1.moi@tinh.gov.vn")  # a corrected address is used
    report = send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    assert report.cancelled == 1
    by_user = {r.recipient: r.status for r in outbox(w)}
    assert by_user[ADDRESSES["sec2"]] == "cancelled"
    assert [r.rcpt_tos for r in smtp_server.inbox.received if "sec1" in r.rcpt_tos[0]] == [
        ["sec1.moi@tinh.gov.vn"]]


def test_a_stale_claim_is_taken_over(w: World, smtp_server: SmtpServer) -> None:  # noqa: F811
    w.start("notify_p", "sub_a")
    long_ago = utcnow() - timedelta(hours=1)
    with w.db.write_session() as s:  # a run that stopped mid-way an hour ago
        s.execute(update(EmailOutbox).values(status="sending", claim_token="dead",
                                             claimed_at=long_ago))
        s.commit()
    report = send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    assert report.sent == 1 and outbox(w)[0].status == "sent"


def test_a_row_claimed_by_another_run_is_not_taken_again(w: World) -> None:
    """Two runs read the same due rows; the second one's UPDATE finds them taken."""
    to_appraisal(w, "HS-S-6")
    to_appraisal(w, "HS-S-6b")
    ids = queued(w)
    now, stale = utcnow(), timedelta(minutes=15)
    assert len(ids) == 4
    assert take(w.db, ids[:2], "run-a", now, stale) == ids[:2]
    assert take(w.db, ids, "run-b", now, stale) == ids[2:]
    assert [r.claim_token for r in outbox(w) if r.id in ids] == ["run-a", "run-a", "run-b",
                                                                 "run-b"]
    # once the claims are stale (their processes stopped), another run takes them over
    assert take(w.db, ids, "run-c", now + stale + timedelta(seconds=1), stale) == ids


def test_a_run_that_is_still_sending_keeps_its_claim(w: World) -> None:
    to_appraisal(w, "HS-S-7")
    ids = queued(w)
    now, stale = utcnow(), timedelta(minutes=15)
    assert take(w.db, ids, "slow-run", now, stale) == ids
    claim = _Claim(w.db, "slow-run", now, started=utcnow() - timedelta(minutes=10))
    claim.keep()  # ten minutes into the run: the claim is renewed
    assert {r.claimed_at for r in outbox(w) if r.id in ids} == {claim.touched}
    assert claim.touched is not None and claim.touched >= now + timedelta(minutes=10)
    later = now + stale + timedelta(minutes=1)  # stale for the first claim, not the renewed
    assert take(w.db, ids, "other-run", later, stale) == []


def test_two_senders_at_once_send_each_mail_once(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                 smtp_server: SmtpServer) -> None:  # noqa: F811
    w = mail_world(pg_url, monkeypatch)
    for n in range(12):
        to_appraisal(w, f"HS-P-{n}")
    # one address per row (no person behind it), so every row is a letter of its own
    with w.db.write_session() as s:
        s.execute(update(EmailOutbox).values(
            user_id=None, recipient="r" + cast(EmailOutbox.id, String) + "@tinh.gov.vn"))
        s.commit()
    rows = [r for r in outbox(w) if r.status == "queued"]
    barrier = threading.Barrier(2)
    reports: list[SendReport] = []

    def run() -> None:
        barrier.wait()
        reports.append(send_pending(w.db, smtp(smtp_server.host, smtp_server.port), limit=5))
        while (more := send_pending(w.db, smtp(smtp_server.host, smtp_server.port),
                                    limit=5)).claimed:
            reports.append(more)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == len(rows)
    delivered = sorted(a for r in smtp_server.inbox.received for a in r.rcpt_tos)
    assert delivered == sorted(r.recipient for r in rows)  # every row exactly once
    assert {r.status for r in outbox(w) if r.id in {q.id for q in rows}} == {"sent"}


def test_a_subject_with_a_line_break_is_sent_on_one_line(w: World,
                                                         smtp_server: SmtpServer) -> None:  # noqa: F811
    w.start("notify_p", "sub_a", business_key="HS-S-9")
    with w.db.write_session() as s:  # as a title stored before titles were made one line
        s.execute(update(EmailOutbox).values(subject="[TĐKT] Công việc mới: Lập\nhồ sơ"))
        s.commit()
    report = send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    assert (report.messages, report.failed) == (1, 0)
    [letter] = smtp_server.inbox.to(ADDRESSES["sub_a2"])
    assert letter.message["Subject"] == "[TĐKT] Công việc mới: Lập hồ sơ"


def test_a_message_that_cannot_be_built_fails_alone_and_the_others_go(
        w: World, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    import engine.mail.sender as sender

    to_appraisal(w, "HS-S-10")
    real, calls = sender.letter, []

    def letter(parts):  # type: ignore[no-untyped-def]
        calls.append(parts)
        if len(calls) == 1:  # the first of the three letters cannot be built
            raise ValueError("boom")
        return real(parts)
    monkeypatch.setattr(sender, "letter", letter)
    report = send_pending(w.db, smtp(smtp_server.host, smtp_server.port))
    assert report.failed == 1 and report.messages == 1 and report.retrying == 0
    rows = outbox(w)
    assert {r.status for r in rows} == {"sent", "failed", "cancelled"}
    assert not [r for r in rows if r.status == "sending"]
    [failed] = [r for r in rows if r.status == "failed"]
    assert failed.attempts == 1 and "ValueError: boom" in (failed.last_error or "")
    assert "Không dựng được thư" in failed.last_error
