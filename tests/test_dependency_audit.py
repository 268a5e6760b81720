"""The dependency audit fails on a known vulnerability in the locked set, and never passes
an unreachable vulnerability database off as a clean audit."""

from __future__ import annotations

from tools.audit_dependencies import judge

# The shape of `pip-audit --format json`: a vulnerable pin, a clean one, one not checked.
VULNERABLE = {
    "dependencies": [
        {
            "name": "jinja2",
            "version": "2.10",
            "vulns": [
                {
                    "id": "PYSEC-2019-217",
                    "fix_versions": ["2.10.1"],
                    "aliases": [],
                    "description": "",
                }
            ],
        },
        {"name": "fastapi", "version": "0.118.0", "vulns": []},
    ],
    "fixes": [],
}
UNREACHABLE = {
    "dependencies": [
        {
            "name": name,
            "version": "1.0",
            "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)",
        }
        for name in ("fastapi", "jinja2")
    ],
    "fixes": [],
}


def test_a_known_vulnerability_fails_the_audit() -> None:
    verdict = judge(VULNERABLE, required=False)
    assert verdict.code == 1
    assert any("jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)" in line for line in verdict.lines)


def test_clean_when_every_package_was_checked() -> None:
    clean = {"dependencies": [{"name": "fastapi", "version": "0.118.0", "vulns": []}]}
    verdict = judge(clean, required=True)
    assert verdict.code == 0 and "no known vulnerabilities" in verdict.lines[0]


def test_an_unreachable_database_is_said_and_fails_where_required() -> None:
    relaxed = judge(UNREACHABLE, required=False)
    assert relaxed.code == 0 and relaxed.lines[0].startswith("pip-audit: NOT AUDITED")
    assert judge(UNREACHABLE, required=True).code == 1
