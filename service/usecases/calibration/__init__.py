"""Calibration on shared cases (kalibrering): vignettes with the municipality's reference
scores, exercises that staff score independently, and the results: the spread, the reference,
each person's own distance (to that person alone) and the group's agreement (never by name).
"""
