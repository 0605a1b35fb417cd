"""The 30 teams: tricode, conference, division and usual home tip-off times in ET."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    abbr: str
    conference: str
    division: str
    tip_hours_et: tuple[float, ...]  # usual home tip-off times, ET hours (19.5 = 7:30 PM)


_EAST_TIPS = (19.0, 19.0, 19.5, 19.5)
_CENTRAL_TIPS = (20.0, 20.0, 20.5)
_MOUNTAIN_TIPS = (21.0, 21.0, 21.5)
_PACIFIC_TIPS = (22.0, 22.0, 22.5)

TEAMS: tuple[Team, ...] = (
    Team("BOS", "East", "Atlantic", _EAST_TIPS),
    Team("BKN", "East", "Atlantic", _EAST_TIPS),
    Team("NYK", "East", "Atlantic", _EAST_TIPS),
    Team("PHI", "East", "Atlantic", _EAST_TIPS),
    Team("TOR", "East", "Atlantic", _EAST_TIPS),
    Team("CHI", "East", "Central", _CENTRAL_TIPS),
    Team("CLE", "East", "Central", _EAST_TIPS),
    Team("DET", "East", "Central", _EAST_TIPS),
    Team("IND", "East", "Central", _EAST_TIPS),
    Team("MIL", "East", "Central", _CENTRAL_TIPS),
    Team("ATL", "East", "Southeast", _EAST_TIPS),
    Team("CHA", "East", "Southeast", _EAST_TIPS),
    Team("MIA", "East", "Southeast", _EAST_TIPS),
    Team("ORL", "East", "Southeast", _EAST_TIPS),
    Team("WAS", "East", "Southeast", _EAST_TIPS),
    Team("DEN", "West", "Northwest", _MOUNTAIN_TIPS),
    Team("MIN", "West", "Northwest", _CENTRAL_TIPS),
    Team("OKC", "West", "Northwest", _CENTRAL_TIPS),
    Team("POR", "West", "Northwest", _PACIFIC_TIPS),
    Team("UTA", "West", "Northwest", _MOUNTAIN_TIPS),
    Team("GSW", "West", "Pacific", _PACIFIC_TIPS),
    Team("LAC", "West", "Pacific", _PACIFIC_TIPS),
    Team("LAL", "West", "Pacific", _PACIFIC_TIPS),
    Team("PHX", "West", "Pacific", _MOUNTAIN_TIPS),
    Team("SAC", "West", "Pacific", _PACIFIC_TIPS),
    Team("DAL", "West", "Southwest", _CENTRAL_TIPS),
    Team("HOU", "West", "Southwest", _CENTRAL_TIPS),
    Team("MEM", "West", "Southwest", _CENTRAL_TIPS),
    Team("NOP", "West", "Southwest", _CENTRAL_TIPS),
    Team("SAS", "West", "Southwest", _CENTRAL_TIPS),
)
TEAM_ABBRS: tuple[str, ...] = tuple(t.abbr for t in TEAMS)
BY_ABBR: dict[str, Team] = {t.abbr: t for t in TEAMS}
