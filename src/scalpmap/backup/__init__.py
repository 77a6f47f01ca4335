"""Back up the clinic's data while the app runs, restore it and prove the copy is whole.

A backup is a folder::

    manifest.json                 what the backup holds: every file's sha256 and size, every
                                  table's row count, the files the database refers to
    database/scalpmap.db          SQLite: a copy made with SQLite's online backup API, or
    database/scalpmap.dump        PostgreSQL: pg_dump's custom format
    photos/ab/cd/abcd...          the photo store's files, as the store keeps them

:func:`~scalpmap.backup.create.create_backup` makes one, :func:`~scalpmap.backup.restore
.restore_backup` restores one into an empty place and :func:`~scalpmap.backup.verify
.verify_backup` checks one without restoring it. docs/backup.md tells the clinic how.
"""
