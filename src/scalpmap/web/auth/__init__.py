"""Signing in and out, and per-user API tokens."""
