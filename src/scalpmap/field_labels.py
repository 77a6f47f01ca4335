"""Each field's label as the forms show it, and what to type in it: the words of every form.

The web forms, the JSON API's errors and the command line name a field the same way
(:data:`LABELS`) and say what to type in it (:data:`HINTS`); :mod:`scalpmap.field_messages`
builds its sentences from them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["HINTS", "LABELS"]

LABELS: Mapping[str, str] = {
    # patients (the patient form; the API calls the name "name")
    "full_name": "Full name",
    "name": "Name",
    "date_of_birth": "Date of birth",
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "fitzpatrick_type": "Fitzpatrick skin type",
    "notes": "Notes",
    "consent_text": "What the patient agreed to",
    # cases
    "patient_id": "Patient",
    "case_id": "Case",
    "reason": "Reason",
    "title": "Title",
    "stage": "Stage",
    "practitioner_id": "Practitioner in charge",
    "allow_backwards": "Going back",
    # photos and plans
    "file": "Photo file",
    "files": "Photos",
    "photo_id": "Photo",
    "analysis_id": "Analysis",
    "plan_id": "Plan",
    "view": "View",
    "mm_per_px": "Scale, mm per pixel",
    "template": "Template",
    "age": "Age",
    "hairline": "Hairline",
    "landmarks": "Landmarks",
    "glabella": "Glabella",
    "left_canthus": "Left eye corner",
    "right_canthus": "Right eye corner",
    "note": "Note",
    "skin_type": "Skin type",
    "start_date": "First laser session",
    "picosecond": "Picosecond laser",
    "scarring": "Scarring",
    "layering": "Layering",
    "second_touch_up": "Second touch-up",
    # referrals and sessions
    "facility_id": "Facility",
    "referred_on": "Referral date",
    "status": "Status",
    "session_date": "Date",
    "device": "Device",
    "wavelength_nm": "Wavelength",
    "pulse": "Pulse",
    "fluence_j_cm2": "Fluence",
    "spot_mm": "Spot",
    "passes": "Passes",
    "adverse_effects": "Adverse effects",
    "practitioner_name": "Practitioner",
    "needle": "Needle",
    "areas": "Areas worked",
    "void_reason": "Why it is void",
    "correction_reason": "Why it is corrected",
    # facilities
    "city": "City",
    "country": "Country",
    "lat": "Latitude",
    "lon": "Longitude",
    "lasers": "Lasers",
    "wavelengths_nm": "Wavelengths",
    "treats_smp": "Treats SMP",
    "fitzpatrick_min": "Lowest Fitzpatrick type treated",
    "fitzpatrick_max": "Highest Fitzpatrick type treated",
    "fitzpatrick_types": "Fitzpatrick types treated",
    # enquiries
    "message": "Message",
    "consent": "Consent",
    # accounts and tokens
    "password": "Password",
    "current_password": "Current password",
    "new_password": "New password",
    "temporary_password": "Temporary password",
    "role": "Role",
    "expires_in_days": "Days",
    "days": "Days",
    "independent": "Independent",
    "q": "Search",
}
"""Each field's label as the forms show it (the key is the field's name in the API)."""

HINTS: Mapping[str, str] = {
    "full_name": "type the patient's full name",
    "name": "type the name",
    "email": "type an address such as name@example.com",
    "phone": "type the number, e.g. +44 20 7946 0000",
    "fitzpatrick_type": "choose type I to VI (1 to 6)",
    "skin_type": "choose type I to VI (1 to 6)",
    "fitzpatrick_min": "choose type I to VI (1 to 6)",
    "fitzpatrick_max": "choose type I to VI (1 to 6)",
    "age": "type the patient's age in years, 14 to 100",
    "consent_text": "type what the patient agreed to",
    "patient_id": "use the patient's number from the patients list",
    "case_id": "use the case's number from the patient's page",
    "photo_id": "use the photo's number from the case's page",
    "analysis_id": "use the analysis's number from the photo's page",
    "facility_id": "choose a facility from the list",
    "practitioner_id": "choose a practitioner from the list",
    "device": "type the laser, e.g. PicoWay",
    "wavelength_nm": "type the wavelength in nm, e.g. 1064",
    "pulse": "choose ns (Q-switched) or ps (picosecond)",
    "fluence_j_cm2": "type the fluence in J/cm², e.g. 2.5",
    "spot_mm": "type the spot size in mm, e.g. 4",
    "passes": "type the number of passes, e.g. 2",
    "practitioner_name": "type the name of who did the session",
    "needle": "type the needle, e.g. 0.25 mm 3RL",
    "areas": "name at least one area worked, e.g. frontal",
    "void_reason": "say why, e.g. logged twice",
    "city": "type the city, e.g. Leeds",
    "country": "type the country's name or ISO code, e.g. GB",
    "lat": "type degrees north, -90 to 90, e.g. 53.7987",
    "lon": "type degrees east, -180 to 180, e.g. -1.5461",
    "lasers": "type each laser as DEVICE WAVELENGTH ps|ns, e.g. Nd:YAG 1064 ps",
    "mm_per_px": "type the scale in millimetres per pixel, e.g. 0.035",
    "file": "choose the photo to upload",
    "files": "choose the photos to upload",
    "expires_in_days": "type a number of days, e.g. 30",
    "days": "type a number of days, e.g. 30",
}
"""What to type in a field, when the kind of error alone does not say it."""
