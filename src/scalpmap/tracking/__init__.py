"""Clearance tracking: follow-up photos registered to the baseline, impression by impression.

- :func:`track_followup` registers a follow-up, measures the removal zone's clearance and the
  loss outside it, and recommends the next step (:mod:`~scalpmap.tracking.track`).
- :func:`register_photos` does the registration alone (:mod:`~scalpmap.tracking.register`).
- :func:`render_clearance_chart` draws the clearance per session.
"""
