#!/usr/bin/env python3
"""dump.py OUT SET.jsonl...: the engine's top 60 for every query of the sets, with whether
each result holds one of the query's anchors (scored like ../shared/eval/run_eval.py).
Run from the repository root after `cargo build --release` on a fresh index."""
import json, re, subprocess, sys, unicodedata
from concurrent.futures import ThreadPoolExecutor

BIN = "target/release/playbook"


def norm(s):
    s = unicodedata.normalize("NFKC", s).casefold()
    for a, b in (("\u200c", ""), ("ي", "ی"), ("ى", "ی"), ("ك", "ک"), ("ş", "ș"), ("ţ", "ț")):
        s = s.replace(a, b)
    return re.sub(r"\s+", "", s)


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


def one(q):
    cmd = [BIN, "search", "--json", "--limit", "60"]
    if q.get("lang"):
        cmd += ["--lang", q["lang"]]
    out = subprocess.run(cmd + ["--", q["query"]], capture_output=True, text=True).stdout
    results = json.loads(out or '{"results":[]}')["results"]
    anchors = [norm(a) for a in q["any"]]
    res = [
        dict(
            id=f"{r['playbook']}#{r['step']}",
            score=r["score"],
            hit=any(a in norm(" ".join(strings(r))) for a in anchors)
            and (not q.get("want_lang") or r["lang"] == q["want_lang"]),
        )
        for r in results
    ]
    return dict(q=q, res=res)


queries = [json.loads(l) for p in sys.argv[2:] for l in open(p, encoding="utf-8") if l.strip()]
with ThreadPoolExecutor(2) as ex:
    rows = list(ex.map(one, queries))
json.dump(rows, open(sys.argv[1], "w"), ensure_ascii=False)
print(len(rows), "queries")
