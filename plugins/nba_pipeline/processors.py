"""The processor registry: the one list of phase 3 and phase 4 processors.

The DAG, the duplicate checks, completion records, health and reconcile all read it; no
other list of processors exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Processor:
    """One transform: a single MERGE from ``include/sql/phase{phase}/{name}.sql`` into ``name``.

    ``date_offset`` says which date the processor writes for a run of business date D:
    0 writes D (post-game), 1 writes D + 1 (pre-game context and phase 4).
    ``reads_earlier_dates``: a phase 3 processor that reads other dates' phase 3 history, so
    it starts only after the cross-date guard (phase 4 always waits for it, through the phase 3
    record).
    """

    name: str
    lock_class: str
    phase: int
    layer: str
    key: tuple[str, ...]
    date_offset: int
    upstream: tuple[str, ...] = ()
    description: str = ""
    reads_earlier_dates: bool = False

    @property
    def table(self) -> str:
        return self.name

    @property
    def dataset(self) -> str:
        """The dataset of the table, from settings (``analytics`` or ``precompute`` layer)."""
        from nba_pipeline.config import settings

        return settings().dataset_for(self.layer)

    @property
    def date_column(self) -> str:
        return self.key[0]

    @property
    def sql_path(self) -> str:
        return f"phase{self.phase}/{self.name}.sql"

    @property
    def post_game(self) -> bool:
        return self.phase == 3 and self.date_offset == 0

    def target_date(self, business_date: dt.date) -> dt.date:
        return business_date + dt.timedelta(days=self.date_offset)

    def lock_key(self, business_date: dt.date) -> str:
        """The legacy lock document id, on the date the processor writes."""
        return f"{self.lock_class}_{self.target_date(business_date).isoformat()}"


PROCESSORS: tuple[Processor, ...] = (
    Processor(
        "team_offense_game_summary", "TeamOffenseGameSummaryProcessor", 3, "analytics",
        ("game_date", "team_abbr"), 0,
        description="Team box score per game: possessions, offensive rating, pace, overtime.",
    ),
    Processor(
        "team_defense_game_summary", "TeamDefenseGameSummaryProcessor", 3, "analytics",
        ("game_date", "defending_team_abbr"), 0,
        description="What each team allowed per game: opponent points, possessions, defensive rating.",
    ),
    Processor(
        "upcoming_team_game_context", "UpcomingTeamGameContextProcessor", 3, "analytics",
        ("game_date", "team_abbr"), 1,
        description="Pre-game context per team for D + 1: rest, back-to-back, spread, total, injuries.",
    ),
    Processor(
        "player_game_summary", "PlayerGameSummaryProcessor", 3, "analytics",
        ("game_date", "player_lookup"), 0, upstream=("team_offense_game_summary",),
        description="Player line per game with usage, true shooting, points line and over/under result.",
    ),
    Processor(
        "upcoming_player_game_context", "UpcomingPlayerGameContextProcessor", 3, "analytics",
        ("game_date", "player_lookup"), 1, upstream=("player_game_summary",),
        description="Pre-game context per player for D + 1: team, points line, injury status, recent form.",
        reads_earlier_dates=True,
    ),
    Processor(
        "team_defense_zone_analysis", "TeamDefenseZoneAnalysisProcessor", 4, "precompute",
        ("analysis_date", "team_abbr"), 1,
        description="Shot-zone percentages each team allowed over its last 15 games.",
    ),
    Processor(
        "player_shot_zone_analysis", "PlayerShotZoneAnalysisProcessor", 4, "precompute",
        ("analysis_date", "player_lookup"), 1,
        description="Player shot-zone shares and percentages over the last 10 and 20 games.",
    ),
    Processor(
        "player_daily_cache", "PlayerDailyCacheProcessor", 4, "precompute",
        ("cache_date", "player_lookup"), 1, upstream=("player_shot_zone_analysis",),
        description="Rolling player averages (points, minutes, usage, true shooting) for the day.",
    ),
    Processor(
        "player_composite_factors", "PlayerCompositeFactorsProcessor", 4, "precompute",
        ("game_date", "player_lookup"), 1,
        upstream=("player_shot_zone_analysis", "team_defense_zone_analysis"),
        description="Fatigue, shot-zone mismatch and pace scores for each player's next game.",
    ),
    Processor(
        "ml_feature_store", "MlFeatureStoreProcessor", 4, "precompute",
        ("game_date", "player_lookup"), 1, upstream=("player_daily_cache", "player_composite_factors"),
        description="One versioned feature row per player for the prediction models.",
    ),
)

BY_NAME: dict[str, Processor] = {p.name: p for p in PROCESSORS}


def get(name: str) -> Processor:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"unknown processor {name!r}; known: {', '.join(sorted(BY_NAME))}"
        ) from None


def phase(number: int) -> tuple[Processor, ...]:
    return tuple(p for p in PROCESSORS if p.phase == number)


def validate_names(names) -> list[str]:
    """Check a user-given list of processor names; raise one error naming every unknown one."""
    names = list(names or [])
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:
        raise ValueError(
            f"unknown processor(s): {', '.join(unknown)}; known: {', '.join(p.name for p in PROCESSORS)}"
        )
    return names
