"""Every `pattern` in the contract is read alike by the service and by its clients.

The service checks a declared pattern with pydantic-core, which compiles a pattern given as
text with Rust's `regex` crate (its default `regex_engine`, "rust-regex"; only a compiled
`re.Pattern` would be read by Python's `re`): there `\\w`, `\\d` and `\\s` are Unicode-aware.
A client, and the fuzzer, read the same text as JSON Schema 2020-12 says, as an ECMA-262
regular expression with the `u` flag, where `\\w` and `\\d` are ASCII and `\\s` is another
set of blanks. A pattern must give the same verdict for every probe under both readings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from service.api.idempotency import _KEY as IDEMPOTENCY_KEY
from service.main import create_app

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

#: Characters each reading may place differently: ASCII, Latin-1 letters, astral letters and
#: digits of other scripts, every Unicode blank either engine (or Python's strip) knows,
#: control characters and NUL.
CHARACTERS = (
    [chr(c) for c in range(0x20, 0x7F)]
    + list("æøåÆØÅéüßÿ")
    + ["𰎮", "𝒜", "𐐀", "中", "ж", "٣", "५", "\U0001f600", "\u00b2", "\u2160"]
    + [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"]
    + ["\t", "\n", "\v", "\f", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85"]
    + ["\u2028", "\u2029", "\ufeff", "\u180e", "\u200b", "\u200c", "\u200d", "\u2060"]
    + ["\x00", "\x01", "\x1b", "\x7f", "\x80", "\x9f", "\u00ad"]
)


def _probes() -> list[str]:
    """Each character alone, inside, before and after visible text; and whole values."""
    probes = ["", "a", "A1", "abc-123", "DUBU:2024/00017", "x_y.z", "+4512345678", "4512 3456"]
    probes += ["user@example.dk", "kl1", "a b", " a", "a ", "a\n", "\na", "a\nb", "ok\x00"]
    for c in CHARACTERS:
        probes += [c, f"a{c}b", f"{c}a", f"a{c}", c * 3, f"1234567{c}"]
    return list(dict.fromkeys(probes))


PROBES = _probes()


#: Where a pattern stands: the keys and indexes from the document's root.
Where = tuple[str | int, ...]


def _patterns(document: dict[str, Any]) -> dict[Where, str]:
    """Every declared pattern by where it stands in the document."""
    found: dict[Where, str] = {}

    def walk(node: Any, where: Where) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found[where] = value
                else:
                    walk(value, (*where, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*where, index))

    walk(document, ())
    return found


def _idempotency_keys(document: dict[str, Any]) -> set[Where]:
    """Where the Idempotency-Key header's schema stands."""
    found: set[Where] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for index, parameter in enumerate(operation.get("parameters", [])):
                if parameter["in"] == "header" and parameter["name"] == "Idempotency-Key":
                    found.add(("paths", path, method, "parameters", index, "schema"))
    return found


@cache
def _document() -> dict[str, Any]:
    return create_app().openapi()


def _served() -> dict[Where, str]:
    return _patterns(_document())


def _ecma_verdicts(patterns: list[str]) -> dict[str, list[bool] | str]:
    """ECMA-262 as Node reads it, `new RegExp(p, 'u')` as JSON Schema 2020-12 means; one
    Node for every pattern and probe. A pattern Node cannot compile maps to its error."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is needed to read the patterns as ECMA-262 does (CI=true)")
        pytest.skip("node is not installed: the patterns' ECMA-262 reading is not checked")
    script = """
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const p of input.patterns) {
  try {
    const re = new RegExp(p, 'u');
    out[p] = input.probes.map((s) => re.test(s));
  } catch (e) {
    out[p] = String(e);
  }
}
process.stdout.write(JSON.stringify(out));
"""
    done = subprocess.run(
        [node, "-e", script],
        input=json.dumps({"patterns": patterns, "probes": PROBES}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    verdicts: dict[str, list[bool] | str] = json.loads(done.stdout)
    return verdicts


def _pydantic_reading(pattern: str) -> Callable[[str], bool]:
    """The service's reading: a StringConstraints pattern, checked by pydantic-core with the
    engine the schemas use (none of them sets `regex_engine`)."""
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])

    def matches(probe: str) -> bool:
        try:
            adapter.validate_python(probe)
        except ValidationError:
            return False
        return True

    return matches


def _idempotency_key_reading(probe: str) -> bool:
    """The Idempotency-Key header is read by the idempotency layer itself, as bytes."""
    try:
        return IDEMPOTENCY_KEY.fullmatch(probe.encode("latin-1")) is not None
    except UnicodeEncodeError:  # not a header value at all
        return False


def _service_readings(where: Where, pattern: str) -> Iterator[Callable[[str], bool]]:
    yield _pydantic_reading(pattern)
    if where in _idempotency_keys(_document()):
        yield _idempotency_key_reading


def _at(where: Where) -> str:
    return "/".join(str(step) for step in where)


def test_the_committed_contract_declares_the_served_patterns() -> None:
    committed = _patterns(json.loads(COMMITTED.read_text(encoding="utf-8")))
    assert committed == _served(), "run `konsensus export-openapi` and commit the document"


def test_no_schema_reads_its_patterns_with_another_engine() -> None:
    from pydantic import BaseModel

    import service.schemas as package

    engines = set()
    for module_path in Path(package.__file__).parent.glob("*.py"):
        module = __import__(f"service.schemas.{module_path.stem}", fromlist=["_"])
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel):
                engines.add(value.model_config.get("regex_engine", "rust-regex"))
    assert engines == {"rust-regex"}


def test_every_pattern_reads_alike_in_the_service_and_in_ecma_262() -> None:
    served = _served()
    assert served, "the document declares no pattern: the probe has nothing to read"
    ecma = _ecma_verdicts(sorted(set(served.values())))
    disagreements = []
    for where, pattern in sorted(served.items()):
        verdicts = ecma[pattern]
        if isinstance(verdicts, str):
            disagreements.append(f"{_at(where)}: {pattern!r} is no ECMA-262 ({verdicts})")
            continue
        for reading in _service_readings(where, pattern):
            for probe, client in zip(PROBES, verdicts, strict=True):
                if reading(probe) != client:
                    disagreements.append(
                        f"{_at(where)}: {pattern!r} on {probe!r}: service {not client}, "
                        f"ECMA-262 {client}"
                    )
    assert not disagreements, "\n".join(disagreements[:40])


def test_an_external_reference_is_ascii_under_both_readings() -> None:
    from service.schemas.cases import ExternalRef

    adapter: TypeAdapter[str] = TypeAdapter(ExternalRef)
    assert adapter.validate_python("DUBU:2024/00017-a_b.c") == "DUBU:2024/00017-a_b.c"
    for refused in ("𰎮", "sag-æ", "a b", "a\x00b"):
        with pytest.raises(ValidationError):
            adapter.validate_python(refused)
