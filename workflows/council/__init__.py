"""The council (Hội đồng Thi đua - Khen thưởng): members, meetings, votes, tallies.

Modules, from data to actions:

- ``models``: the tables (membership, meetings, agenda, attendance, recusals, votes,
  secret-ballot counters, deliveries of results to the procedures).
- ``rules``: pure rules — quorum, a title's threshold, the denominator (no database).
- ``members``: the council's membership as data; who may manage meetings.
- ``meetings``: draft → open → voting → closed; the agenda pool; attendance.
- ``recusal``: automatic and declared conflicts of interest (không tham gia biểu quyết).
- ``voting``: electronic votes (open or secret ballot), paper counts and the scanned minutes.
- ``closing``: the tally at close, the tally minutes hook, delivery to each instance.
- ``scrub``: after a secret meeting's close, earlier counter versions wiped from storage.
- ``access``: members read the dossiers on their meetings' agenda.
- ``views``: plain dicts for pages and the API.
- ``handlers``: the service tasks of ``bpmn/council_review.bpmn``.

Every service function takes a ``Session`` and an ``Actor``, checks roles, audits, and
leaves committing to its caller (``run_council``) unless its docstring says otherwise.
"""

from workflows.council import models as models  # the tables join the metadata on import
