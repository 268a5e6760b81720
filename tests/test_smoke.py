import httpx

from tests.world import World


async def test_me(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get("/api/v1/me", headers=world.headers("cw.a@aarhus.example.dk"))
    assert r.status_code == 200, r.text
    assert r.json()["municipality"]["code"] == "751"
