"""The `konsensus` command: serve, migrate, load demo data, create tenants and accounts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, get_args

import typer
import uvicorn
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import NoResultFound
from typer.core import TyperGroup

from service.config import Settings, get_settings
from service.db import make_engine, session_scope
from service.errors import ServiceError
from service.generator.run import ScaleName
from service.models.staff import Scope, StaffRole
from service.ops.availability import UNAVAILABLE, first_line
from service.workflow.procedures import Procedure

#: Exit codes: 1 a refusal, 2 a usage error (click's) or a refused setting, 3 the database
#: unreachable or unmigrated.
SETTINGS_EXIT = 2
DATABASE_EXIT = 3


class Commands(TyperGroup):
    """Every command: a refused setting or a database that cannot be reached is one line
    (a line per problem) and a non-zero exit, not a page of traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer keeps its own copy of click's Context
        try:
            return super().invoke(ctx)
        except UNAVAILABLE as error:
            typer.echo(f"Database unavailable: {first_line(error)}", err=True)
            raise typer.Exit(DATABASE_EXIT) from None
        except ValidationError as error:
            if error.title != Settings.__name__:
                raise
            for line in refused_settings(error):
                typer.echo(f"Refused setting: {line}", err=True)
            raise typer.Exit(SETTINGS_EXIT) from None


def refused_settings(error: ValidationError) -> list[str]:
    """One line per refused setting: the variable, the value given (never a secret's) and
    what it must be; a refusal of the settings taken together names its variables itself."""
    prefix = Settings.model_config.get("env_prefix", "")
    lines = []
    for problem in error.errors(include_url=False):
        cause = problem.get("ctx", {}).get("error")
        reason = str(cause) if isinstance(cause, ValueError) else problem["msg"]
        if not problem["loc"]:  # a model validator: its message says it all
            lines.append(reason)
            continue
        name = str(problem["loc"][0])
        variable = f"{prefix}{name}".upper()
        given = "(hidden)" if _secret(name) else repr(problem["input"])
        lines.append(f"{variable}={given}: {reason[:1].lower()}{reason[1:]}")
    return lines


def _secret(name: str) -> bool:
    field = Settings.model_fields.get(name)
    if field is None:
        return True  # unknown: say less rather than more
    return field.annotation is SecretStr or SecretStr in get_args(field.annotation)


app = typer.Typer(
    cls=Commands,
    help="Konsensus: multi-informant consensus scoring for municipalities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@contextmanager
def refusals() -> Iterator[None]:
    """A refusal (a taken code, an unknown municipality) is one line and exit code 1."""
    try:
        yield
    except ServiceError as error:
        typer.echo(f"Refused: {error.detail or error.title}", err=True)
        raise typer.Exit(1) from None
    except NoResultFound:
        typer.echo("Refused: no municipality with that code.", err=True)
        raise typer.Exit(1) from None


def _engine(*, migrated: bool = True) -> Engine:
    """The configured database; with `migrated`, one this code's schema is in, or a one-line
    refusal (exit 3)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    if migrated:
        from service.ops.health import schema_state

        state = schema_state(engine)
        if state != "ok":
            typer.echo(f"Database not migrated ({state}): run `konsensus migrate` first.", err=True)
            raise typer.Exit(DATABASE_EXIT)
    return engine


@app.command()
def migrate() -> None:
    """Upgrade the database to the current schema and load the instrument catalogue."""
    from service.migrations import migrate as run

    loaded = run(_engine(migrated=False))
    typer.echo(f"Database at head; {loaded} catalogue instrument(s) loaded.")


@app.command()
def demo(
    scale: Annotated[
        ScaleName | None,
        typer.Option(
            help="Generate municipalities at scale instead: one with 3,000 children "
            "(municipality) or the 98 with 60,000 (national, PostgreSQL)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same data")] = 13,
    as_of: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The generated 'today'")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Only the first N municipalities of the scale")
    ] = None,
) -> None:
    """Load the demo municipality (idempotent), or generate data at scale."""
    from service.demo import load_demo

    if scale is None:
        created = load_demo(_engine())
        typer.echo("Demo municipality loaded." if created else "Demo municipality already present.")
        return
    _generate(scale, seed, (as_of or datetime.now(UTC)).date(), limit)


def _generate(scale: ScaleName, seed: int, as_of: date, limit: int | None) -> None:
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from service.db import is_sqlite
    from service.generator.run import GENERATED_PASSWORD, SCALES, generate, share_out

    settings = get_settings()
    if scale is ScaleName.NATIONAL and is_sqlite(settings.database_url):
        typer.echo(
            "Refused: the national scale is for PostgreSQL; set KONSENSUS_DATABASE_URL.", err=True
        )
        raise typer.Exit(1)
    spec = SCALES[scale]
    counts = share_out(spec.children, [p for *_, p in spec.municipalities])
    total = sum(counts[:limit] if limit else counts)
    engine = _engine()
    from service.migrations import migrate as run

    run(engine)
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task(f"Generating ({scale.value}, seed {seed})", total=total)
        result = generate(
            engine,
            scale,
            seed=seed,
            as_of=as_of,
            limit=limit,
            progress=lambda n: bar.advance(task, n),
        )
    engine.dispose()
    seconds = time.perf_counter() - started
    typer.echo(
        f"{len(result.municipalities)} municipalities, {result.children} children, "
        f"{result.rows} rows in {seconds:.0f} s"
        + (f"; already present: {', '.join(result.skipped)}" if result.skipped else "")
    )
    if result.municipalities:
        code = result.municipalities[0]
        typer.echo(
            f"  Log in as leder1@{code}.demo.konsensus.dk, admin1@{code}.demo.konsensus.dk or "
            f"sagsbehandler1@{code}.demo.konsensus.dk (password {GENERATED_PASSWORD}); "
            "other municipalities by their code."
        )


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
) -> None:
    """Serve the API with uvicorn."""
    # uvicorn imports the app by name, and a setting refused there would be its traceback.
    get_settings()
    uvicorn.run("service.main:app", host=host, port=port, workers=workers, proxy_headers=True)


@app.command()
def dev(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Migrate, load the demo municipality and serve: everything a laptop needs."""
    from service.auth.links import link_url
    from service.demo import (
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_INFORMANT_NAME,
        demo_logins,
        demo_meeting_round,
        load_demo,
        reissue_demo_link,
        reissue_family_link,
        reissue_session_links,
    )
    from service.migrations import migrate as run

    # Personal links, mails and problem types name the address served here, unless an
    # address was set: on another port, a copied link would otherwise lead nowhere.
    if "KONSENSUS_PUBLIC_BASE_URL" not in os.environ:
        os.environ["KONSENSUS_PUBLIC_BASE_URL"] = f"http://{host}:{port}"
        get_settings.cache_clear()
    settings = get_settings()
    engine = _engine(migrated=False)
    run(engine)
    load_demo(engine)
    token = reissue_demo_link(
        engine,
        settings.keyring(),
        datetime.now(UTC),
        base_url=f"http://{host}:{port}",
    )
    family = reissue_family_link(engine, settings.keyring(), datetime.now(UTC))
    meeting = demo_meeting_round(engine)
    standing = reissue_session_links(engine, settings.keyring(), datetime.now(UTC))
    engine.dispose()
    base = f"http://{host}:{port}"
    typer.echo("")
    typer.echo(f"Konsensus on {base}  (database: {settings.database_url})")
    typer.echo(f"  API docs:  {base}/api/docs")
    typer.echo(f"  Caseworker pages: {base}/login")
    if meeting:
        typer.echo(f"  Meeting page (Noah, divergent scores): {base}/rounds/{meeting}/meeting")
    typer.echo(
        "  Log in:    POST /api/v1/auth/token  (OAuth2 password grant), or 'Authorize' in the docs"
    )
    for login in demo_logins():
        typer.echo(f"    {login.role:<14} {login.username:<34} {login.password}")
    typer.echo(f"  Integrator (client credentials): {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET}")
    typer.echo("  These development credentials are refused when KONSENSUS_ENVIRONMENT=production.")
    if settings.email_backend == "files":
        typer.echo(
            "  Development mailbox (invitations as .eml files): "
            f"{shown_directory(settings.mailbox_dir)}"
        )
    if token:
        typer.echo(
            f"  Informant page ({DEMO_INFORMANT_NAME}, Emma's round; a new link at every start):"
        )
        typer.echo(f"    {link_url(base, token)}")
    if family:
        typer.echo("  The family's result (Emma's mother, her newest completed round):")
        typer.echo(f"    {link_url(base, family)}")
    if standing:
        typer.echo(
            "  Session forms (Noah's standing link, and Familiehuset Syd's view of his series):"
        )
        typer.echo(f"    {base}/s/{standing[0]}")
        typer.echo(f"    {base}/s/{standing[1]}")
    typer.echo(f"  Emma's progress (log in as the caseworker): {base}/cases")
    typer.echo("")
    uvicorn.run("service.main:app", host=host, port=port)


def shown_directory(path: str) -> str:
    """A directory as it was given: an absolute one as it is, a relative one from here."""
    shown = path.rstrip("/") + "/"
    if Path(path).is_absolute() or shown.startswith(("./", "../")):
        return shown
    return f"./{shown}"


@app.command()
def worker() -> None:
    """Deliver the outbox, seal the audit trail and work the leaders' figures out ahead in its
    own process (then run the service with KONSENSUS_DISPATCHER=off; each service instance
    seals too).

    Several workers and service instances can share one PostgreSQL database: a message is
    claimed by one of them at a time."""
    import asyncio
    import signal

    from service.clock import SystemClock
    from service.notifications.dispatcher import Dispatcher, Policy, senders_for
    from service.ops.audit_sealer import AuditSealer
    from service.ops.figures_ahead import FiguresAhead
    from service.usecases.data_rights.retention import Periods
    from service.usecases.procedure.schedule import run_tick

    settings = get_settings()
    engine = _engine()
    dispatcher = Dispatcher(
        engine,
        SystemClock(),
        Policy.of(settings),
        senders_for(settings, engine, SystemClock()),
        tick=partial(run_tick, base_url=settings.public_base_url, periods=Periods.of(settings)),
    )

    sealer = AuditSealer(engine, settings.audit_read_flush_seconds, settings.audit_seal_seconds)
    ahead = FiguresAhead(engine, SystemClock())

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo(
            "Delivering the outbox, sealing the audit trail and working the leaders' figures "
            "out ahead; Ctrl-C to stop."
        )
        await asyncio.gather(
            dispatcher.run(stop, settings.dispatcher_interval_seconds),
            sealer.run(stop),
            ahead.run(stop),
        )

    asyncio.run(main())
    engine.dispose()


@app.command()
def tick() -> None:
    """Do what time calls for now: close rounds at their due date (where the policy says so),
    report overdue rounds, open next rounds as drafts ahead (where wanted), and erase what
    retention says is due; and work the agreement report's views out ahead. The dispatcher
    and the figures' own loop do this every minute by themselves."""
    from service.usecases.data_rights.retention import Periods
    from service.usecases.procedure.schedule import run_tick
    from service.usecases.reports.agreement_ahead import work_ahead

    settings = get_settings()
    engine = _engine()
    result = run_tick(engine, datetime.now(UTC), settings.public_base_url, Periods.of(settings))
    ahead = work_ahead(engine, datetime.now(UTC))
    kept = result.retention
    typer.echo(
        f"closed {result.closed}, overdue reported {result.overdue}, drafts opened {result.opened}"
        + (
            f"; erased {kept.cases_erased} case(s), {kept.contacts_erased} informants' contact "
            "details"
            if kept
            else ""
        )
        + f"; agreement views worked out ahead {ahead.worked_out} of {ahead.checked}"
    )


@app.command("create-municipality")
def create_municipality(
    name: Annotated[str, typer.Option()],
    code: Annotated[str, typer.Option(help="Three-digit municipality code")],
    procedure: Annotated[Procedure, typer.Option(help="Adopted KL procedure")],
) -> None:
    """Create a municipality (tenant)."""
    from service.usecases.administration.municipality import create_municipality as create

    with refusals(), session_scope(_engine()) as session:
        mun = create(session, name=name, code=code, procedure=procedure)
        typer.echo(
            f"Municipality {mun.id}: {mun.name} ({mun.code}), procedure {mun.procedure.value}"
        )


@app.command("create-staff")
def create_staff(
    municipality_code: Annotated[str, typer.Option()],
    username: Annotated[str, typer.Option()],
    full_name: Annotated[str, typer.Option()],
    role: Annotated[StaffRole, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    team: Annotated[str | None, typer.Option(help="Team name; created if missing")] = None,
) -> None:
    """Create a staff user (the first administrator of a municipality, typically)."""
    from sqlmodel import select

    from service.models.municipality import Municipality, Team
    from service.schemas.municipality import StaffCreate
    from service.usecases.administration.municipality import create_staff as create

    with refusals(), session_scope(_engine()) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == municipality_code)).one()
        assert mun.id is not None
        team_id = None
        if team:
            found = session.exec(
                select(Team).where(Team.municipality_id == mun.id, Team.name == team)
            ).first()
            if found is None:
                found = Team(municipality_id=mun.id, name=team)
                session.add(found)
                session.flush()
            team_id = found.id
        data = StaffCreate(
            username=username,
            full_name=full_name,
            email=username,
            role=role,
            team_id=team_id,
            password=password,
        )
        user = create(session, None, data, municipality_id=mun.id)
        typer.echo(f"Staff user {user.id}: {user.username} ({user.role.value})")


@app.command("create-client")
def create_client(
    municipality_code: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    scope: Annotated[list[Scope], typer.Option(help="Repeat for several scopes")],
) -> None:
    """Register an integrator client; prints its id and secret once."""
    from sqlmodel import select

    from service.models.municipality import Municipality
    from service.schemas.municipality import ClientCreate
    from service.usecases.administration.municipality import create_client as create

    with refusals(), session_scope(_engine()) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == municipality_code)).one()
        assert mun.id is not None
        client, secret = create(
            session, None, ClientCreate(name=name, scopes=scope), municipality_id=mun.id
        )
        typer.echo(f"client_id:     {client.client_id}\nclient_secret: {secret}  (shown once)")


@app.command("export-openapi")
def export_openapi(path: Annotated[str, typer.Option()] = "openapi/openapi.json") -> None:
    """Write the OpenAPI document that is committed as the API contract."""
    from service.main import write_openapi

    write_openapi(path)
    typer.echo(f"Wrote {path}")


audit_commands = typer.Typer(help="The audit trail and its hash chains.", no_args_is_help=True)
app.add_typer(audit_commands, name="audit")


@audit_commands.command("verify")
def audit_verify(
    municipality_code: Annotated[str | None, typer.Option(help="One municipality only")] = None,
    seal: Annotated[
        bool, typer.Option(help="Seal the events written so far first (as the sealer would)")
    ] = False,
) -> None:
    """Walk each municipality's audit chain from its first event: every changed, removed or
    inserted event is reported, and the exit code is 1."""
    from sqlmodel import col, select

    from service.models import audit_chain
    from service.models.municipality import Municipality

    broken = 0
    engine = _engine()
    if seal:
        typer.echo(f"Sealed {audit_chain.seal_pending(engine)} events.")
    with session_scope(engine, write=False) as session:
        query = select(Municipality).order_by(col(Municipality.code))
        if municipality_code:
            query = query.where(Municipality.code == municipality_code)
        municipalities = session.exec(query).all()
        if not municipalities:
            typer.echo("Refused: no municipality with that code.", err=True)
            raise typer.Exit(1)
        for municipality in municipalities:
            verdict = audit_chain.verify(session, municipality.id or 0)
            name = f"{municipality.code} {municipality.name}"
            waiting = f"; {verdict.unsealed} not sealed yet" if verdict.unsealed else ""
            if verdict.intact:
                typer.echo(f"{name}: {verdict.events} events, chain intact{waiting}")
                continue
            broken += 1
            typer.echo(
                f"{name}: {verdict.events} events{waiting}, {len(verdict.problems)} problem(s):"
            )
            for problem in verdict.problems:
                typer.echo(f"  {problem}")
    if broken:
        raise typer.Exit(1)


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="File to write the backup to")]) -> None:
    """Write a consistent backup of the database while the service runs (SQLite: the online
    backup API; PostgreSQL: pg_dump's custom format)."""
    from service.ops.backup import BackupError
    from service.ops.backup import backup as run

    try:
        done = run(get_settings().database_url, path)
    except BackupError as error:
        typer.echo(f"Refused: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Backup written to {done.path} ({done.size:,} bytes in {done.seconds:.1f} s).")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `konsensus backup`")],
) -> None:
    """Restore a backup into the configured database, which must be new or empty, and analyse
    it for the query planner; then run `konsensus migrate` if the backup is from an older
    release."""
    from service.ops.backup import BackupError
    from service.ops.backup import restore as run

    try:
        done = run(path, get_settings().database_url)
    except BackupError as error:
        typer.echo(f"Refused: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Restored {path} and gathered the planner's statistics in {done.seconds:.1f} s.")


@app.command("export-person")
def export_person(
    municipality_code: Annotated[str, typer.Option()],
    case_ref: Annotated[
        str | None, typer.Option(help="The child's case, by the case system's reference")
    ] = None,
    email: Annotated[str | None, typer.Option(help="An informant, by email address")] = None,
    phone: Annotated[str | None, typer.Option(help="An informant, by phone number")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write here (default: standard output)")
    ] = None,
    pdf: Annotated[
        bool, typer.Option(help="A readable PDF instead of JSON (needs --output)")
    ] = False,
) -> None:
    """Answer an access request (GDPR art. 15): everything held about a child (by case) or an
    informant (by email or phone), as JSON. The export is recorded in the audit trail."""
    import json

    from sqlmodel import select

    from service.models import tenancy
    from service.models.case import Case
    from service.models.municipality import Municipality
    from service.usecases.data_rights import access_request, audit

    if (case_ref is None) == (email is None and phone is None):
        typer.echo("Refused: give either --case-ref, or --email / --phone.", err=True)
        raise typer.Exit(1)
    with refusals(), session_scope(_engine()) as session:
        municipality = session.exec(
            select(Municipality).where(Municipality.code == municipality_code)
        ).one()
        mid = municipality.id or 0
        tenancy.bind_session(session, mid)
        if case_ref is not None:
            case = session.exec(select(Case).where(Case.external_ref == case_ref)).first()
            if case is None:
                typer.echo(f"Refused: no case {case_ref!r} in {municipality.name}.", err=True)
                raise typer.Exit(1)
            record = access_request.child_record(session, case)
            audit.record_system(
                session, mid, "case.access_request", "case", case.id or 0, case_id=case.id
            )
        else:
            record = access_request.informant_record(session, email=email, phone=phone)
            audit.record_system(session, mid, "informant.access_request", "informant", "-")
    if pdf:
        from service.reports.access_request import pdf as layout

        if output is None:
            typer.echo("Refused: a PDF needs --output.", err=True)
            raise typer.Exit(1)
        output.write_bytes(layout(record, datetime.now(UTC)))
        typer.echo(f"Wrote {output}.", err=True)
        return
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}.", err=True)


if __name__ == "__main__":  # `python -m service.cli`, as `konsensus`
    app()
