"""The load a municipality of 100,000 inhabitants makes on a busy day, derived in numbers.

Children with a measure. The generated municipality (`konsensus demo --scale municipality`)
has 1,274 active cases: 1.3% of 100,000 inhabitants, above the national share of children and
young people with a measure under Barnets Lov (some 50,000 of 5.9 M inhabitants, 0.85%), so
the rates below err on the busy side.

Rounds a year. Procedures 1 and 3 follow up every six months, procedure 2 every four
(DOMAIN.md, section 5); take the four months (3 rounds a year a child), and add one round for
each new case (the Århus cadence's intake and its quick check three months on: the generated
municipality takes in about 600 children a year): 1,274 x 3 + 600 = 4,422 rounds a year.

Working days and hours. Rounds are opened and scored on working days (220 a year: 52 weeks
less public holidays, the summer and Christmas weeks), 8 working hours a day (8-16). A busy
day has twice the average day's rounds (they bunch before the holidays and the schools'
terms), and its busiest hour twice the day's average hour.

Per round. About five informants with a personal link (the generated rounds have 4.5
informants; procedure 3 hears the child, both parents, the school or daycare and the
provider), each submitting once; the caseworker opens the round, adds them and issues their
links (an invitation email each), and opens the meeting page about six times (preparing,
and during the meeting). Around it the caseworkers (48 at the generated municipality) look
at their cases about ten times an hour each, the six team leaders open a report every 15
minutes, and the case system polls once a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How many of each kind of user Locust starts (`bench/load/locustfile.py`); each keeps the
#: pace that makes its share of the hour.
USERS = {
    "Informant": 8,
    "Caseworker": 8,
    "RoundOpener": 2,
    "MeetingLeader": 2,
    "TeamLeader": 2,
    "CaseSystem": 1,
}


@dataclass(frozen=True)
class Municipality:
    """What the rates are derived from; the defaults are the derivation above."""

    active_cases: int = 1274
    new_cases_a_year: int = 600
    follow_up_months: int = 4
    working_days: int = 220
    working_hours: int = 8
    busy_day: float = 2.0  # the busy day against the average day
    busy_hour: float = 2.0  # the busy day's busiest hour against its average hour
    informants_per_round: int = 5
    meeting_views_per_round: int = 6
    caseworkers: int = 48
    case_views_per_caseworker_hour: int = 10
    team_leaders: int = 6
    reports_per_leader_hour: int = 4
    case_system_polls_an_hour: int = 60


@dataclass(frozen=True)
class HourlyLoad:
    """What happens in the busiest hour of a busy day, per hour."""

    rounds_a_year: int
    rounds: float  # rounds opened (each: the round, its informants, their links)
    submissions: float  # informants submitting through their link
    invitations: float  # emails sent with a link
    meeting_views: float
    case_views: float  # the caseworkers' cases list, a case, a round
    report_views: float
    polls: float

    def scaled(self, factor: float) -> HourlyLoad:
        return HourlyLoad(
            self.rounds_a_year,
            self.rounds * factor,
            self.submissions * factor,
            self.invitations * factor,
            self.meeting_views * factor,
            self.case_views * factor,
            self.report_views * factor,
            self.polls * factor,
        )

    def lines(self) -> list[str]:
        return [
            f"rounds opened {self.rounds:.0f}/h, submissions {self.submissions:.0f}/h, "
            f"invitations {self.invitations:.0f}/h, meeting views {self.meeting_views:.0f}/h",
            f"caseworkers' page views {self.case_views:.0f}/h, report views "
            f"{self.report_views:.0f}/h, case system polls {self.polls:.0f}/h",
        ]


def busy_hour(m: Municipality = Municipality()) -> HourlyLoad:
    """The busiest hour of a busy day at `m` (see the module's text for the reasoning)."""
    rounds_a_year = m.active_cases * 12 // m.follow_up_months + m.new_cases_a_year
    a_day = rounds_a_year / m.working_days * m.busy_day
    rounds = a_day / m.working_hours * m.busy_hour
    submissions = rounds * m.informants_per_round
    return HourlyLoad(
        rounds_a_year=rounds_a_year,
        rounds=rounds,
        submissions=submissions,
        invitations=submissions,
        meeting_views=rounds * m.meeting_views_per_round,
        case_views=float(m.caseworkers * m.case_views_per_caseworker_hour),
        report_views=float(m.team_leaders * m.reports_per_leader_hour),
        polls=float(m.case_system_polls_an_hour),
    )
