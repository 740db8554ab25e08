"""Notification e-mail (thư điện tử): compose, queue in the outbox, send over SMTP.

``compose`` writes what a notification says; ``outbox`` queues it in the transaction of
its notification and serves the admin's list; ``smtp`` talks to the server; ``sender``
works through the outbox in runs (:func:`engine.mail.sender.send_pending`). The SMTP
settings themselves belong to the office and are read by the domain layer.
"""
