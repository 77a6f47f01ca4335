"""Cases: open one for a patient, view it, move it through the stages (pages and JSON API)."""
