"""Exports of results for other systems (FHIR R4, CSV)."""
