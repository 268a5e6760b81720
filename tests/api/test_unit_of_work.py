"""The request's transaction: committed as the endpoint returns, before the response is
encoded; rolled back, with nothing kept, when the endpoint fails."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, field_serializer
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.routing import BaseRoute

from service.api.deps import SessionDep, get_session
from service.api.unit_of_work import UnitOfWorkRoute
from service.config import Settings
from service.db import new_session
from service.errors import Conflict, install_handlers
from service.main import create_app
from service.models.municipality import Team
from tests.world import World

open_at_encoding: list[bool] = []


class Named(BaseModel):
    name: str
    session: Session | None = None
    model_config = {"arbitrary_types_allowed": True}

    @field_serializer("session")
    def _seen_while_encoding(self, session: Session | None) -> None:
        # Runs when FastAPI encodes the response: is the transaction still open then?
        open_at_encoding.append(session is not None and session.in_transaction())
        return None


def _app(engine: Engine, municipality_id: int) -> FastAPI:
    router = APIRouter(route_class=UnitOfWorkRoute)

    @router.post("/teams/{name}")
    def add_team(name: str, session: SessionDep) -> Named:
        session.add(Team(municipality_id=municipality_id, name=name))
        session.flush()
        return Named(name=name, session=session)

    @router.post("/teams/{name}/refused")
    def add_team_then_refuse(name: str, session: SessionDep) -> Named:
        session.add(Team(municipality_id=municipality_id, name=name))
        session.flush()
        raise Conflict("Refused after writing.", code="refused")

    app = FastAPI()
    app.state.engine = engine
    install_handlers(app)
    app.include_router(router)
    return app


def _teams(engine: Engine) -> list[str]:
    with new_session(engine) as session:
        return list(session.exec(select(Team.name)).all())


async def test_committed_before_the_response_is_encoded(engine: Engine, world: World) -> None:
    app = _app(engine, world.municipalities["751"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        open_at_encoding.clear()
        r = await client.post("/teams/Nord")
        assert r.status_code == 200, r.text
        assert open_at_encoding == [False]
        assert "Nord" in _teams(engine)

        refused = await client.post("/teams/Syd/refused")
        assert refused.status_code == 409
        assert refused.json()["code"] == "refused"
        assert "Syd" not in _teams(engine)


def _api_routes(routes: list[BaseRoute]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router
        if included is not None:
            found += _api_routes(included.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def _takes_session(dependant: Dependant) -> bool:
    return any(d.call is get_session or _takes_session(d) for d in dependant.dependencies)


def test_every_route_that_takes_a_session_commits_in_its_endpoint(settings: Settings) -> None:
    routes = [
        route
        for route in _api_routes(create_app(settings).routes)
        if _takes_session(route.dependant)
    ]
    assert len(routes) > 50  # the API and the pages
    late = [route.path for route in routes if not isinstance(route, UnitOfWorkRoute)]
    assert late == []
