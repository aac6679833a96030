#!/usr/bin/env bash
# Whole-process benchmarks for issue 5 ("search is instant, and stays instant at 10,000
# playbooks"), side by side in one run:
#
#   1. `playbook search --json QUERY` vs `rg -i WORD` over the same playbooks, at shipped
#      size, 1k and 10k playbooks (the ratio is the figure: absolute times drift);
#   2. full index build (`playbook index --rebuild`): time, MB/s, peak memory;
#   3. at 10k: a search when nothing changed vs a search right after one file was edited
#      (the refresh); every search checks every file (one stat each);
#   4. peak memory of a search, at every size;
#   5. in-process query latency p50/p99 and the freshness check split in-process
#      (`PLAYBOOK_BENCH=report cargo bench --bench search`; skip with INPROCESS=0).
#
# Usage: bash benches/run.sh            (from anywhere; takes about 8 minutes on 2 cores)
# Env:   ROUNDS=5 PER_ROUND=5 (hyperfine runs per command = ROUNDS x PER_ROUND), BUILD_RUNS=3,
#        SIZES="shipped 1k 10k", INPROCESS=1
# Commands compared side by side run in ROUNDS alternating hyperfine rounds, and the medians
# are taken over all their runs: a burst of load on this shared machine then hits both alike.
#
# Needs hyperfine, ripgrep, GNU time and jq, all from Debian's packages:
#   apt-get install -y hyperfine ripgrep time jq
# Corpora are generated into target/bench-corpus/ when missing (`xtask gen-corpus`, deterministic)
# and reused otherwise; results go to target/bench-results/ (summary.md, hyperfine JSON).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
[ -x /usr/bin/time ] || missing+=(time)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  echo "benches/run.sh needs: ${missing[*]}" >&2
  echo "install them from Debian's packages: apt-get install -y ${missing[*]}" >&2
  exit 2
fi

ROUNDS=${ROUNDS:-5}
PER_ROUND=${PER_ROUND:-5}
RUNS=$((ROUNDS * PER_ROUND))
BUILD_RUNS=${BUILD_RUNS:-3}
SIZES=${SIZES:-"shipped 1k 10k"}
INPROCESS=${INPROCESS:-1}
# The query pairs: what an agent types, and the word rg looks for.
QUERY1=${QUERY1:-refund}
WORD1=${WORD1:-refund}
QUERY2=${QUERY2:-"vil tale med chefen"}
WORD2=${WORD2:-chefen}

BIN=target/release/playbook
GEN=target/release/xtask # the workspace's developer tasks: `xtask gen-corpus`
CORPORA=target/bench-corpus
OUT=target/bench-results
mkdir -p "$CORPORA" "$OUT"
SUMMARY=$OUT/summary.md
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

echo "== building (release)"
cargo build --release --bin playbook
cargo build --release -p xtask

root_of() { echo "$CORPORA/$1"; }

echo "== corpora"
# The shipped playbooks, copied with their times kept (an unchanged copy keeps its index).
rm -rf "$CORPORA/shipped/playbooks"
mkdir -p "$CORPORA/shipped"
cp -a playbooks "$CORPORA/shipped/playbooks"
for size in $SIZES; do
  case $size in
    shipped) continue ;;
    *k) count=$(( ${size%k} * 1000 )) ;;
    *) count=$size ;;
  esac
  root=$(root_of "$size")
  if [ "$(awk 'NR == 1' "$root/.gen-corpus" 2>/dev/null)" = "count = $count" ]; then
    echo "reusing $root ($count playbooks)"
  else
    "$GEN" gen-corpus --count "$count" --out "$root"
  fi
done

md_bytes() { find "$1/playbooks" -name '*.md' -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
md_files() { find "$1/playbooks" -name '*.md' | wc -l; }
# The median (s) of a hyperfine CSV row, by command name.
median() { awk -F, -v n="$2" 'NR>1 && $1==n {print $4}' "$1"; }
# rounds TAG HYPERFINE-ARGS...: runs hyperfine ROUNDS times (PER_ROUND runs of each command per
# round), then writes OUT/TAG.tsv: name, median wall time over all runs (s), mean user+sys (s).
rounds() {
  local tag=$1 r
  shift
  rm -f "$OUT/$tag".r*.json
  for r in $(seq "$ROUNDS"); do
    hyperfine -N --warmup 1 --runs "$PER_ROUND" --style basic --export-json "$OUT/$tag.r$r.json" "$@" \
      >>"$OUT/hyperfine.log"
  done
  jq -s -r '[.[].results[]] | group_by(.command) | .[]
    | ([.[].times[]] | sort) as $t
    | "\(.[0].command)\t\($t[($t | length / 2 | floor)])\t\(([.[] | .user + .system] | add) / length)"' \
    "$OUT/$tag".r*.json >"$OUT/$tag.tsv"
}
# col TAG NAME N: column N (2 = median wall, 3 = cpu) of a rounds result.
col() { awk -F'\t' -v n="$2" -v c="$3" '$1 == n {print $c}' "$OUT/$1.tsv"; }
ms() { awk -v s="$1" 'BEGIN {printf "%.1f", s*1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
max_rss_mb() { # peak resident memory of a command, in MB
  /usr/bin/time -f '%M' -o "$OUT/rss.tmp" "$@" >/dev/null 2>&1 || true
  awk '{printf "%.1f", $1/1024}' "$OUT/rss.tmp"
}

say "# playbook benchmarks, $(date -u +%Y-%m-%dT%H:%MZ)"
say ""
: >"$OUT/hyperfine.log"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "hyperfine $(hyperfine --version | cut -d' ' -f2), $(rg --version | head -1); runs per command: $ROUNDS alternating rounds of $PER_ROUND"
say ""

declare -A BYTES FILES
for size in $SIZES; do
  root=$(root_of "$size")
  BYTES[$size]=$(md_bytes "$root")
  FILES[$size]=$(md_files "$root")
  # Warm: an index that matches the files, and the taxonomy cache.
  "$BIN" --root "$root" index >/dev/null 2>&1
  "$BIN" --root "$root" search --json "$QUERY1" >/dev/null 2>&1 || true
done

echo "== 1. search vs rg"
say "## 1. Whole-process search vs rg -i (medians)"
say ""
say "| corpus | files | MB | query | playbook search | rg -i | ratio | CPU: playbook / rg (user+sys) |"
say "|---|---:|---:|---|---:|---:|---:|---:|"
for size in $SIZES; do
  root=$(root_of "$size")
  rounds "search-$size" \
    -n "search-1" "$BIN --root $root search --json '$QUERY1'" \
    -n "rg-1" "rg -i $WORD1 $root/playbooks" \
    -n "search-2" "$BIN --root $root search --json '$QUERY2'" \
    -n "rg-2" "rg -i $WORD2 $root/playbooks"
  mb=$(awk -v b="${BYTES[$size]}" 'BEGIN {printf "%.2f", b/1e6}')
  for k in 1 2; do
    q=QUERY$k; w=WORD$k
    s=$(col "search-$size" "search-$k" 2); r=$(col "search-$size" "rg-$k" 2)
    sc=$(col "search-$size" "search-$k" 3); rc=$(col "search-$size" "rg-$k" 3)
    say "| $size | ${FILES[$size]} | $mb | \`${!q}\` / \`${!w}\` | $(ms "$s") ms | $(ms "$r") ms | **$(ratio "$s" "$r")** | $(ms "$sc") / $(ms "$rc") ms |"
  done
done
say ""

echo "== 2. full index build"
say "## 2. Full index build (\`playbook index --rebuild\`)"
say ""
say "| corpus | MB | median | MB/s | peak memory |"
say "|---|---:|---:|---:|---:|"
for size in $SIZES; do
  root=$(root_of "$size")
  csv=$OUT/build-$size.csv
  runs=$BUILD_RUNS
  hyperfine -N --warmup 1 --runs "$runs" --style basic \
    --export-csv "$csv" --export-json "$OUT/build-$size.json" \
    -n build "$BIN --root $root index --rebuild"
  s=$(median "$csv" build)
  rss=$(max_rss_mb "$BIN" --root "$root" index --rebuild)
  mb=$(awk -v b="${BYTES[$size]}" 'BEGIN {printf "%.2f", b/1e6}')
  say "| $size | $mb | $(awk -v s="$s" 'BEGIN {printf "%.2f", s}') s | $(awk -v b="${BYTES[$size]}" -v s="$s" 'BEGIN {printf "%.1f", b/1e6/s}') | $rss MB |"
done
say ""

big=$(echo "$SIZES" | awk '{print $NF}')
bigroot=$(root_of "$big")
edited=$(find "$bigroot/playbooks" -name '*.md' | LC_ALL=C sort | awk 'NR == 1')
echo "== 3. refresh and freshness check at $big"
# A fresh single-segment index first, so that earlier refreshes do not pile up segments.
"$BIN" --root "$bigroot" index --rebuild >/dev/null 2>&1
"$BIN" --root "$bigroot" search --json "$QUERY1" >/dev/null 2>&1 || true
rounds "refresh-$big" \
  -n unchanged --prepare "true" "$BIN --root $bigroot search --json '$QUERY1'" \
  -n edited --prepare "touch $edited" "$BIN --root $bigroot search --json '$QUERY1'" \
  -n "stat-walk" --prepare "true" "find $bigroot/playbooks -name '*.md' -printf '%s %T@\\n'" \
  -n rg --prepare "true" "rg -i $WORD1 $bigroot/playbooks"
segments=$(find "$bigroot/index/$(cat "$bigroot/index/CURRENT")" -name '*.idx' | wc -l)
u=$(col "refresh-$big" unchanged 2); e=$(col "refresh-$big" edited 2); w=$(col "refresh-$big" stat-walk 2)
r=$(col "refresh-$big" rg 2)
say "## 3. At $big: refresh after one edited file, and the freshness check"
say ""
say "| what | median |"
say "|---|---:|"
say "| search, nothing changed (freshness check included) | $(ms "$u") ms (**$(ratio "$u" "$r")** × rg) |"
say "| search right after \`touch\` of one file (refresh: re-index it, commit, search) | $(ms "$e") ms |"
say "| \`rg -i $WORD1\`, same rounds | $(ms "$r") ms |"
say "| \`find\` stat-ing every playbook (the walk alone, as a process) | $(ms "$w") ms |"
say ""
say "index segments after $((RUNS + ROUNDS)) refreshes: $segments"
say ""

echo "== 4. peak memory of a search"
say "## 4. Peak memory of a search (\`/usr/bin/time\` maximum resident set size)"
say ""
say "| corpus | \`search --json $QUERY1\` |"
say "|---|---:|"
"$BIN" --root "$bigroot" index >/dev/null 2>&1
for size in $SIZES; do
  root=$(root_of "$size")
  say "| $size | $(max_rss_mb "$BIN" --root "$root" search --json "$QUERY1") MB |"
done
say ""

if [ "$INPROCESS" = 1 ]; then
  echo "== 5. in-process latency and freshness split (cargo bench --bench search)"
  PLAYBOOK_BENCH=report cargo bench --bench search 2>&1 | tee "$OUT/inprocess.txt"
  say "## 5. In-process (\`PLAYBOOK_BENCH=report cargo bench --bench search\`)"
  say ""
  grep -v '^RESULT' "$OUT/inprocess.txt" | sed -n '/^### /,$p' >>"$SUMMARY"
  say ""
fi

echo
echo "== summary ($SUMMARY)"
cat "$SUMMARY"
