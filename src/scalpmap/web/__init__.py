"""The clinic web app (FastAPI, server-rendered pages and a JSON API); see :mod:`.app`."""
