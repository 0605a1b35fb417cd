"""The feature list of ``nba_predictions.ml_feature_store_v2``, as data.

The platform's feature store holds 60 features in a fixed order (version ``v2_54features``),
each as ``feature_N_value``, ``feature_N_quality`` and ``feature_N_source``. This module is the
one description of that list (index, name, category, default constant, the upstream label);
``sql_fragments`` renders from it the mechanical parts of ``phase4/ml_feature_store_v2.sql``
(the ordered vector, the 180 per-feature columns, the category and optional index lists), so the
SQL file keeps only the feature rules. The rendered MERGE is pinned by a snapshot test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

# The string the platform's writer puts in feature_version (not bumped when features 54-59 came).
FEATURE_VERSION = "v2_54features"
FEATURE_SCHEMA_VERSION = "v2_60features"
QUALITY_SCHEMA_VERSION = "v1_hybrid_20260205"
CATEGORIES = ("matchup", "player_history", "team_context", "vegas", "game_context")
# Features whose default does not count against feature_quality_score or the required defaults.
OPTIONAL = frozenset({25, 26, 27, 37, 38, *range(39, 60)})
CRITICAL = frozenset({5, 6, 7, 8, 13, 14})
# The raw source tags of the platform and what each becomes (quality weight, canonical source).
TAGS = {
    "phase4": (100, "phase4"),
    "calculated": (100, "calculated"),
    "vegas": (100, "phase4"),
    "bettingpros": (100, "bettingpros"),
    "minutes_ppm": (95, "phase4"),
    "opponent_history": (90, "phase4"),
    "phase3": (87, "phase3"),
    "default": (40, "default"),
    "missing": (0, "default"),
}
DEFAULTED_TAGS = ("default", "missing")


@dataclass(frozen=True)
class Feature:
    index: int
    name: str
    category: str
    # The constant that stands in when the input is missing (tag ``default``); None: the value
    # stays NULL (tag ``missing``). Either way feature_N_value is NULL and the source 'default'.
    default: float | None
    upstream: str

    @property
    def optional(self) -> bool:
        return self.index in OPTIONAL


FEATURES: tuple[Feature, ...] = (
    Feature(0, 'points_avg_last_5', 'player_history', 10.0, 'player_daily_cache'),
    Feature(1, 'points_avg_last_10', 'player_history', 10.0, 'player_daily_cache'),
    Feature(2, 'points_avg_season', 'player_history', 10.0, 'player_daily_cache'),
    Feature(3, 'points_std_last_10', 'player_history', 5.0, 'player_daily_cache'),
    Feature(4, 'games_in_last_7_days', 'player_history', 3.0, 'player_daily_cache'),
    Feature(5, 'fatigue_score', 'matchup', 50.0, 'player_composite_factors'),
    Feature(6, 'shot_zone_mismatch_score', 'matchup', 0.0, 'player_composite_factors'),
    Feature(7, 'pace_score', 'matchup', 0.0, 'player_composite_factors'),
    Feature(8, 'usage_spike_score', 'matchup', 0.0, 'player_composite_factors'),
    Feature(9, 'rest_advantage', 'game_context', 0.0, 'calculated'),
    Feature(10, 'injury_risk', 'game_context', 0.0, 'calculated'),
    Feature(11, 'recent_trend', 'game_context', 0.0, 'calculated'),
    Feature(12, 'minutes_change', 'game_context', 0.0, 'calculated'),
    Feature(13, 'opponent_def_rating', 'matchup', 112.0, 'team_defense_zone_analysis'),
    Feature(14, 'opponent_pace', 'matchup', 100.0, 'team_defense_zone_analysis'),
    Feature(15, 'home_away', 'game_context', 0.0, 'upcoming_player_game_context'),
    Feature(16, 'back_to_back', 'game_context', 0.0, 'upcoming_player_game_context'),
    Feature(17, 'playoff_game', 'game_context', 0.0, 'upcoming_player_game_context'),
    Feature(18, 'pct_paint', 'game_context', None, 'player_shot_zone_analysis'),
    Feature(19, 'pct_mid_range', 'game_context', None, 'player_shot_zone_analysis'),
    Feature(20, 'pct_three', 'game_context', None, 'player_shot_zone_analysis'),
    Feature(21, 'pct_free_throw', 'game_context', 0.15, 'calculated'),
    Feature(22, 'team_pace', 'team_context', 100.0, 'team_offense_game_summary'),
    Feature(23, 'team_off_rating', 'team_context', 112.0, 'team_offense_game_summary'),
    Feature(24, 'team_win_pct', 'team_context', 0.5, 'calculated'),
    Feature(25, 'vegas_points_line', 'vegas', None, 'odds_api'),
    Feature(26, 'vegas_opening_line', 'vegas', None, 'odds_api'),
    Feature(27, 'vegas_line_move', 'vegas', None, 'calculated'),
    Feature(28, 'has_vegas_line', 'vegas', 0.0, 'calculated'),
    Feature(29, 'avg_points_vs_opponent', 'player_history', 10.0, 'player_game_summary'),
    Feature(30, 'games_vs_opponent', 'player_history', 0.0, 'player_game_summary'),
    Feature(31, 'minutes_avg_last_10', 'player_history', 28.0, 'player_daily_cache'),
    Feature(32, 'ppm_avg_last_10', 'player_history', 0.4, 'player_daily_cache'),
    Feature(33, 'dnp_rate', 'player_history', 0.0, 'calculated'),
    Feature(34, 'pts_slope_10g', 'player_history', 0.0, 'calculated'),
    Feature(35, 'pts_vs_season_zscore', 'player_history', 0.0, 'calculated'),
    Feature(36, 'breakout_flag', 'player_history', 0.0, 'calculated'),
    Feature(37, 'star_teammates_out', 'player_history', 0.0, 'upcoming_player_game_context'),
    Feature(38, 'game_total_line', 'game_context', None, 'upcoming_player_game_context'),
    Feature(39, 'days_rest', 'game_context', None, 'upcoming_player_game_context'),
    Feature(40, 'minutes_load_last_7d', 'game_context', None, 'upcoming_player_game_context'),
    Feature(41, 'spread_magnitude', 'game_context', None, 'upcoming_player_game_context'),
    Feature(42, 'implied_team_total', 'game_context', None, 'calculated'),
    Feature(43, 'points_avg_last_3', 'player_history', None, 'calculated'),
    Feature(44, 'scoring_trend_slope', 'player_history', None, 'calculated'),
    Feature(45, 'deviation_from_avg_last3', 'player_history', None, 'calculated'),
    Feature(46, 'consecutive_games_below_avg', 'player_history', None, 'calculated'),
    Feature(47, 'teammate_usage_available', 'game_context', None, 'default'),
    Feature(48, 'usage_rate_last_5', 'player_history', None, 'calculated'),
    Feature(49, 'games_since_structural_change', 'player_history', None, 'calculated'),
    Feature(50, 'multi_book_line_std', 'game_context', None, 'default'),
    Feature(51, 'prop_over_streak', 'game_context', None, 'upcoming_player_game_context'),
    Feature(52, 'prop_under_streak', 'game_context', None, 'upcoming_player_game_context'),
    Feature(53, 'line_vs_season_avg', 'game_context', None, 'calculated'),
    Feature(54, 'prop_line_delta', 'player_history', None, 'calculated'),
    Feature(55, 'over_rate_last_10', 'player_history', None, 'calculated'),
    Feature(56, 'margin_vs_line_avg_last_5', 'player_history', None, 'calculated'),
    Feature(57, 'blowout_minutes_risk', 'team_context', None, 'calculated'),
    Feature(58, 'minutes_volatility_last_10', 'player_history', None, 'calculated'),
    Feature(59, 'opponent_pace_mismatch', 'game_context', None, 'calculated'),
)
FEATURE_NAMES = tuple(f.name for f in FEATURES)


def _sql_number(value: float | None) -> str:
    return "CAST(NULL AS FLOAT64)" if value is None else repr(float(value))


def _indices(indices) -> str:
    return ", ".join(str(i) for i in sorted(indices))


def _vector() -> str:
    """The ordered feature vector: index, the raw value (``vN``) and its tag (``tN``); a NULL
    value becomes the feature's default tag."""
    items = []
    for f in FEATURES:
        fallback = "'default'" if f.default is not None else "'missing'"
        items.append(
            f"STRUCT({f.index} AS idx, v{f.index} AS raw_value, "
            f"IF(v{f.index} IS NULL, {fallback}, t{f.index}) AS tag, {_sql_number(f.default)} AS default_value)"
        )
    return "[\n  " + ",\n  ".join(items) + "\n]"


def _columns() -> str:
    """feature_N_value, feature_N_quality and feature_N_source of every feature, in order."""
    lines = []
    for f in FEATURES:
        at = f"scored[OFFSET({f.index})]"
        lines.append(f"{at}.value AS feature_{f.index}_value, {at}.quality AS feature_{f.index}_quality, "
                     f"{at}.source AS feature_{f.index}_source")
    return ",\n".join(lines)


@lru_cache(maxsize=1)
def sql_fragments() -> dict[str, str]:
    """The generated pieces of ``phase4/ml_feature_store_v2.sql``, by placeholder name."""
    members = {c: [f.index for f in FEATURES if f.category == c] for c in CATEGORIES}
    upstream = json.dumps({str(f.index): f.upstream for f in FEATURES}, separators=(",", ":"))
    fragments = {
        "feature_vector": _vector(),
        "feature_columns": _columns(),
        "vector_columns": ", ".join(f"v{f.index}, t{f.index}" for f in FEATURES),
        "feature_names": "[" + ", ".join(f"'{name}'" for name in FEATURE_NAMES) + "]",
        "feature_count": str(len(FEATURES)),
        "feature_version": f"'{FEATURE_VERSION}'",
        "feature_schema_version": f"'{FEATURE_SCHEMA_VERSION}'",
        "quality_schema_version": f"'{QUALITY_SCHEMA_VERSION}'",
        "optional_indices": _indices(OPTIONAL),
        "critical_indices": _indices(CRITICAL),
        "upstream_tables_json": f"'{upstream}'",
        "tag_quality": " ".join(f"WHEN '{tag}' THEN {weight}" for tag, (weight, _) in TAGS.items()),
        "tag_source": " ".join(f"WHEN '{tag}' THEN '{source}'" for tag, (_, source) in TAGS.items()),
        "defaulted_tags": ", ".join(f"'{t}'" for t in DEFAULTED_TAGS),
    }
    for category, indices in members.items():
        fragments[f"{category}_indices"] = _indices(indices)
    return fragments
