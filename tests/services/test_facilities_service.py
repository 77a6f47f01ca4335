"""The facility directory service: CRUD, all-or-nothing CSV import, export, matching a case."""

from __future__ import annotations

from importlib import resources

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from scalpmap.errors import InputError
from scalpmap.facilities.csv_io import COLUMNS, FacilityCsvError
from scalpmap.services import audit, clinic, facilities, facility_csv, facility_match, patients
from scalpmap.services.errors import NotFoundError
from scalpmap.store.models import AuditEvent, Facility

HEADER = ",".join(COLUMNS)
GOOD = "Good,,Leeds,GB,53.8,-1.55,,,Nd:YAG 1064 ps,yes,I-VI,"
SAMPLE = resources.files("scalpmap").joinpath("data/facilities_sample.csv").read_bytes()


def count(session, model=Facility):
    return session.scalar(select(func.count()).select_from(model))


def new(session, **changes):
    values = {
        "name": "Leeds Laser",
        "city": "Leeds",
        "country": "United Kingdom",
        "lasers": "Nd:YAG 1064 ps; Alexandrite 755 ps",
        "treats_smp": True,
        "fitzpatrick_min": 1,
        "fitzpatrick_max": 6,
    }
    return facilities.create_facility(session, facilities.FacilityCreate(**{**values, **changes}))


def test_create_locates_the_city_and_audits(db_session, practitioner):
    before = count(db_session, AuditEvent)
    data = facilities.FacilityCreate(
        name=" Leeds Laser ", city="Leeds", country="UK", lasers="Nd:YAG 1064/532 ps"
    )
    facility = facilities.create_facility(db_session, data, practitioner)
    assert facility.id and facility.name == "Leeds Laser" and facility.country == "GB"
    assert facility.geocoded and facility.lat == pytest.approx(53.8, abs=0.1)
    assert facility.lasers == [{"device": "Nd:YAG", "wavelengths_nm": [1064, 532], "pulse": "ps"}]
    assert type(facility.lasers[0]["pulse"]) is str
    assert count(db_session, AuditEvent) == before + 1
    event = audit.list_events(db_session, user_id=practitioner.id, limit=1)[0]
    assert (event.action, event.entity, event.entity_id) == ("create", "facility", facility.id)


def test_given_coordinates_are_kept(db_session):
    facility = new(db_session, lat=53.81, lon=-1.56)
    assert (facility.lat, facility.lon, facility.geocoded) == (53.81, -1.56, False)
    assert facilities.get_facility(db_session, facility.id) is facility


def test_create_refuses_bad_input(db_session):
    with pytest.raises(InputError, match="cannot find city 'Atlantis'"):
        new(db_session, city="Atlantis")
    for bad in (
        {"country": "Narnia"},
        {"lat": 91, "lon": 0},
        {"lat": 50},
        {"fitzpatrick_min": 5, "fitzpatrick_max": 2},
        {"fitzpatrick_min": 0, "fitzpatrick_max": 2},
        {"lasers": "CO2 fractional"},
        {"lasers": [{"device": "X", "wavelengths_nm": [10600], "pulse": "ns"}]},
        {"email": "not-an-email"},
    ):
        with pytest.raises(ValidationError):
            new(db_session, **bad)
    assert count(db_session) == 0


def test_update_relocates_a_new_city_and_audits_the_fields(db_session):
    facility = new(db_session)
    changes = facilities.FacilityUpdate(city="York", lasers="Nd:YAG 1064 ns")
    facilities.update_facility(db_session, facility.id, changes)
    assert facility.city == "York" and facility.geocoded
    assert facility.lat == pytest.approx(53.96, abs=0.1)
    assert facility.lasers[0]["pulse"] == "ns"
    event = audit.list_events(db_session, limit=1)[0]
    assert event.details == {"fields": ["city", "lasers", "lat", "lon"]}
    facilities.update_facility(db_session, facility.id, facilities.FacilityUpdate(lat=54, lon=-1))
    assert (facility.lat, facility.lon, facility.geocoded) == (54, -1, False)
    with pytest.raises(InputError, match="give lat and lon"):
        facilities.update_facility(db_session, facility.id, facilities.FacilityUpdate(city="Hull"))
    with pytest.raises(InputError, match="cannot be cleared"):
        facilities.update_facility(db_session, facility.id, facilities.FacilityUpdate(name=None))


def test_a_failed_update_changes_nothing(db_session):
    facility = new(db_session)
    changes = facilities.FacilityUpdate(city="Atlantis", notes="moved")
    with pytest.raises(InputError, match="cannot find city 'Atlantis'"):
        facilities.update_facility(db_session, facility.id, changes)
    db_session.commit()
    db_session.expire_all()
    again = facilities.get_facility(db_session, facility.id)
    assert (again.city, again.notes, again.geocoded) == ("Leeds", None, True)


def test_delete_and_not_found(db_session):
    facility = new(db_session)
    facilities.delete_facility(db_session, facility.id)
    assert count(db_session) == 0
    assert audit.list_events(db_session, limit=1)[0].action == "delete"
    with pytest.raises(NotFoundError, match=f"no facility with id {facility.id}"):
        facilities.get_facility(db_session, facility.id)
    with pytest.raises(NotFoundError):
        facilities.delete_facility(db_session, facility.id)


def test_import_the_sample_then_again_updates(db_session):
    counts = facility_csv.import_csv(db_session, SAMPLE, source="facilities_sample.csv")
    assert counts.created == count(db_session) and 5 <= counts.created <= 8
    assert counts.updated == 0 and 0 < counts.geocoded < counts.created
    again = facility_csv.import_csv(db_session, SAMPLE, source="facilities_sample.csv")
    assert (again.created, again.updated) == (0, counts.created)
    listed = facilities.list_facilities(db_session)
    assert [(f.country, f.city) for f in listed] == sorted((f.country, f.city) for f in listed)
    germany = facilities.list_facilities(db_session, country="Germany")
    assert germany and {f.country for f in germany} == {"DE"}
    with pytest.raises(InputError, match="unknown country"):
        facilities.list_facilities(db_session, country="Narnia")


BAD_FILES = {
    "wrong columns": b"name,town\nA,B\n",
    "unterminated quote": f'{HEADER}\n{GOOD}\n"Open,Leeds\n'.encode(),
    "not UTF-8": f"{HEADER}\n{GOOD}\nCaf\xe9,,York,GB,,,,,1064 ps,yes,,\n".encode("latin-1"),
    "empty": b"",
    "unknown city": f"{HEADER}\n{GOOD}\nX,,Atlantis,GR,,,,,1064 ps,yes,,\n".encode(),
    "lat out of range": f"{HEADER}\n{GOOD}\nX,,York,GB,91,0,,,1064 ps,yes,,\n".encode(),
    "unknown laser": f"{HEADER}\n{GOOD}\nX,,York,GB,,,,,CO2 fractional,yes,,\n".encode(),
    "bad Fitzpatrick": f"{HEADER}\n{GOOD}\nX,,York,GB,,,,,1064 ps,yes,II-VII,\n".encode(),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_imports_nothing(db_session, kind):
    facility_csv.import_csv(db_session, SAMPLE)
    before = (count(db_session), count(db_session, AuditEvent), facility_csv.export_csv(db_session))
    changed_good = BAD_FILES[kind].replace(b"Nd:YAG 1064 ps", b"Nd:YAG 1064 ns")
    with pytest.raises(FacilityCsvError) as raised:
        facility_csv.import_csv(db_session, changed_good, source="bad.csv")
    assert str(raised.value).endswith("nothing imported") and "\n" not in str(raised.value)
    if kind in ("unknown city", "lat out of range", "unknown laser", "bad Fitzpatrick"):
        assert str(raised.value) == "1 bad row in bad.csv; nothing imported"
        assert len(raised.value.problems) == 1 and raised.value.problems[0].startswith("line 3: ")
    after = (count(db_session), count(db_session, AuditEvent), facility_csv.export_csv(db_session))
    assert after == before


def test_a_failure_midway_rolls_the_whole_import_back(db_session, monkeypatch):
    inserted = []

    def failing_record_many(session, *args, **kwargs):
        inserted.append(count(session))  # the facilities are in, not yet committed
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record_many", failing_record_many)
    with pytest.raises(RuntimeError, match="disk full"):
        facility_csv.import_csv(db_session, SAMPLE)
    assert inserted == [7] and count(db_session) == 0


def test_export_reads_back_to_the_same_directory(db_session):
    facility_csv.import_csv(db_session, SAMPLE)
    exported = facility_csv.export_csv(db_session)
    assert exported.splitlines()[0] == HEADER
    geocoded = {f.name for f in facilities.list_facilities(db_session) if f.geocoded}
    counts = facility_csv.import_csv(db_session, exported.encode(), source="export.csv")
    assert counts.created == 0 and counts.geocoded == len(geocoded)
    assert facility_csv.export_csv(db_session) == exported


def test_match_for_a_case_uses_the_patients_skin_type_and_address(
    db_session, case, patient, practitioner
):
    facility_csv.import_csv(db_session, SAMPLE)
    patients.update_patient(
        db_session,
        patient.id,
        patients.PatientUpdate(address="5 Park Row, Leeds LS1 5HD, UK", fitzpatrick_type=5),
        practitioner,
    )
    result = facility_match.match_for_case(db_session, case.id)
    assert result.notes[0].startswith("distances from the centre of Leeds, GB")
    names = [e.facility.name for e in result.ranked]
    assert names[0] == "Northern Light Laser Clinic"
    assert all(e.distance_km is not None for e in result.ranked)
    assert [e.distance_km for e in result.ranked[:2]] == sorted(
        e.distance_km for e in result.ranked[:2]
    )
    excluded = {e.facility.name: e.reasons for e in result.excluded}
    assert "excluded: treats Fitzpatrick I-IV, not type V" in excluded["Clearskin Manchester"]
    assert "excluded: does not treat SMP" in excluded["Clinique Laser Rive Gauche"]
    assert any(r.startswith("excluded: no 1064 nm laser") for r in excluded["Laserhaus Isar"])
    assert len(result.ranked) + len(result.excluded) == count(db_session)
    event = audit.list_events(db_session, patient_id=patient.id, limit=1)[0]
    assert (event.action, event.details) == ("view", {"purpose": "facility_match"})


def test_match_without_an_address_ranks_without_distance(db_session, case):
    facility_csv.import_csv(db_session, SAMPLE)
    result = facility_match.match_for_case(db_session, case.id)
    assert result.notes[0] == (
        "the patient has no address on record, and the clinic's city is not set (clinic "
        "settings): facilities are ranked by their lasers and the skin types they treat only, "
        "not by distance"
    )
    assert "no patient location: facilities ranked without distance" not in result.notes
    assert result.ranked and all(e.distance_km is None for e in result.ranked)
    boston = (42.36, -71.06)
    near_boston = facility_match.match_for_case(db_session, case.id, origin_latlon=boston)
    assert near_boston.ranked[0].facility.name == "Harbor Pico Removal"
    with pytest.raises(NotFoundError, match="no case with id 999999"):
        facility_match.match_for_case(db_session, 999999)


def test_match_without_an_address_measures_from_the_clinics_city(db_session, case, practitioner):
    facility_csv.import_csv(db_session, SAMPLE)
    clinic.update_clinic_settings(db_session, {"city": "Leeds", "country": "GB"}, practitioner)
    result = facility_match.match_for_case(db_session, case.id)
    assert result.notes[0] == (
        "the patient has no address on record: distances from the clinic's city, Leeds, GB "
        "(approximate; add the patient's address for a better ranking)"
    )
    first = result.ranked[0]
    assert first.facility.city == "Leeds" and first.distance_km is not None
    assert any(r.endswith("km from the clinic") for r in first.reasons), first.reasons
    distances = [e.distance_km for e in result.ranked if e.distance_km is not None]
    assert len(distances) == len(result.ranked)
    boston = next(i for i, e in enumerate(result.ranked) if e.facility.city == "Boston")
    assert boston > 0 and result.ranked[boston].distance_km > 4000

    patients.update_patient(  # an address without a city found offline: the clinic's city too
        db_session, case.patient_id, patients.PatientUpdate(address="Flat 2"), practitioner
    )
    again = facility_match.match_for_case(db_session, case.id)
    assert again.notes[0].startswith(
        "no city of the patient's address was found offline: distances from the clinic's city"
    )
