#!/usr/bin/env bash
# `playbook serve` under load (docs/benchmarks.md, "serve"):
#   1. 100 concurrent clients on loopback typing queries (`xtask serve-load`: a request per
#      keystroke, 100 ms apart with jitter; then back to back, the server saturated; then
#      paced again, typing the ~900 queries of the relevance sets, so that few answers the
#      server kept can serve them), at the shipped size, at 10,000 playbooks (`10k`) and at
#      10,000 playbooks with a translation each (`10k-t1`, 20,000 files): p50/p95/p99;
#   2. keystroke -> results shown in headless Chromium at both sizes
#      (benches/serve_keystroke.mjs): p50/p95.
#
# Usage: bash benches/serve.sh      (needs node, chromium, and `npm ci` in tests/browser)
# Env:   CLIENTS=100 ROUNDS=4 SIZES="shipped 10k 10k-t1"
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-100}
ROUNDS=${ROUNDS:-4}
SIZES=${SIZES:-"shipped 10k 10k-t1"}
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/playbook
XTASK=$TARGET/release/xtask # the workspace's developer tasks: gen-corpus, serve-load
CORPORA=target/bench-corpus
mkdir -p "$CORPORA"

cargo build --release --bin playbook
cargo build --release -p xtask

for size in $SIZES; do
  root=$CORPORA/$size
  case $size in
    shipped)
      rm -rf "$root/playbooks"; mkdir -p "$root"; cp -a playbooks "$root/playbooks" ;;
    *k|*k-t[0-4])
      # NNk: NN,000 playbooks, no translations; NNk-tT: each with T translations. Made again
      # when the corpus there was made otherwise (or by an older generator: no marker).
      thousands=${size%%k*}
      translations=0
      case $size in *-t*) translations=${size##*-t} ;; esac
      count=$(( thousands * 1000 ))
      made=$(awk 'NR <= 3' "$root/.gen-corpus" 2>/dev/null | grep -v '^seed' | paste -sd ' ')
      if [ "$made" != "count = $count translations = $translations" ]; then
        rm -rf "$root"
        "$XTASK" gen-corpus --count "$count" --out "$root" --translations "$translations"
      fi ;;
  esac
  # The index is built before the server starts (serve would build it too, only later).
  "$BIN" --root "$root" index >/dev/null
  log=$(mktemp)
  "$BIN" --root "$root" serve --port 0 2>"$log" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do grep -q '^listening on ' "$log" && break; sleep 0.1; done
  base=$(head -1 "$log" | sed 's/^listening on //')
  echo "== $size ($base)"
  cpu_before=$(awk '{print $14 + $15}' /proc/$pid/stat)
  "$XTASK" serve-load "$base" --clients "$CLIENTS" --rounds "$ROUNDS" --pace-ms 100
  "$XTASK" serve-load "$base" --clients "$CLIENTS" --rounds "$ROUNDS" --pace-ms 0
  # Hundreds of different queries (the relevance sets'): few answers the server kept help.
  "$XTASK" serve-load "$base" --clients "$CLIENTS" --rounds "$ROUNDS" --pace-ms 100 \
    --queries tests/fixtures/probe*.jsonl tests/fixtures/blind*.jsonl
  awk -v before="$cpu_before" '{printf "server CPU during the three loads: %.1f s\n", ($14 + $15 - before) / 100}' /proc/$pid/stat
  grep -E '^(VmHWM|VmRSS)' /proc/$pid/status | tr -s ' \t' ' ' | paste -sd ' ' | sed 's/^/server memory: /'
  node benches/serve_keystroke.mjs "$base"
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
  rm -f "$log"
done
