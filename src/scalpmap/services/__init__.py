"""Use cases of the clinic app: plain functions taking a Session, owning their transactions.

Each write commits once, so that a change and its audit row land together or not at all.
"""
