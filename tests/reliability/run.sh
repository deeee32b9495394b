#!/usr/bin/env bash
# Tessera's reliability run, the figures of docs/RELIABILITY.md:
#
#   tests/reliability/run.sh            # 20 kill -9 rounds, then the attacks
#   ROUNDS=5 tests/reliability/run.sh
#
# 1. The kill -9 durability loop (crates/server/tests/api/reliability.rs) with ROUNDS rounds:
#    concurrent creates, bulk creates and PATCHes, SIGKILL at a random moment, restart, every
#    acknowledged write checked, PRAGMA integrity_check. The ordinary test run does 3 rounds.
# 2. tests/reliability/attack.py against the release binary: slow clients, a descriptor limit,
#    bad input, a login storm. CI runs this part too.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-20}

cargo build --release --bin tessera
RELIABILITY_ROUNDS=$ROUNDS cargo test --release -p tessera-server --test api -- \
  reliability::kill_9 --nocapture 2>&1 | grep -E "^reliability:|test result|panicked|FAILED"
python3 tests/reliability/attack.py --bin target/release/tessera
