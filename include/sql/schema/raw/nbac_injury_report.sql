-- The NBA injury report as parsed, append-only: every report of a day (report_date, report_hour)
-- lists the players of that day's and the next day's games. game_id is YYYYMMDD_AWAY_HOME, team a
-- tricode, injury_status lowercase (out, doubtful, questionable, probable, available).
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_injury_report` (
  report_date DATE,                                   -- Date report was issued
  report_hour INT64,                                  -- Hour of report (0-23)
  season STRING,                                      -- Season identifier
  game_date DATE,                                     -- Game date from report
  game_time STRING,                                   -- Game time (ET)
  game_id STRING,                                     -- Constructed: "20211123_MIA_DET"
  matchup STRING,                                     -- Original: "MIA at DET"
  away_team STRING,                                   -- Away team abbreviation
  home_team STRING,                                   -- Home team abbreviation
  team STRING,                                        -- Player's team
  player_name_original STRING,                        -- Original: "Hayes, Killian"
  player_full_name STRING,                            -- Parsed: "Killian Hayes"
  player_lookup STRING,                               -- Normalized: "killianhayes"
  injury_status STRING,                               -- values/example: "out", "questionable", "doubtful", "probable", "available"
  reason STRING,                                      -- Full reason text
  reason_category STRING,                             -- Category: "injury", "g_league", "suspension", etc.
  confidence_score FLOAT64,                           -- Parsing confidence for this record
  overall_report_confidence FLOAT64,                  -- Overall report parsing confidence
  scrape_time STRING,                                 -- Time scraper ran
  run_id STRING,                                      -- Scraper run identifier
  source_file_path STRING,                            -- GCS path of the source file
  data_hash STRING,                                   -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP()  -- Last processing time
)
PARTITION BY report_date
CLUSTER BY player_lookup, game_id, injury_status;
