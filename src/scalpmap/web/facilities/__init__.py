"""The laser facility directory in the web app: pages (``routes``) and the JSON API (``api``)."""
