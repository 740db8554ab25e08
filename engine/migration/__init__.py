"""Moving running instances to another version of their process (di chuyển phiên bản).

- :mod:`~engine.migration.plan`: may one instance move, and what changes (in memory);
- :mod:`~engine.migration.select`: which instances (filters);
- :mod:`~engine.migration.jobs`: the dry run, queuing jobs and rollbacks, views;
- :mod:`~engine.migration.apply`: moving one instance in a transaction;
- :mod:`~engine.migration.batches`: claiming a job and working through it;
- :mod:`~engine.migration.back`: moving one instance back to its previous version;
- :mod:`~engine.migration.paths`: the sequence flows an instance took;
- :mod:`~engine.migration.worker`: the background thread of the web application.
"""

from engine.migration.back import move_back, move_back_offer
from engine.migration.batches import claim, run_job, run_pending
from engine.migration.jobs import create_job, create_rollback, dry_run, get_job, list_jobs
from engine.migration.select import Filters, parse_filters
from engine.migration.worker import MigrationWorker

__all__ = ["Filters", "MigrationWorker", "claim", "create_job", "create_rollback", "dry_run",
           "get_job", "list_jobs", "move_back", "move_back_offer", "parse_filters", "run_job",
           "run_pending"]
