"""The `/api/v1` router: every concept's routes, in one place.

The order is the order of matching: the routes hit hardest (personal links, rounds) first.
"""

from fastapi import APIRouter

from service.api import (
    auth,
    cadence,
    calibration,
    cases,
    compliance,
    data_rights,
    decisions,
    drift,
    flags,
    identity_provider,
    instruments,
    links,
    mappings,
    municipality,
    notifications,
    plan,
    reports,
    results,
    rounds,
    sessions,
    webhooks,
)

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(links.router)
api_router.include_router(rounds.router)
api_router.include_router(sessions.router)
api_router.include_router(auth.router)
api_router.include_router(identity_provider.router)
api_router.include_router(cases.router)
api_router.include_router(flags.router)
api_router.include_router(notifications.router)
api_router.include_router(plan.router)
api_router.include_router(decisions.router)
api_router.include_router(results.router)
api_router.include_router(reports.router)
api_router.include_router(drift.router)
api_router.include_router(compliance.router)
api_router.include_router(municipality.router)
api_router.include_router(cadence.router)
api_router.include_router(instruments.router)
api_router.include_router(mappings.router)
api_router.include_router(webhooks.router)
api_router.include_router(data_rights.router)
api_router.include_router(calibration.router)
