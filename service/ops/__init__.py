"""Running the service: health and readiness, metrics, structured logs, an unreachable
database, backups."""
