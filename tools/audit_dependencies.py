"""Audit the locked dependencies (`requirements.lock`) for known vulnerabilities with
pip-audit, and say plainly when that could not be done.

    .venv/bin/python -m tools.audit_dependencies [--lock requirements.lock]

Exit 1 when a locked package has a known vulnerability. When pip-audit cannot reach its
vulnerability database (PyPI's per-release JSON, or OSV), nothing was audited: that is said
in one line, and it is a failure only with KONSENSUS_AUDIT_REQUIRED=1 (set it where the
database can be reached, so that an outage cannot pass for a clean audit).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Verdict:
    code: int
    lines: list[str] = field(default_factory=list)


def judge(report: dict[str, Any], *, required: bool) -> Verdict:
    """What pip-audit's JSON report means for the build."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    if vulnerable:
        lines = [f"pip-audit: {len(vulnerable)} locked package(s) with known vulnerabilities:"]
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
                name = f"{dependency['name']} {dependency['version']}"
                lines.append(f"  {name}: {vuln['id']} (fixed in {fixed})")
        return Verdict(1, lines)
    if skipped and audited == 0:
        reason = str(skipped[0]["skip_reason"])
        return Verdict(
            1 if required else 0,
            [
                f"pip-audit: NOT AUDITED: none of the {len(dependencies)} locked packages could "
                f"be checked; the vulnerability database is out of reach ({reason})"
            ],
        )
    lines = [f"pip-audit: {audited} locked packages, no known vulnerabilities"]
    if skipped:
        lines.append(
            f"pip-audit: {len(skipped)} not checked: "
            + ", ".join(f"{d['name']} {d['version']}" for d in skipped)
        )
    return Verdict(1 if (required and skipped) else 0, lines)


def run(lock: Path, service: str, timeout: int) -> dict[str, Any] | str:
    """pip-audit's JSON report, or why there is none."""
    pip_audit = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or "pip-audit"
    result = subprocess.run(
        [
            pip_audit,
            "--requirement",
            str(lock),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--timeout",
            str(timeout),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(result.stdout)
        return report
    except json.JSONDecodeError:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return lines[-1] if lines else f"pip-audit exited {result.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lock", type=Path, default=Path("requirements.lock"))
    parser.add_argument("--service", default="pypi", choices=("pypi", "osv"))
    parser.add_argument("--timeout", type=int, default=20)
    args = parser.parse_args()
    required = os.environ.get("KONSENSUS_AUDIT_REQUIRED") == "1"
    report = run(args.lock, args.service, args.timeout)
    if isinstance(report, str):
        verdict = Verdict(
            1 if required else 0,
            [f"pip-audit: NOT AUDITED: the vulnerability database is out of reach ({report})"],
        )
    else:
        verdict = judge(report, required=required)
    for line in verdict.lines:
        print(line)
    raise SystemExit(verdict.code)


if __name__ == "__main__":
    main()
