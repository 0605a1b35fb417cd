"""Checks of ml_feature_store_v2 rows against the contract's quality rules, shared by the
feature-store tests (a short generated history) and the phase 4 season (a mid-season day)."""

from __future__ import annotations

import datetime as dt
import statistics

from nba_pipeline import feature_store

# Features read from a phase 4 table the minimum-games rule may leave empty on a short history.
GATED_FEATURES = {"team_defense_zone_analysis": (13, 14, 59), "player_shot_zone_analysis": (18, 19, 20)}
# nba_predictions.prediction_accuracy is not built by this package: these always take their default.
NOT_BUILT_HERE = (55, 56)


def expected_score(tags: dict[int, str]) -> float:
    """The contract's feature_quality_score from each feature's tag."""
    weights = {tag: weight for tag, (weight, _) in feature_store.TAGS.items()}
    counted = [weights[tag] for i, tag in tags.items()
               if not (i in feature_store.OPTIONAL and tag in ("default", "missing"))]
    score = round(sum(counted) / len(counted), 2)
    required = sum(1 for i, tag in tags.items() if tag in ("default", "missing") and i not in feature_store.OPTIONAL)
    if required >= 5:
        return min(score, 49.0)
    return min(score, 69.0) if required else score


def check_generated_feature_rows(rows: list[dict], gated: set[int], game_date: dt.date) -> dict[int, float]:
    """Print the share of players with each feature computed (not defaulted) and assert every row's
    defaults, quality score, tier and readiness follow the rules. ``gated``: features whose phase 4
    table wrote no rows (they must all be defaults). Returns the shares."""
    assert len(rows) > 100, len(rows)
    print(f"\nml_feature_store_v2 on {game_date}: {len(rows)} players")
    print("feature share computed (not default):")
    shares = {}
    for feature in feature_store.FEATURES:
        i = feature.index
        shares[i] = sum(r[f"feature_{i}_source"] != "default" for r in rows) / len(rows)
        print(f"  {i:2d} {feature.name:30s} {100 * shares[i]:5.1f}%")
    total = sum(sum(r[f"feature_{i}_source"] != "default" for i in range(60)) for r in rows)
    print(f"all features: {100 * total / (60 * len(rows)):.1f}% computed")
    scores = sorted(float(r["feature_quality_score"]) for r in rows)
    quartiles = statistics.quantiles(scores, n=4)
    tiers = {t: sum(r["quality_tier"] == t for r in rows) for t in ("gold", "silver", "bronze", "poor", "critical")}
    print(f"feature_quality_score: min {scores[0]}, quartiles {quartiles}, max {scores[-1]}; tiers {tiers}; "
          f"production ready {sum(bool(r['is_production_ready']) for r in rows)}")
    assert all(shares[i] == 0.0 for i in NOT_BUILT_HERE)
    print(f"features whose phase 4 table the minimum-games rule left empty: {sorted(gated)}")
    assert all(shares[i] == 0.0 for i in gated), "a feature computed from a table without rows"
    uncomputed = [i for i, share in shares.items() if share == 0 and i not in NOT_BUILT_HERE and i not in gated]
    assert not uncomputed, f"features never computed on a generated day: {uncomputed}"
    for row in rows:
        defaulted = [i for i in range(60) if row[f"feature_{i}_source"] == "default"]
        assert row["default_feature_indices"] == defaulted and row["default_feature_count"] == len(defaulted)
        assert all(row[f"feature_{i}_value"] is None for i in defaulted)
        tags = {i: next(tag for tag, (weight, source) in feature_store.TAGS.items()
                        if weight == row[f"feature_{i}_quality"] and (source == "default") == (i in defaulted))
                for i in range(60)}
        assert float(row["feature_quality_score"]) == expected_score(tags), row["player_lookup"]
        score = float(row["feature_quality_score"])
        tier = ("gold" if score >= 95 else "silver" if score >= 85 else "bronze" if score >= 70
                else "poor" if score >= 50 else "critical")
        assert row["quality_tier"] == tier
        assert row["is_quality_ready"] == (score >= 70 and row["matchup_quality_pct"] >= 50
                                           and row["required_default_count"] == 0)
        if row["is_production_ready"]:
            assert row["completeness_percentage"] >= 70 and not row["missing_processors"]
    return shares
