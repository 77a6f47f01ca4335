"""Revision planning: target hairline, zones, session estimates, timeline and simulation."""
