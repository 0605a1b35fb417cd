"""The processor registry: the one list of phase 3 and phase 4 processors.

The DAG, the duplicate checks, completion records, health and reconcile all read it; no
other list of processors exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from nba_pipeline import feature_store


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
    # The content columns the row's data_hash covers (the platform processor's HASH_FIELDS).
    hash_fields: tuple[str, ...] = ()
    # The key of the processor's entry in the completion records, when the platform's differs
    # from the table name (its phase 4 orchestration names the feature store ``ml_feature_store``).
    completion_name: str = ""
    # SQL the package renders from its own data into the processor's file (see ``load_sql``).
    fragments: Callable[[], Mapping[str, str]] | None = None

    @property
    def completion_key(self) -> str:
        return self.completion_name or self.name

    def sql_fragments(self) -> Mapping[str, str]:
        return self.fragments() if self.fragments else {}

    @property
    def table(self) -> str:
        return self.name

    @property
    def dataset(self) -> str:
        """The dataset of the table, from settings (its layer: ``analytics``, ``precompute``
        or ``predictions``)."""
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
        """Writes D's game results: the history later dates read, so the cross-date guard waits for these."""
        return self.phase == 3 and self.date_offset == 0

    def target_date(self, business_date: dt.date) -> dt.date:
        return business_date + dt.timedelta(days=self.date_offset)

    def lock_key(self, business_date: dt.date) -> str:
        """The legacy lock document id, on the date the processor writes."""
        return f"{self.lock_class}_{self.target_date(business_date).isoformat()}"


# The platform processors' HASH_FIELDS, so data_hash changes exactly when they say content changed.
TEAM_OFFENSE_HASH_FIELDS = (
    "game_id", "nba_game_id", "game_date", "team_abbr", "opponent_team_abbr", "season_year",
    "points_scored", "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts",
    "ft_makes", "rebounds", "assists", "turnovers", "personal_fouls",
    "team_paint_attempts", "team_paint_makes", "team_mid_range_attempts", "team_mid_range_makes",
    "points_in_paint_scored", "second_chance_points_scored",
    "offensive_rating", "pace", "possessions", "ts_pct",
    "home_game", "win_flag", "margin_of_victory", "overtime_periods",
    "players_inactive", "starters_inactive", "referee_crew_id",
)
TEAM_DEFENSE_HASH_FIELDS = (
    "game_id", "game_date", "defending_team_abbr", "opponent_team_abbr", "season_year",
    "points_allowed", "opp_fg_attempts", "opp_fg_makes", "opp_three_pt_attempts", "opp_three_pt_makes",
    "opp_ft_attempts", "opp_ft_makes", "opp_rebounds", "opp_assists", "turnovers_forced", "fouls_committed",
    "opp_paint_attempts", "opp_paint_makes", "opp_mid_range_attempts", "opp_mid_range_makes",
    "points_in_paint_allowed", "mid_range_points_allowed", "three_pt_points_allowed",
    "second_chance_points_allowed", "fast_break_points_allowed",
    "blocks_paint", "blocks_mid_range", "blocks_three_pt", "steals", "defensive_rebounds",
    "defensive_rating", "opponent_pace", "opponent_ts_pct",
    "home_game", "win_flag", "margin_of_victory", "overtime_periods",
    "players_inactive", "starters_inactive", "referee_crew_id",
)
PLAYER_GAME_HASH_FIELDS = (
    "player_lookup", "universal_player_id", "player_full_name", "game_id", "game_date", "team_abbr",
    "opponent_team_abbr", "season_year",
    "points", "minutes_played", "assists", "offensive_rebounds", "defensive_rebounds", "steals", "blocks",
    "turnovers", "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts", "ft_makes",
    "plus_minus", "personal_fouls",
    "paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes", "paint_blocks",
    "mid_range_blocks", "three_pt_blocks", "and1_count",
    "assisted_fg_makes", "unassisted_fg_makes",
    "usage_rate", "ts_pct", "efg_pct", "starter_flag", "win_flag",
    "points_line", "over_under_result", "margin", "opening_line", "line_movement", "points_line_source",
    "opening_line_source",
    "is_active", "player_status",
)
UPCOMING_TEAM_HASH_FIELDS = (
    "team_abbr", "game_id", "game_date", "season_year",
    "opponent_team_abbr", "home_game", "is_back_to_back", "days_since_last_game", "game_number_in_season",
    "team_days_rest", "team_back_to_back", "games_in_last_7_days", "games_in_last_14_days",
    "game_spread", "game_total", "game_spread_source", "game_total_source", "spread_movement",
    "total_movement", "betting_lines_updated_at",
    "starters_out_count", "questionable_players_count",
    "team_win_streak_entering", "team_loss_streak_entering", "last_game_margin", "last_game_result",
    "travel_miles",
)
UPCOMING_PLAYER_HASH_FIELDS = (
    "player_lookup", "universal_player_id", "game_id", "game_date", "team_abbr", "opponent_team_abbr",
    "has_prop_line",
    "current_points_line", "opening_points_line", "line_movement", "current_points_line_source",
    "opening_points_line_source",
    "game_spread", "opening_spread", "spread_movement", "game_spread_source", "spread_public_betting_pct",
    "game_total", "opening_total", "total_movement", "game_total_source", "total_public_betting_pct",
    "pace_differential", "opponent_pace_last_10", "game_start_time_local", "opponent_ft_rate_allowed",
    "home_game", "back_to_back", "season_phase", "projected_usage_rate",
    "days_rest", "days_rest_before_last_game", "days_since_2_plus_days_rest", "games_in_last_7_days",
    "games_in_last_14_days", "minutes_in_last_7_days", "minutes_in_last_14_days",
    "avg_minutes_per_game_last_7", "back_to_backs_last_14_days", "avg_usage_rate_last_7_games",
    "fourth_quarter_minutes_last_7", "clutch_minutes_last_7_games",
    "travel_miles", "time_zone_changes", "consecutive_road_games", "miles_traveled_last_14_days",
    "time_zones_crossed_last_14_days", "player_age",
    "points_avg_last_5", "points_avg_last_10", "prop_over_streak", "prop_under_streak",
    "star_teammates_out", "opponent_def_rating_last_10", "shooting_pct_decline_last_5",
    "fourth_quarter_production_last_7",
    "next_game_days_rest", "games_in_next_7_days", "next_opponent_win_pct", "next_game_is_primetime",
    "opponent_days_rest", "opponent_games_in_next_7_days", "opponent_next_game_days_rest",
    "player_status", "injury_report", "questionable_teammates", "probable_teammates",
    "expected_games_count", "actual_games_count", "completeness_percentage", "missing_games_count",
    "is_production_ready", "manual_override_required", "season_boundary_detected",
    "backfill_bootstrap_mode", "processing_decision_reason",
    "l5_completeness_pct", "l5_is_complete", "l10_completeness_pct", "l10_is_complete",
    "l7d_completeness_pct", "l7d_is_complete", "l14d_completeness_pct", "l14d_is_complete",
    "l30d_completeness_pct", "l30d_is_complete",
)
# Phase 4: the platform processors' HASH_FIELDS (the daily cache's cache_quality_score, which no
# contract column holds, left out).
TEAM_DEFENSE_ZONE_HASH_FIELDS = (
    "team_abbr", "analysis_date",
    "paint_pct_allowed_last_15", "paint_attempts_allowed_per_game", "paint_points_allowed_per_game",
    "paint_blocks_per_game", "paint_defense_vs_league_avg",
    "mid_range_pct_allowed_last_15", "mid_range_attempts_allowed_per_game", "mid_range_blocks_per_game",
    "mid_range_defense_vs_league_avg",
    "three_pt_pct_allowed_last_15", "three_pt_attempts_allowed_per_game", "three_pt_blocks_per_game",
    "three_pt_defense_vs_league_avg",
    "defensive_rating_last_15", "opponent_points_per_game", "opponent_pace",
    "games_in_sample", "strongest_zone", "weakest_zone", "data_quality_tier", "calculation_notes",
)
PLAYER_SHOT_ZONE_HASH_FIELDS = (
    "player_lookup", "universal_player_id", "analysis_date",
    "paint_rate_last_10", "mid_range_rate_last_10", "three_pt_rate_last_10",
    "total_shots_last_10", "games_in_sample_10", "sample_quality_10",
    "paint_pct_last_10", "mid_range_pct_last_10", "three_pt_pct_last_10",
    "paint_attempts_per_game", "mid_range_attempts_per_game", "three_pt_attempts_per_game",
    "paint_rate_last_20", "paint_pct_last_20", "games_in_sample_20", "sample_quality_20",
    "assisted_rate_last_10", "unassisted_rate_last_10",
    "player_position", "primary_scoring_zone", "data_quality_tier", "calculation_notes",
)
PLAYER_DAILY_CACHE_HASH_FIELDS = (
    "player_lookup", "universal_player_id", "cache_date",
    "points_avg_last_5", "points_avg_last_10", "points_avg_season", "points_std_last_10",
    "minutes_avg_last_10", "usage_rate_last_10", "ts_pct_last_10", "games_played_season",
    "team_pace_last_10", "team_off_rating_last_10", "player_usage_rate_season",
    "games_in_last_7_days", "games_in_last_14_days", "minutes_in_last_7_days", "minutes_in_last_14_days",
    "back_to_backs_last_14_days", "avg_minutes_per_game_last_7", "fourth_quarter_minutes_last_7",
    "primary_scoring_zone", "paint_rate_last_10", "three_pt_rate_last_10", "assisted_rate_last_10",
    "player_age", "cache_version",
)
COMPOSITE_FACTORS_HASH_FIELDS = (
    "player_lookup", "universal_player_id", "game_date", "game_id", "analysis_date",
    "fatigue_score", "shot_zone_mismatch_score", "pace_score", "usage_spike_score",
    "referee_favorability_score", "look_ahead_pressure_score", "travel_impact_score",
    "opponent_strength_score", "total_composite_adjustment",
    "calculation_version", "early_season_flag", "insufficient_data_reason",
    "data_completeness_pct", "missing_data_fields", "has_warnings", "warning_details",
)
FEATURE_STORE_HASH_FIELDS = (
    "player_lookup", "universal_player_id", "game_date", "game_id",
    "features", "feature_names", "feature_count", "feature_version",
    "feature_quality_score", "opponent_team_abbr", "is_home", "days_rest",
    "data_source", "early_season_flag", "insufficient_data_reason",
)

PROCESSORS: tuple[Processor, ...] = (
    Processor(
        "team_offense_game_summary", "TeamOffenseGameSummaryProcessor", 3, "analytics",
        ("game_date", "team_abbr"), 0,
        description="Team box score per game: possessions, offensive rating, pace, overtime.",
        hash_fields=TEAM_OFFENSE_HASH_FIELDS,
    ),
    Processor(
        "team_defense_game_summary", "TeamDefenseGameSummaryProcessor", 3, "analytics",
        ("game_date", "defending_team_abbr"), 0,
        description="What each team allowed per game: opponent points, possessions, defensive rating.",
        hash_fields=TEAM_DEFENSE_HASH_FIELDS,
    ),
    Processor(
        "upcoming_team_game_context", "UpcomingTeamGameContextProcessor", 3, "analytics",
        ("game_date", "team_abbr"), 1,
        description="Pre-game context per team for D + 1: rest, back-to-back, spread, total, injuries.",
        hash_fields=UPCOMING_TEAM_HASH_FIELDS,
    ),
    Processor(
        "player_game_summary", "PlayerGameSummaryProcessor", 3, "analytics",
        ("game_date", "player_lookup"), 0, upstream=("team_offense_game_summary",),
        description="Player line per game with usage, true shooting, points line and over/under result.",
        hash_fields=PLAYER_GAME_HASH_FIELDS,
    ),
    Processor(
        "upcoming_player_game_context", "UpcomingPlayerGameContextProcessor", 3, "analytics",
        # Its opponent pace and free-throw rate allowed read team_defense_game_summary up to D.
        ("game_date", "player_lookup"), 1, upstream=("player_game_summary", "team_defense_game_summary"),
        description="Pre-game context per player for D + 1: team, points line, injury status, recent form.",
        reads_earlier_dates=True,
        hash_fields=UPCOMING_PLAYER_HASH_FIELDS,
    ),
    Processor(
        "team_defense_zone_analysis", "TeamDefenseZoneAnalysisProcessor", 4, "precompute",
        ("analysis_date", "team_abbr"), 1,
        description="Shot-zone FG% each team allowed over its last 15 games, against the league.",
        hash_fields=TEAM_DEFENSE_ZONE_HASH_FIELDS,
    ),
    Processor(
        "player_shot_zone_analysis", "PlayerShotZoneAnalysisProcessor", 4, "precompute",
        ("analysis_date", "player_lookup"), 1,
        description="Player shot-zone rates (percent) and FG fractions over the last 10 and 20 games.",
        hash_fields=PLAYER_SHOT_ZONE_HASH_FIELDS,
    ),
    Processor(
        "player_daily_cache", "PlayerDailyCacheProcessor", 4, "precompute",
        ("cache_date", "player_lookup"), 1, upstream=("player_shot_zone_analysis",),
        description="Rolling player averages, team pace, fatigue load and shot-zone tendencies for the day.",
        hash_fields=PLAYER_DAILY_CACHE_HASH_FIELDS,
    ),
    Processor(
        "player_composite_factors", "PlayerCompositeFactorsProcessor", 4, "precompute",
        ("game_date", "player_lookup"), 1,
        upstream=("player_shot_zone_analysis", "team_defense_zone_analysis"),
        description="Fatigue (100 = rested), shot-zone mismatch, pace and usage factors and their total.",
        hash_fields=COMPOSITE_FACTORS_HASH_FIELDS,
    ),
    Processor(
        "ml_feature_store_v2", "MLFeatureStoreProcessor", 4, "predictions",
        ("game_date", "player_lookup"), 1, upstream=("player_daily_cache", "player_composite_factors"),
        description="The 60 features (value, quality, source) per player for the prediction models.",
        hash_fields=FEATURE_STORE_HASH_FIELDS,
        completion_name="ml_feature_store",
        fragments=feature_store.sql_fragments,
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
