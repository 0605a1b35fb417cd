"""The 30 teams: tricode, NBA.com id, names, arena, conference, division and home tip-off times."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    abbr: str
    conference: str
    division: str
    tip_hours_et: tuple[float, ...]  # usual home tip-off times, ET hours (19.5 = 7:30 PM)
    team_id: int  # NBA.com team id
    city: str  # as NBA.com writes it ("LA" for the Clippers)
    name: str  # nickname: "Celtics"
    arena: str  # home arena, as of the 2024-25 season
    arena_city: str
    arena_state: str
    arena_timezone: str

    @property
    def full_name(self) -> str:
        """The name The Odds API and ESPN use: "Boston Celtics", "Los Angeles Clippers"."""
        return f"{'Los Angeles' if self.city == 'LA' else self.city} {self.name}"


_EAST_TIPS = (19.0, 19.0, 19.5, 19.5)
_CENTRAL_TIPS = (20.0, 20.0, 20.5)
_MOUNTAIN_TIPS = (21.0, 21.0, 21.5)
_PACIFIC_TIPS = (22.0, 22.0, 22.5)
_NY, _CHI, _DEN, _LA = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

TEAMS: tuple[Team, ...] = (
    Team("BOS", "East", "Atlantic", _EAST_TIPS, 1610612738, "Boston", "Celtics", "TD Garden", "Boston", "MA", _NY),
    Team("BKN", "East", "Atlantic", _EAST_TIPS, 1610612751, "Brooklyn", "Nets", "Barclays Center", "Brooklyn", "NY", _NY),
    Team("NYK", "East", "Atlantic", _EAST_TIPS, 1610612752, "New York", "Knicks", "Madison Square Garden",
         "New York", "NY", _NY),
    Team("PHI", "East", "Atlantic", _EAST_TIPS, 1610612755, "Philadelphia", "76ers", "Wells Fargo Center",
         "Philadelphia", "PA", _NY),
    Team("TOR", "East", "Atlantic", _EAST_TIPS, 1610612761, "Toronto", "Raptors", "Scotiabank Arena", "Toronto", "ON",
         "America/Toronto"),
    Team("CHI", "East", "Central", _CENTRAL_TIPS, 1610612741, "Chicago", "Bulls", "United Center", "Chicago", "IL", _CHI),
    Team("CLE", "East", "Central", _EAST_TIPS, 1610612739, "Cleveland", "Cavaliers", "Rocket Mortgage FieldHouse",
         "Cleveland", "OH", _NY),
    Team("DET", "East", "Central", _EAST_TIPS, 1610612765, "Detroit", "Pistons", "Little Caesars Arena", "Detroit", "MI",
         "America/Detroit"),
    Team("IND", "East", "Central", _EAST_TIPS, 1610612754, "Indiana", "Pacers", "Gainbridge Fieldhouse", "Indianapolis",
         "IN", "America/Indiana/Indianapolis"),
    Team("MIL", "East", "Central", _CENTRAL_TIPS, 1610612749, "Milwaukee", "Bucks", "Fiserv Forum", "Milwaukee", "WI",
         _CHI),
    Team("ATL", "East", "Southeast", _EAST_TIPS, 1610612737, "Atlanta", "Hawks", "State Farm Arena", "Atlanta", "GA", _NY),
    Team("CHA", "East", "Southeast", _EAST_TIPS, 1610612766, "Charlotte", "Hornets", "Spectrum Center", "Charlotte",
         "NC", _NY),
    Team("MIA", "East", "Southeast", _EAST_TIPS, 1610612748, "Miami", "Heat", "Kaseya Center", "Miami", "FL", _NY),
    Team("ORL", "East", "Southeast", _EAST_TIPS, 1610612753, "Orlando", "Magic", "Kia Center", "Orlando", "FL", _NY),
    Team("WAS", "East", "Southeast", _EAST_TIPS, 1610612764, "Washington", "Wizards", "Capital One Arena", "Washington",
         "DC", _NY),
    Team("DEN", "West", "Northwest", _MOUNTAIN_TIPS, 1610612743, "Denver", "Nuggets", "Ball Arena", "Denver", "CO", _DEN),
    Team("MIN", "West", "Northwest", _CENTRAL_TIPS, 1610612750, "Minnesota", "Timberwolves", "Target Center",
         "Minneapolis", "MN", _CHI),
    Team("OKC", "West", "Northwest", _CENTRAL_TIPS, 1610612760, "Oklahoma City", "Thunder", "Paycom Center",
         "Oklahoma City", "OK", _CHI),
    Team("POR", "West", "Northwest", _PACIFIC_TIPS, 1610612757, "Portland", "Trail Blazers", "Moda Center", "Portland",
         "OR", _LA),
    Team("UTA", "West", "Northwest", _MOUNTAIN_TIPS, 1610612762, "Utah", "Jazz", "Delta Center", "Salt Lake City", "UT",
         _DEN),
    Team("GSW", "West", "Pacific", _PACIFIC_TIPS, 1610612744, "Golden State", "Warriors", "Chase Center",
         "San Francisco", "CA", _LA),
    Team("LAC", "West", "Pacific", _PACIFIC_TIPS, 1610612746, "LA", "Clippers", "Intuit Dome", "Inglewood", "CA", _LA),
    Team("LAL", "West", "Pacific", _PACIFIC_TIPS, 1610612747, "Los Angeles", "Lakers", "Crypto.com Arena", "Los Angeles",
         "CA", _LA),
    Team("PHX", "West", "Pacific", _MOUNTAIN_TIPS, 1610612756, "Phoenix", "Suns", "Footprint Center", "Phoenix", "AZ",
         "America/Phoenix"),
    Team("SAC", "West", "Pacific", _PACIFIC_TIPS, 1610612758, "Sacramento", "Kings", "Golden 1 Center", "Sacramento",
         "CA", _LA),
    Team("DAL", "West", "Southwest", _CENTRAL_TIPS, 1610612742, "Dallas", "Mavericks", "American Airlines Center",
         "Dallas", "TX", _CHI),
    Team("HOU", "West", "Southwest", _CENTRAL_TIPS, 1610612745, "Houston", "Rockets", "Toyota Center", "Houston", "TX",
         _CHI),
    Team("MEM", "West", "Southwest", _CENTRAL_TIPS, 1610612763, "Memphis", "Grizzlies", "FedExForum", "Memphis", "TN",
         _CHI),
    Team("NOP", "West", "Southwest", _CENTRAL_TIPS, 1610612740, "New Orleans", "Pelicans", "Smoothie King Center",
         "New Orleans", "LA", _CHI),
    Team("SAS", "West", "Southwest", _CENTRAL_TIPS, 1610612759, "San Antonio", "Spurs", "Frost Bank Center",
         "San Antonio", "TX", _CHI),
)
TEAM_ABBRS: tuple[str, ...] = tuple(t.abbr for t in TEAMS)
BY_ABBR: dict[str, Team] = {t.abbr: t for t in TEAMS}
# Basketball-Reference's codes where they differ from the league's (the gamebook records the one used).
BR_CODES = {"BKN": "BRK", "CHA": "CHO", "PHX": "PHO"}
