"""Patients: search, create, view and edit records (pages and JSON API)."""
