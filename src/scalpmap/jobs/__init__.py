"""The heavy jobs, one interface over two backends (``SCALPMAP_JOBS``).

A job is one kind from :data:`scalpmap.jobs.kinds.KINDS` and the id of the row it computes
(an analysis, ...). It is idempotent and keyed by what it computes (``analysis:42``): the row
is claimed with a conditional UPDATE, so a job run twice gives one result.

- ``inline`` (default): the web process runs the jobs itself, in a thread pool, as before
  (:class:`scalpmap.web.jobs.AnalysisJobs`); nothing else to start, SQLite is fine.
- ``procrastinate``: the web app only queues the job, in the same PostgreSQL transaction that
  writes its row (:mod:`scalpmap.jobs.queue`), and ``scalpmap worker`` processes on any machine
  that reaches the database and the photo store run them (:mod:`scalpmap.jobs.worker`).

Why procrastinate, and what it guarantees: docs/jobs.md.
"""
