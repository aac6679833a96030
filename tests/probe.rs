//! Four blind probes in the evaluation's own format (query, optional language filter, anchors
//! that a right answer contains, the language a right answer must be in), each written by a
//! helper from the playbooks alone, without running the engine:
//! - `tests/fixtures/probe.jsonl`, 80 queries (the helper also read the taxonomy): 70/80
//!   when first run;
//! - `tests/fixtures/probe2.jsonl`, 60 queries (written without the taxonomy, by another
//!   helper): 49/60 when first run, the honest estimate for unseen queries;
//! - `tests/fixtures/probe3.jsonl`, 50 short situation-style queries like the public
//!   sample's (a third helper, after the fixes the first two led to): 49/50 when first run;
//! - `tests/fixtures/probe4.jsonl`, 50 messy queries (typos, missing diacritics, capitals,
//!   stray punctuation, mixed languages; a fourth helper): 48/50 when first run.
//!
//! Their misses showed gaps in the engine and the taxonomy, since fixed; they now guard
//! against regressions, and flatter the engine as measures.
//!
//! Three more were written by helpers who read only the source articles (never the
//! playbooks, the taxonomy or the engine), in the blind sample's five styles and languages:
//! `tests/fixtures/blindA.jsonl` and `blindB.jsonl` (75 each; 0.520 and 0.453 before
//! translations were searched, 0.627 and 0.600 after) and `blindC.jsonl` (100, held out:
//! 0.410 before, 0.550 after, never looked at while changing the engine). Two more, written
//! the same way on 2026-11-28 (100 each, 4 per language and style, more k=1): `blindD.jsonl`
//! (0.500 when first run; its misses were studied) and `blindE.jsonl` (0.550 when first run;
//! held out like blindC). Two more the same way in the third session of 2026-11-28, before
//! that session changed anything: `blindF.jsonl` (0.520; weighted to specific needs —
//! records, ending the call, a break after, training, reviews, threats — and answers in
//! another language's article; its misses were studied) and `blindG.jsonl` (0.610; a
//! situation and a need in one query, spoken forms; held out). Two more in the fourth session
//! of 2026-11-28, before it changed anything: `blindH.jsonl` (0.570; every article the answer
//! of a fifth of the queries; its misses were studied) and `blindI.jsonl` (0.650; a specific
//! need inside a broad situation, a third answered only in another language's article; held
//! out). Two more in the fifth session, before it changed anything: `blindJ.jsonl` (0.600;
//! a new agent's questions, the articles' later sections first; its misses were studied)
//! and `blindK.jsonl` (0.580; a team lead's quick questions, half answered in another
//! language's article; held out). Then every step got `**Agents ask:**` lines in every
//! language (helpers who read only the playbooks), four per step: A 0.867, B 0.827, C 0.790,
//! D 0.690, E 0.720, F 0.740, G 0.740, H 0.770, I 0.820, J 0.760, K 0.760; eight per step:
//! A 0.907, B 0.853, C 0.750, D 0.780, E 0.770, F 0.750, G 0.810, H 0.790, I 0.850, J 0.810,
//! K 0.810 (the same with the asks' text left out of the scored JSON). Two more in the sixth
//! session, before it changed anything: `blindL.jsonl` (0.780; new agents quoting what the
//! customer said, a quarter answered in another language's article; its misses were studied)
//! and `blindM.jsonl` (0.810; shift leads' terse everyday words, half answered in another
//! language's article; held out). Then the language boost became a tie-breaker (6 -> 2) with
//! an own-language place on the first screen: A 0.880, B 0.853, C 0.820, D 0.830, E 0.750,
//! F 0.800, G 0.820, H 0.830, I 0.850, J 0.850, K 0.790, L 0.790, M 0.810. Two more in the
//! seventh session, before it changed anything: `blindN.jsonl` (0.770; experienced agents
//! typing verbs in a hurry, a third answered in another language's article; its misses were
//! studied) and `blindO.jsonl` (0.860; first-month agents, voice-typed and keyboard-less
//! spellings; held out). Then Finglish was read as Persian: C 0.820, E 0.760, G 0.820,
//! I 0.870, K 0.810, M 0.830, N 0.770, O 0.870 (Persian of the held-out sets 0.77 -> 0.83).
//! Then a situation's prior scaled with how few steps carry it, and every step got twelve
//! `**Agents ask:**` lines per language instead of eight (helpers who read only the
//! playbooks; reviewed by others): A 0.880, B 0.880, C 0.800, D 0.830, E 0.790, F 0.800,
//! G 0.830, H 0.880, I 0.880, J 0.840, K 0.840, L 0.860, M 0.840, N 0.820, O 0.890.
//! Two more in the eighth session, before it changed anything: `blindP.jsonl` (0.750; team
//! leads quoting the customer and naming the goal, 40 % on the less obvious advice; studied)
//! and `blindQ.jsonl` (0.830; night-shift agents on phone keyboards, their own wellbeing and
//! what the company does afterwards; held out). Then playbooks' introductions became
//! searchable entries with their own `**Agents ask:**`: A 0.880, B 0.893, C 0.820, D 0.840,
//! E 0.800, F 0.820, G 0.840, H 0.900, I 0.890, J 0.860, K 0.850, L 0.880, M 0.870, N 0.860,
//! O 0.910, P 0.780, Q 0.830.
//! Two more in the ninth session, before it changed anything: `blindR.jsonl` (0.820;
//! experienced agents half-remembering a detail from training, supervisors checking a case
//! they overheard, half on the less obvious advice; studied) and `blindS.jsonl` (0.840;
//! agents typing in a language that is not always their own, what the customer does right
//! now and what to do after the call; held out). Then two of the query's neighbouring words
//! found together in a step counted (word pairs, of the stemmed forms): A 0.880, B 0.920,
//! C 0.850, D 0.880, E 0.800, F 0.860, G 0.870, H 0.920, I 0.930, J 0.870, K 0.870, L 0.900,
//! M 0.890, N 0.860, O 0.910, P 0.790, Q 0.860, R 0.830, S 0.890.
//! Two more in the tenth session, before it changed anything: `blindT.jsonl` (0.830;
//! first-month agents quoting the caller off their notes and QA reviewers listening back to
//! recorded calls, half on the less obvious advice; studied) and `blindU.jsonl` (0.880; a
//! multilingual contact centre's chat and phone agents naming the behaviour in one vivid
//! word or only the goal, and shift supervisors; held out). Then a query's rare words also
//! looked for their thesaurus groups' words (`playbooks/thesaurus.toml`): A 0.880, B 0.920,
//! C 0.870, D 0.870, E 0.800, F 0.860, G 0.890, H 0.910, I 0.930, J 0.890, K 0.870, L 0.900,
//! M 0.890, N 0.870, O 0.910, P 0.800, Q 0.860, R 0.820, S 0.890, T 0.860, U 0.890.
//! Two more in the eleventh session, before it changed anything: `blindV.jsonl` (0.890;
//! every tip of the five articles, the less prominent ones too; studied) and `blindW.jsonl`
//! (0.820; the situations agents meet most, typed the way a stressed agent types mid-call;
//! held out). Then words most situation names share ("customer", "kunde") stopped counting
//! towards how much of a query a name explains: A 0.880, B 0.920, C 0.870, D 0.870, E 0.810,
//! F 0.860, G 0.890, H 0.910, I 0.930, J 0.890, K 0.870, L 0.900, M 0.900, N 0.870, O 0.910,
//! P 0.800, Q 0.860, R 0.820, S 0.890, T 0.860, U 0.890, V 0.900, W 0.840. Then a Danish
//! past tense was also read as its present form ("råbte": "råbe"): E 0.820, H 0.920, the
//! others the same.
//! Two more in the twelfth session, before it changed anything: `blindX.jsonl` (0.930; as
//! agents in their first weeks type, Danish as everyday full sentences; studied) and
//! `blindY.jsonl` (0.860; what the customer did or said, in everyday words rather than the
//! articles' terms; held out).
//! Two more in the thirteenth session, before it changed anything: `blindZ.jsonl` (0.750;
//! tired, terse agents late in a shift, Danish as said to a colleague, nearly half of it
//! k=1; studied) and `blindAA.jsonl` (0.910; a team lead coaching a new agent through
//! concrete call moments, the less prominent advice favoured; held out).
//! Two more in the fourteenth session, before it changed anything: `blindAB.jsonl` (0.800; a
//! quality reviewer typing, for each moment of a recorded call, what the agent should have
//! looked up; studied) and `blindAC.jsonl` (0.880; a bilingual agent in the first month
//! describing the customer's words rather than naming the advice; held out). Then the
//! playbooks got seven more `Agents ask` lines per step and language (2,065): AB 0.860, AC
//! 0.900, I 0.930 → 0.890 and U 0.890 → 0.850 (held out in all 1,249 of 1,400, from 1,239);
//! then seven more again, written and reviewed per language for this round (2,310, the
//! introductions' too): AB 0.880, AC 0.890, U 0.880 (held out in all 1,257). Then the
//! classifier's step size 0.5 → 0.75 (chosen on dev): AB 0.870, AC 0.890 (held out 1,266).
//! Two more in the fifteenth session, before it changed anything: `blindAD.jsonl` (0.870;
//! an operations manager's policy questions alternating with an agent's "what now" mid-call,
//! weighted to needs a broad word does not pin down; studied) and `blindAE.jsonl` (0.850;
//! agents answering the same customers by phone and in writing, quoting what the customer
//! wrote or said; held out). Two more in the sixteenth session, before it changed anything:
//! `blindAF.jsonl` (0.850; agents in their first weeks, in plain words without the trade's
//! vocabulary, half about the call and half about before or after it; studied) and
//! `blindAG.jsonl` (0.820; busy agents typing one-handed what the customer does or demands;
//! held out). Two more in the seventeenth session, written while two multi-advice steps were
//! being split (`be-friendly-not-ingratiating` out of the clarifying step,
//! `consult-your-team` out of finding the real problem) and measured on both builds:
//! `blindAH.jsonl` (0.800 before the split, 0.820 after; team leads and coaches describing what
//! a junior agent did wrong or needs; studied) and `blindAI.jsonl` (0.920 before, 0.930 after;
//! agents typing in a second language about the customer's emotion or what to do after the
//! call; held out). Two more, written while three more pieces of advice were being split out
//! (measured, not shipped): `blindAJ.jsonl` (0.890; hotline agents in their second year on
//! what the customer is doing and what they are tempted to do; studied) and `blindAK.jsonl`
//! (0.920; back-office staff and small-business owners quoting the customer or asking about
//! policy; held out).
//! They guard the level reached, a little under it; the goal (0.90) is above.
//!
//! Scored like `../shared/eval/run_eval.py`: a query is a hit when one of its top-k results,
//! all its strings joined, contains an anchor after normalisation (NFKC, lowercase, no ZWNJ
//! or whitespace, Arabic yeh/kaf as Persian, Romanian cedilla as comma) and, where a
//! language is wanted, that result is in it.

use crate::common::{playbook, shipped_tree};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// Recall@k the engine must keep on each probe.
const MIN_RECALL: f64 = 0.85;

#[derive(Debug, Deserialize)]
struct Probe {
    id: String,
    query: String,
    lang: Option<String>,
    k: usize,
    any: Vec<String>,
    want_lang: Option<String>,
}

fn norm(text: &str) -> String {
    text.nfkc()
        .collect::<String>()
        .to_lowercase()
        .chars()
        .filter(|c| *c != '\u{200C}' && !c.is_whitespace())
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ş' => 'ș',
            'ţ' => 'ț',
            c => c,
        })
        .collect()
}

/// Every string inside a JSON value, in order.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn is_hit(probe: &Probe, result: &serde_json::Value) -> bool {
    let mut texts = Vec::new();
    strings(result, &mut texts);
    let text = norm(&texts.join(" "));
    let has_anchor = probe.any.iter().any(|a| text.contains(&norm(a)));
    let right_lang = probe
        .want_lang
        .as_deref()
        .is_none_or(|l| result["lang"].as_str() == Some(l));
    has_anchor && right_lang
}

#[test]
fn first_blind_probe() {
    assert_recall("probe", include_str!("fixtures/probe.jsonl"));
}

#[test]
fn second_blind_probe() {
    assert_recall("probe2", include_str!("fixtures/probe2.jsonl"));
}

#[test]
fn third_blind_probe() {
    assert_recall("probe3", include_str!("fixtures/probe3.jsonl"));
}

#[test]
fn fourth_blind_probe_messy_input() {
    assert_recall("probe4", include_str!("fixtures/probe4.jsonl"));
}

#[test]
fn source_blind_probe_a() {
    assert_recall_at_least("blindA", include_str!("fixtures/blindA.jsonl"), 0.86);
}

#[test]
fn source_blind_probe_b() {
    assert_recall_at_least("blindB", include_str!("fixtures/blindB.jsonl"), 0.90);
}

#[test]
fn source_blind_probe_c_held_out() {
    assert_recall_at_least("blindC", include_str!("fixtures/blindC.jsonl"), 0.82);
}

#[test]
fn source_blind_probe_d() {
    assert_recall_at_least("blindD", include_str!("fixtures/blindD.jsonl"), 0.85);
}

#[test]
fn source_blind_probe_e_held_out() {
    assert_recall_at_least("blindE", include_str!("fixtures/blindE.jsonl"), 0.77);
}

#[test]
fn source_blind_probe_f() {
    assert_recall_at_least("blindF", include_str!("fixtures/blindF.jsonl"), 0.83);
}

#[test]
fn source_blind_probe_g_held_out() {
    assert_recall_at_least("blindG", include_str!("fixtures/blindG.jsonl"), 0.86);
}

#[test]
fn source_blind_probe_h() {
    assert_recall_at_least("blindH", include_str!("fixtures/blindH.jsonl"), 0.90);
}

#[test]
fn source_blind_probe_i_held_out() {
    assert_recall_at_least("blindI", include_str!("fixtures/blindI.jsonl"), 0.88);
}

#[test]
fn source_blind_probe_j() {
    assert_recall_at_least("blindJ", include_str!("fixtures/blindJ.jsonl"), 0.85);
}

#[test]
fn source_blind_probe_k_held_out() {
    assert_recall_at_least("blindK", include_str!("fixtures/blindK.jsonl"), 0.85);
}

#[test]
fn source_blind_probe_l() {
    assert_recall_at_least("blindL", include_str!("fixtures/blindL.jsonl"), 0.88);
}

#[test]
fn source_blind_probe_m_held_out() {
    assert_recall_at_least("blindM", include_str!("fixtures/blindM.jsonl"), 0.86);
}

#[test]
fn source_blind_probe_n() {
    assert_recall_at_least("blindN", include_str!("fixtures/blindN.jsonl"), 0.84);
}

#[test]
fn source_blind_probe_o_held_out() {
    assert_recall_at_least("blindO", include_str!("fixtures/blindO.jsonl"), 0.89);
}

#[test]
fn source_blind_probe_p() {
    assert_recall_at_least("blindP", include_str!("fixtures/blindP.jsonl"), 0.77);
}

#[test]
fn source_blind_probe_q_held_out() {
    assert_recall_at_least("blindQ", include_str!("fixtures/blindQ.jsonl"), 0.84);
}

#[test]
fn source_blind_probe_r() {
    assert_recall_at_least("blindR", include_str!("fixtures/blindR.jsonl"), 0.81);
}

#[test]
fn source_blind_probe_s_held_out() {
    assert_recall_at_least("blindS", include_str!("fixtures/blindS.jsonl"), 0.87);
}

#[test]
fn source_blind_probe_t() {
    assert_recall_at_least("blindT", include_str!("fixtures/blindT.jsonl"), 0.81);
}

#[test]
fn source_blind_probe_u_held_out() {
    assert_recall_at_least("blindU", include_str!("fixtures/blindU.jsonl"), 0.86);
}

#[test]
fn source_blind_probe_v() {
    assert_recall_at_least("blindV", include_str!("fixtures/blindV.jsonl"), 0.88);
}

#[test]
fn source_blind_probe_w_held_out() {
    assert_recall_at_least("blindW", include_str!("fixtures/blindW.jsonl"), 0.82);
}

#[test]
fn source_blind_probe_x() {
    assert_recall_at_least("blindX", include_str!("fixtures/blindX.jsonl"), 0.92);
}

#[test]
fn source_blind_probe_y_held_out() {
    assert_recall_at_least("blindY", include_str!("fixtures/blindY.jsonl"), 0.85);
}

#[test]
fn source_blind_probe_z() {
    assert_recall_at_least("blindZ", include_str!("fixtures/blindZ.jsonl"), 0.74);
}

#[test]
fn source_blind_probe_aa_held_out() {
    assert_recall_at_least("blindAA", include_str!("fixtures/blindAA.jsonl"), 0.88);
}

#[test]
fn source_blind_probe_ab() {
    assert_recall_at_least("blindAB", include_str!("fixtures/blindAB.jsonl"), 0.85);
}

#[test]
fn source_blind_probe_ac_held_out() {
    assert_recall_at_least("blindAC", include_str!("fixtures/blindAC.jsonl"), 0.89);
}

#[test]
fn source_blind_probe_ad() {
    assert_recall_at_least("blindAD", include_str!("fixtures/blindAD.jsonl"), 0.85);
}

#[test]
fn source_blind_probe_ae_held_out() {
    assert_recall_at_least("blindAE", include_str!("fixtures/blindAE.jsonl"), 0.83);
}

#[test]
fn source_blind_probe_af() {
    assert_recall_at_least("blindAF", include_str!("fixtures/blindAF.jsonl"), 0.83);
}

#[test]
fn source_blind_probe_ag_held_out() {
    assert_recall_at_least("blindAG", include_str!("fixtures/blindAG.jsonl"), 0.80);
}

#[test]
fn source_blind_probe_ah() {
    assert_recall_at_least("blindAH", include_str!("fixtures/blindAH.jsonl"), 0.80);
}

#[test]
fn source_blind_probe_ai_held_out() {
    assert_recall_at_least("blindAI", include_str!("fixtures/blindAI.jsonl"), 0.91);
}

#[test]
fn source_blind_probe_aj() {
    assert_recall_at_least("blindAJ", include_str!("fixtures/blindAJ.jsonl"), 0.87);
}

#[test]
fn source_blind_probe_ak_held_out() {
    assert_recall_at_least("blindAK", include_str!("fixtures/blindAK.jsonl"), 0.90);
}

fn assert_recall(name: &str, jsonl: &str) {
    assert_recall_at_least(name, jsonl, MIN_RECALL);
}

fn assert_recall_at_least(name: &str, jsonl: &str, min_recall: f64) {
    let tree = shipped_tree();
    let probes: Vec<Probe> = jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut hits = 0;
    for probe in &probes {
        let mut cmd = playbook(tree.path());
        cmd.args(["search", "--json", "--limit", &probe.k.to_string()]);
        if let Some(lang) = &probe.lang {
            cmd.args(["--lang", lang]);
        }
        let output = cmd.args(["--", &probe.query]).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e})", probe.id));
        let results = json["results"].as_array().cloned().unwrap_or_default();
        if results.iter().take(probe.k).any(|r| is_hit(probe, r)) {
            hits += 1;
        } else {
            let top: Vec<String> = results
                .iter()
                .map(|r| {
                    let field = |k: &str| r[k].as_str().unwrap_or("?").to_string();
                    format!("{}:{}", field("lang"), field("step"))
                })
                .collect();
            println!("MISS {} `{}` -> {top:?}", probe.id, probe.query);
        }
    }
    let recall = hits as f64 / probes.len() as f64;
    println!("{name} recall@k = {hits}/{} = {recall:.3}", probes.len());
    assert!(
        recall >= min_recall,
        "{name}: recall {recall:.3} under {min_recall}"
    );
}

#[test]
fn normalisation_matches_the_evaluation_script() {
    assert_eq!(norm("Resist  conflictului"), "resistconflictului");
    assert_eq!(norm("می‌خواهد"), "میخواهد");
    assert_eq!(norm("يك"), "یک");
    assert_eq!(norm("Şi"), "și");
}
