"""The request's transaction: committed as the endpoint returns, before the response is
encoded; rolled back, with nothing kept, when the endpoint fails."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, field_serializer
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.api.deps import SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.db import new_session
from service.errors import Conflict, install_handlers
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
