"""The directory of partner laser facilities: CSV import and export, geocoding and matching.

Library code without a database: :mod:`~scalpmap.facilities.csv_io` reads and writes the CSV
(with :mod:`~scalpmap.facilities.fields` for lasers, skin types and yes/no),
:mod:`~scalpmap.facilities.geocode` finds cities offline, :mod:`~scalpmap.facilities.schemas`
checks the create and update forms, and :mod:`~scalpmap.facilities.matching` ranks the
facilities for a patient. The database side is :mod:`scalpmap.services.facilities`.
"""
