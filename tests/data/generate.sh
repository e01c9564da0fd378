#!/usr/bin/env bash
# Regenerates the checked-in sample data (under 1 MB) with the dusk binary, then the
# oracle's expected answers with pandas. Run from the repository root.
set -euo pipefail
cargo build -q -p dusk-cli
dusk=target/debug/dusk
$dusk demo --rows 6000 --months 3 --seed 42 --out tests/data/trips --force --zones tests/data/zones.csv > /dev/null
$dusk sql "SELECT * FROM 'tests/data/trips/2024-01.parquet' ORDER BY pickup_datetime LIMIT 1000" -o tests/data/trips.csv
$dusk sql "SELECT * FROM 'tests/data/trips/2024-02.parquet' ORDER BY pickup_datetime LIMIT 1000" -o tests/data/trips.json
python3 tests/oracle/generate.py
