#!/usr/bin/env python3
"""asks_classifier.py DEV_DUMP [HELDOUT_DUMP]: a measurement, not part of the product.

A step classifier trained on the playbooks alone (every language's `**Agents ask:**` lines,
titles and up to 20 guidance sentences per step, labelled with the step): character n-gram
TF-IDF (2-5, within words) and an L2 logistic regression (C=3). Its log-probability of each
of the engine's top-60 results is added to the engine's score at weight λ, and recall@k is
printed for each λ. Needs scikit-learn. Dumps come from `dump.py`. Run from the repository
root. See `docs/relevance/README.md`."""
import glob, json, re, sys, unicodedata
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def norm(s):
    s = unicodedata.normalize("NFKC", s).lower()
    for a, b in (("\u200c", " "), ("ي", "ی"), ("ى", "ی"), ("ك", "ک"), ("ş", "ș"), ("ţ", "ț")):
        s = s.replace(a, b)
    return s


def training_lines():
    lines, labels = [], []
    for path in glob.glob("playbooks/*/*.md"):
        text = open(path, encoding="utf-8").read()
        m = re.search(r'^translation_of = "([^"]+)"', text, re.M) or re.search(
            r'^id = "([^"]+)"', text, re.M
        )
        playbook = m.group(1)
        parts = re.split(r"^## ", text, flags=re.M)
        for part in parts[1:]:
            m = re.match(r"(.*)\{#([a-z0-9-]+)\}", part)
            if not m:
                continue
            step = f"{playbook}#{m.group(2)}"
            title = m.group(1).strip()
            added = re.search(r"^\*\*Title \(added\):\*\* (.*)$", part, re.M)
            if added:
                title = added.group(1)
            asks = re.search(r"\*\*Agents ask:\*\*\n((?:- .*\n?)+)", part)
            items = [a[2:] for a in asks.group(1).strip().split("\n")] if asks else []
            body = re.sub(r"\*\*[^*]+:\*\*.*", "", part.split("\n", 1)[1])
            sentences = [x for x in re.split(r"(?<=[.!?؟])\s+|\n", body) if len(x) > 20]
            for line in items + [title] + sentences[:20]:
                lines.append(norm(line))
                labels.append(step)
        asks = re.search(r"\*\*Agents ask:\*\*\n((?:- .*\n?)+)", parts[0])
        if asks:
            for a in asks.group(1).strip().split("\n"):
                lines.append(norm(a[2:]))
                labels.append(f"{playbook}#introduction")
    return lines, labels


lines, labels = training_lines()
vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
model = LogisticRegression(C=3, max_iter=2000).fit(vectorizer.fit_transform(lines), labels)
steps = {s: i for i, s in enumerate(model.classes_)}
LAMBDAS = [0, 0.5, 1, 1.5, 2, 3, 4, 6]


def recall(path):
    rows = json.load(open(path))
    logp = model.predict_log_proba(vectorizer.transform([norm(r["q"]["query"]) for r in rows]))
    found = []
    for lam in LAMBDAS:
        hits = 0
        for i, r in enumerate(rows):
            fused = sorted(
                r["res"],
                key=lambda x: -(x["score"] + lam * (logp[i][steps[x["id"]]] if x["id"] in steps else -20)),
            )
            hits += any(x["hit"] for x in fused[: r["q"]["k"]])
        found.append((lam, hits))
    return found, len(rows)


for path in sys.argv[1:]:
    found, n = recall(path)
    print(path, n, "queries:", ", ".join(f"λ={l}: {h}" for l, h in found))
