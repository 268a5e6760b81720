"""Collecting the independent scores (indsamling): informants, personal links, submissions."""
