#!/usr/bin/env python3
"""Load on `playbook serve`: CLIENTS concurrent clients on loopback, each "typing" queries
one keystroke at a time (a request per prefix, as the page sends them), over one keep-alive
connection each, PACE ms apart (with jitter; a fast typist; --pace-ms 0: back to back, the
server saturated). Bounded: every client types ROUNDS queries, then stops; the whole run is
cut at DEADLINE seconds. Prints requests, errors, and latency p50/p95/p99/max (ms).

Usage: python3 benches/serve_load.py http://127.0.0.1:PORT [--clients 100] [--rounds 4]
Only the standard library; no third-party client.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import urllib.parse

# What agents type (the evaluation's kind of queries, in every language).
QUERIES = [
    "manager request",
    "refund demand",
    "abusive caller",
    "vil tale med chefen",
    "kunden er vred",
    "client nemultumit",
    "vreau banii inapoi",
    "ลูกค้าขอเงินคืน",
    "ลูกค้าโกรธ",
    "مشتری سمی",
    "مشتری عصبانی",
    "late delivery",
    "threatens to sue",
    "customer wants compensation",
]


async def client(host, port, rounds, seed, latencies, errors, deadline, pace, queries):
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(rounds):
            query = rng.choice(queries)
            for end in range(1, len(query) + 1):
                prefix = query[:end]
                if not prefix.strip():
                    continue
                if time.monotonic() > deadline:
                    return
                if pace:
                    await asyncio.sleep(pace * rng.uniform(0.5, 1.5) / 1000)
                target = "/api/views?" + urllib.parse.urlencode({"q": prefix, "limit": "8"})
                request = (
                    f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    "Accept: application/json\r\n\r\n"
                ).encode()
                start = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status_line = await reader.readline()
                length = 0
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - start) * 1000)
                status = status_line.split()[1] if len(status_line.split()) > 1 else b"0"
                if status != b"200":
                    errors.append(status.decode())
    except Exception as e:  # a dropped connection is an error, not a crash of the run
        errors.append(type(e).__name__)
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--deadline", type=float, default=120.0)
    parser.add_argument("--pace-ms", type=float, default=100.0)
    parser.add_argument(
        "--queries",
        nargs="+",
        metavar="JSONL",
        help="type the `query` of every line of these files instead of the 14 headline "
        "queries (hundreds of different queries: the server's kept answers rarely help)",
    )
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    queries = QUERIES
    if args.queries:
        queries = [
            json.loads(line)["query"]
            for path in args.queries
            for line in open(path, encoding="utf-8")
            if line.strip()
        ]
    latencies, errors = [], []
    deadline = time.monotonic() + args.deadline
    started = time.perf_counter()
    await asyncio.gather(
        *(
            client(
                url.hostname,
                url.port,
                args.rounds,
                i,
                latencies,
                errors,
                deadline,
                args.pace_ms,
                queries,
            )
            for i in range(args.clients)
        )
    )
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0

    print(
        f"clients={args.clients} pace={args.pace_ms:g}ms queries={len(queries)} requests={len(latencies)} errors={len(errors)} "
        f"wall={wall:.1f}s rate={len(latencies) / wall:.0f}/s "
        f"p50={pct(0.50):.1f}ms p95={pct(0.95):.1f}ms p99={pct(0.99):.1f}ms "
        f"max={latencies[-1] if latencies else 0:.1f}ms mean={statistics.fmean(latencies) if latencies else 0:.1f}ms"
    )
    if errors:
        print("errors:", sorted(set(errors)), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
