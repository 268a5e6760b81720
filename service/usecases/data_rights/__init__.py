"""Data rights and retention: the audit trail, access requests, erasure and legal holds."""
