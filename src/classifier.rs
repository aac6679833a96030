//! A step classifier trained on the playbooks' own words: which step a query asks for.
//!
//! Every step carries, in every language, how agents ask for it (`**Agents ask:**`) and its
//! title: a few thousand labelled questions. A softmax regression over the character 2–5
//! grams of those lines learns which letters tell one step from its neighbours (the words of
//! "stay calm" in four articles, told apart by what else each says), which ranking by shared
//! words cannot. Its log-probability re-ranks the engine's first candidates (see
//! [`crate::tuning::CLASSIFIER_WEIGHT`]). Measured before it was built (docs/relevance): on
//! 1,300 held-out blind queries 1,142 → 1,151.
//!
//! Trained when the steps change and kept in `index/` behind a CRC-32, keyed by the index
//! snapshot it learned from; skipped for corpora above [`crate::tuning::CLASSIFIER_MAX_STEPS`]
//! (a weight per step and feature does not scale to tens of thousands of steps).

use crate::corpus::Repo;
use crate::fnv::Fnv1a;
use crate::search::Searcher;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// Lines to learn from, each labelled with an index into the steps; and the steps, as
/// `playbook#step`.
pub type TrainingLines = (Vec<(String, usize)>, Vec<String>);

/// The trained model's file in `index/`.
const MODEL_FILE: &str = "classifier.bin";
/// How a model is made (its features and its training): part of a kept model's key, so
/// that a model kept from another is trained again. Raise it when [`counts`] or
/// [`Classifier::train`] changes.
pub const MODEL_VERSION: u32 = 3;
/// A model is about a megabyte (`BUCKETS` × steps bytes; at most
/// [`crate::tuning::CLASSIFIER_MAX_STEPS`] steps would be 33 MB): anything larger is not ours.
const MAX_MODEL_BYTES: u64 = 256 * 1024 * 1024;

/// The classifier for `searcher`'s steps: the one kept in `index/` when it was trained on
/// the same lines, else trained now and kept. None for a large corpus, or when the index
/// cannot be read (the search then ranks without it).
pub fn for_searcher(repo: &Repo, searcher: &Searcher) -> Option<Arc<Classifier>> {
    // The index's snapshot names what the model learned from: segments never change, and a
    // replaced step is a deletion in one and an addition in another. Telling a kept model
    // is current costs no reading of the steps.
    let key = searcher.snapshot_key()?;
    let kept = crate::cache::read_checked(repo, MODEL_FILE, MAX_MODEL_BYTES)
        .and_then(|bytes| Classifier::decoded(&bytes))
        .filter(|c| c.key == key);
    if let Some(kept) = kept {
        return Some(Arc::new(kept));
    }
    let (lines, steps) = searcher.training_lines().ok()??;
    if steps.len() < 2 {
        return None;
    }
    let mut trained = Classifier::train(&lines, steps);
    trained.key = key;
    if let Some(body) = trained.encoded() {
        crate::cache::write_checked(repo, MODEL_FILE, &body);
    }
    Some(Arc::new(trained))
}

/// Features are hashed into this many buckets (2^14): measured, 2^12 loses part of the
/// gain, 2^16 adds nothing and quadruples the model.
const BUCKETS: usize = 1 << 14;
/// Character n-grams from 2 to 5 letters, within words padded with a space.
const NGRAMS: std::ops::RangeInclusive<usize> = 2..=5;
/// Passes over the training lines, and the first pass's step size (halved as it goes).
/// The step size measured on 1,743 dev queries: 0.25 finds 1,603, 0.5 1,609, 0.75 1,614
/// (MRR 0.877), 1.0 1,612, 1.5 1,606, 2.0 1,600.
const EPOCHS: usize = 12;
const LEARNING_RATE: f32 = 0.75;
/// L2 penalty per line: the regression's C of 3, spread over the lines.
const L2_C: f32 = 3.0;

/// A trained classifier: for each bucket, a weight per step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    /// What it was trained on (the index snapshot's [`Searcher::snapshot_key`]): a changed
    /// step retrains it.
    pub key: u64,
    /// The steps it tells apart, as `playbook#step`.
    pub steps: Vec<String>,
    idf: Vec<f32>,
    /// `BUCKETS × steps`, a bucket's weights together, each bucket's to a byte of its
    /// largest: a quarter of the size, read on every one-shot search (4 MB of `f32` read
    /// and decoded took 13 ms). Written after the rest as plain bytes (decoding a
    /// megabyte value by value took 5 ms more).
    #[serde(skip)]
    weights: Vec<i8>,
    /// Each bucket's scale: its largest weight is 127 × scale.
    scales: Vec<f32>,
    bias: Vec<f32>,
}

/// A line's text as the features see it: one form per letter (NFKC, lower case), Persian's
/// Arabic letters and joiners, Romanian's cedillas as the playbooks write them.
fn normalised(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{200c}' => ' ',
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ş' => 'ș',
            'ţ' => 'ț',
            c => c,
        })
        .collect()
}

/// A normalised word as agents type it in a hurry, without Danish and Romanian letters:
/// "værktøjer" and "vaerktoejer" both read "varktojer", "jignește" and "jigneste" alike.
/// None when nothing changes. The two-letter spellings are folded in any word ("does" also
/// reads "dos"): a little noise, the same in training and in queries, and measured with it.
fn folded(word: &str) -> Option<String> {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'æ' | 'å' | 'ă' | 'â' => out.push('a'),
            'ø' => out.push('o'),
            'î' => out.push('i'),
            'ș' => out.push('s'),
            'ț' => out.push('t'),
            c => out.push(c),
        }
    }
    // The letters' two-letter spellings: "aa" for å, "ae" for æ, "oe" for ø.
    let out = out.replace("aa", "a").replace("ae", "a").replace("oe", "o");
    (out != word).then_some(out)
}

/// The hashed character n-grams of `text` with their counts: of each word as written and,
/// when it differs, as [`folded`], so that an exact spelling stays a little ahead of a
/// hurried one (as in the word index). Measured with 1,743 dev and 1,400 held-out queries:
/// written forms only 1,571 and 1,251, folded only 1,574 and 1,251, both 1,573 and 1,249:
/// within noise, and hurried Danish and Romanian reach the same steps.
fn counts(text: &str) -> Vec<(usize, f32)> {
    let mut found: Vec<usize> = Vec::new();
    for word in normalised(text).split_whitespace() {
        grams_into(word, &mut found);
        if let Some(folded) = folded(word) {
            grams_into(&folded, &mut found);
        }
    }
    found.sort_unstable();
    let mut out: Vec<(usize, f32)> = Vec::new();
    for b in found {
        match out.last_mut() {
            Some((last, n)) if *last == b => *n += 1.0,
            _ => out.push((b, 1.0)),
        }
    }
    out
}

/// The buckets of `word`'s character n-grams, the word padded with a space.
fn grams_into(word: &str, found: &mut Vec<usize>) {
    let padded: Vec<char> = std::iter::once(' ')
        .chain(word.chars())
        .chain(std::iter::once(' '))
        .collect();
    for n in NGRAMS {
        for gram in padded.windows(n) {
            let mut hash = Fnv1a::new();
            for c in gram {
                hash.unit(u64::from(*c));
            }
            found.push((hash.finish() % BUCKETS as u64) as usize);
        }
    }
}

/// Sublinear counts times `idf`, to unit length.
fn weighted(counts: Vec<(usize, f32)>, idf: &[f32]) -> Vec<(usize, f32)> {
    let mut v: Vec<(usize, f32)> = counts
        .into_iter()
        .map(|(b, n)| (b, (1.0 + n.ln()) * idf[b]))
        .collect();
    let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, x) in &mut v {
            *x /= norm;
        }
    }
    v
}

impl Classifier {
    /// Trains on `lines`, each labelled with an index into `steps`. Deterministic: the same
    /// lines give the same model.
    pub fn train(lines: &[(String, usize)], steps: Vec<String>) -> Classifier {
        let classes = steps.len().max(1);
        let raw: Vec<Vec<(usize, f32)>> = lines.iter().map(|(l, _)| counts(l)).collect();
        let mut df = vec![0f32; BUCKETS];
        for row in &raw {
            for (b, _) in row {
                df[*b] += 1.0;
            }
        }
        let n = raw.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|d| ((1.0 + n) / (1.0 + d)).ln() + 1.0)
            .collect();
        let rows: Vec<Vec<(usize, f32)>> = raw.into_iter().map(|r| weighted(r, &idf)).collect();
        let mut weights = vec![0f32; BUCKETS * classes];
        let mut bias = vec![0f32; classes];
        let l2 = 1.0 / (L2_C * n.max(1.0));
        let mut logits = vec![0f32; classes];
        for epoch in 0..EPOCHS {
            let rate = LEARNING_RATE / (1.0 + epoch as f32);
            for (row, (_, label)) in rows.iter().zip(lines) {
                scores_into(&weights, &bias, classes, row, &mut logits);
                softmax(&mut logits);
                logits[*label] -= 1.0;
                for (b, x) in row {
                    let w = &mut weights[b * classes..(b + 1) * classes];
                    for (wc, g) in w.iter_mut().zip(&logits) {
                        *wc -= rate * (g * x + l2 * *wc);
                    }
                }
                for (bc, g) in bias.iter_mut().zip(&logits) {
                    *bc -= rate * g;
                }
            }
        }
        let (weights, scales) = quantised(&weights, classes);
        Classifier {
            key: 0,
            steps,
            idf,
            weights,
            scales,
            bias,
        }
    }

    /// The model as kept in `index/`: its other parts in postcard, then the weights.
    fn encoded(&self) -> Option<Vec<u8>> {
        let mut body = postcard::to_stdvec(self).ok()?;
        body.extend(self.weights.iter().map(|w| w.to_le_bytes()[0]));
        Some(body)
    }

    /// A model [`Classifier::encoded`] wrote, if all its parts have their sizes (what
    /// [`Classifier::log_probs`] relies on).
    fn decoded(bytes: &[u8]) -> Option<Classifier> {
        let (mut model, weights): (Classifier, &[u8]) = postcard::take_from_bytes(bytes).ok()?;
        model.weights = weights.iter().map(|b| i8::from_le_bytes([*b])).collect();
        let classes = model.steps.len();
        let whole = classes > 0
            && model.idf.len() == BUCKETS
            && model.scales.len() == BUCKETS
            && model.bias.len() == classes
            && model.weights.len() == BUCKETS * classes;
        whole.then_some(model)
    }

    /// Log-probability of each step (in [`Classifier::steps`] order) for `query`.
    pub fn log_probs(&self, query: &str) -> Vec<f32> {
        let classes = self.bias.len();
        let row = weighted(counts(query), &self.idf);
        let mut logits = self.bias.clone();
        for (b, x) in &row {
            let scaled = self.scales[*b] * x;
            let w = &self.weights[b * classes..(b + 1) * classes];
            for (o, q) in logits.iter_mut().zip(w) {
                *o += f32::from(*q) * scaled;
            }
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = logits.iter().map(|z| (z - max).exp()).sum();
        let log_sum = max + sum.ln();
        logits.iter().map(|z| z - log_sum).collect()
    }
}

/// Each bucket's weights as bytes of its largest, and the scales.
fn quantised(weights: &[f32], classes: usize) -> (Vec<i8>, Vec<f32>) {
    let mut bytes = Vec::with_capacity(weights.len());
    let mut scales = Vec::with_capacity(BUCKETS);
    for bucket in weights.chunks(classes) {
        let largest = bucket.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 0.0 };
        scales.push(scale);
        bytes.extend(bucket.iter().map(|w| {
            if scale > 0.0 {
                (w / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            }
        }));
    }
    (bytes, scales)
}

fn scores_into(
    weights: &[f32],
    bias: &[f32],
    classes: usize,
    row: &[(usize, f32)],
    out: &mut [f32],
) {
    out.copy_from_slice(bias);
    for (b, x) in row {
        for (o, w) in out.iter_mut().zip(&weights[b * classes..(b + 1) * classes]) {
            *o += w * x;
        }
    }
}

fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> (Vec<(String, usize)>, Vec<String>) {
        let steps = vec!["da#take-a-break".to_string(), "fa#keep-records".to_string()];
        let lines = [
            ("jeg har brug for en pause efter opkaldet", 0),
            ("hold en pause og træk vejret", 0),
            ("พักสักครู่หลังวางสาย", 0),
            ("pauză după apel", 0),
            ("ثبت سوابق مکالمات", 1),
            ("یادداشت تماس‌های مشتری", 1),
            ("log alt skriftligt", 1),
            ("บันทึกทุกสาย", 1),
            ("notez istoricul convorbirilor", 1),
        ];
        (
            lines.iter().map(|(l, s)| (l.to_string(), *s)).collect(),
            steps,
        )
    }

    #[test]
    fn a_model_tells_its_own_lines_apart_in_every_script() {
        let (lines, steps) = lines();
        let model = Classifier::train(&lines, steps);
        for (line, label) in &lines {
            let p = model.log_probs(line);
            let best = if p[0] >= p[1] { 0 } else { 1 };
            assert_eq!(best, *label, "{line}: {p:?}");
        }
        // Unseen words that share letters with one step's lines.
        let p = model.log_probs("skal jeg holde pause nu");
        assert!(p[0] > p[1], "{p:?}");
        let p = model.log_probs("یادداشت سوابق");
        assert!(p[1] > p[0], "{p:?}");
    }

    #[test]
    fn persian_joiners_and_arabic_letters_read_alike() {
        assert_eq!(counts("تماس‌های"), counts("تماس های"));
        assert_eq!(counts("مشتري"), counts("مشتری"));
        assert_eq!(counts("Istoricul"), counts("istoricul"));
    }

    #[test]
    fn danish_and_romanian_typed_without_their_letters_share_features() {
        let buckets = |text: &str| -> Vec<usize> { counts(text).iter().map(|(b, _)| *b).collect() };
        // The hurried spelling, folded, has only features of the written word.
        for (written, typed) in [
            ("værktøjer", "vaerktoejer"),
            ("værktøjer", "varktojer"),
            ("får", "faar"),
            ("jignește", "jigneste"),
            ("înțeleg", "inteleg"),
        ] {
            let written = buckets(written);
            let typed = folded(typed).unwrap_or_else(|| typed.to_string());
            for b in buckets(&typed) {
                assert!(written.contains(&b), "{typed}");
            }
        }
        assert_eq!(counts("şeful"), counts("șeful"));
        // The written spelling has features of its own: an exact match counts a little more.
        assert!(buckets("værktøjer").len() > buckets("varktojer").len());
        // Thai and Persian letters are left alone.
        assert_eq!(folded("ลูกค้าโกรธ"), None);
        assert_eq!(folded("مشتری"), None);
    }

    #[test]
    fn training_is_deterministic_and_a_kept_model_is_the_same_model() {
        let (lines, steps) = lines();
        let a = Classifier::train(&lines, steps.clone());
        let b = Classifier::train(&lines, steps);
        assert_eq!(a, b);
        let kept = Classifier::decoded(&a.encoded().unwrap()).unwrap();
        assert_eq!(kept, a);
        // A cut file is no model.
        let bytes = a.encoded().unwrap();
        assert!(Classifier::decoded(&bytes[..bytes.len() - 1]).is_none());
    }
}
