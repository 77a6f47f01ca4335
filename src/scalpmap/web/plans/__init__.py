"""Plans: the hairline designer, plan versions and their files (pages and API).

``routes`` (pages) and ``api`` (JSON under ``/api``) are included by
:func:`scalpmap.web.app.create_app` when this package is installed.
"""
