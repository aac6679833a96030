//! `gen-corpus`: a deterministic generator of large playbook corpora for the benchmarks.
//!
//! ```console
//! cargo run -p xtask --release -- gen-corpus --count 10000 --out target/bench-corpus/10k [--seed 1] [--translations 1]
//! ```
//!
//! It writes `OUT/playbooks/{fa,ro,th,da}/*.md` and copies of `situations.toml` (and
//! `thesaurus.toml`, if any): `--count`
//! playbooks derived from the shipped ones (`--from`, by default the repository's folder). Each
//! generated playbook takes its language from one shipped playbook in turn, so the languages
//! keep the shipped proportions, and is made of steps of that language recombined with a
//! hand-written PRNG: a donor step's situations, phrases and gloss (so the format rules that
//! tie them together still hold), with guidance whose sentences are mixed with sentences of
//! other steps, and a few words spliced from two others so that the vocabulary keeps growing
//! with the corpus as a real one does. Ids are unique (`<donor-id>-g000042`, step ids end in
//! their position), text is escaped so that Markdown reads it back unchanged, and the same
//! sources and seed always give byte-identical files. `OUT/.gen-corpus` records what was made;
//! an `OUT/playbooks` without it is never overwritten.
//!
//! `--translations N` (default 1; 0 to 4) also writes, for each generated playbook, `N`
//! translations into the other reading languages (`en` and the three other original
//! languages, chosen in turn from a random start), as `playbooks/<lang>/<original id>.md`:
//! made of the target language's shipped text (originals and translations, so English comes
//! from the shipped translations) the same way, with the original's step ids and sections, as
//! many phrases and guidance list items per step, and each step stamped with the
//! `<!-- original: … -->` fingerprint of the original step as `playbook::parser` reads it, so
//! that `playbook check` finds no stale, unstamped or unknown step. Translations use their own
//! random stream: the originals are the same whatever `N` is.
//!
//! This file depends only on the `playbook` library and std, so that the integration tests
//! (`tests/gen_corpus.rs`) and the benchmarks (`benches/search.rs`) include it with `#[path]`
//! and call [`run`] in-process; `xtask/src/main.rs` is its command line.

use playbook::corpus::{Repo, load_corpus};
use playbook::model::{Lang, Playbook, Step};
use playbook::parser::{is_valid_id, parse_playbook};
use playbook::translations::marker;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to generate (the `gen-corpus` options).
#[derive(Debug, Clone)]
pub struct Options {
    /// How many playbooks to write.
    pub count: usize,
    /// The folder to write `playbooks/` into.
    pub out: PathBuf,
    /// Seed of the generator: the same seed and sources give byte-identical output.
    pub seed: u64,
    /// The folder holding the source `playbooks/`.
    pub from: PathBuf,
    /// How many translations each generated playbook gets (0 to 4): into the other reading
    /// languages, a deterministic choice, each stamped with its original steps' fingerprints.
    pub translations: usize,
}

/// The marker that says `OUT/playbooks` was written by this program (and may be replaced).
pub const MARKER: &str = ".gen-corpus";

/// Writes the corpus; the summary line to print, or why nothing (or not all) was written.
pub fn run(args: &Options) -> Result<String, String> {
    let from = &args.from;
    let repo = Repo::discover(Some(from), from).map_err(|e| e.to_string())?;
    let corpus = load_corpus(&repo);
    let taxonomy = corpus
        .taxonomy
        .as_ref()
        .ok_or("the source situations.toml cannot be used (run `playbook check`)")?;
    let known = |s: &String| taxonomy.get(s).is_some();
    let headline = |s: &String| taxonomy.get(s).is_some_and(|t| t.headline);
    let pools = Pools::new(&corpus.playbooks, &known, &headline);
    if pools.donors.is_empty() {
        return Err(
            "no usable source playbook (every step needs known situations and a gloss)".into(),
        );
    }
    let taxonomy_bytes = std::fs::read(repo.situations_path())
        .map_err(|e| format!("cannot read {}: {e}", repo.situations_path().display()))?;

    if args.translations > 4 {
        return Err(format!(
            "--translations {} is more than the four other reading languages",
            args.translations
        ));
    }
    if args.translations > 0
        && let Some(lang) = Lang::READING
            .into_iter()
            .find(|l| pools.texts.get(l).is_none_or(|p| p.sentences.is_empty()))
    {
        return Err(format!(
            "no shipped {} text to build translations from",
            lang.name()
        ));
    }

    prepare_out(&args.out)?;
    let playbooks_dir = args.out.join("playbooks");
    let langs: &[Lang] = if args.translations > 0 {
        &Lang::READING
    } else {
        &Lang::ALL
    };
    for &lang in langs {
        std::fs::create_dir_all(playbooks_dir.join(lang.code()))
            .map_err(|e| format!("cannot create {}: {e}", playbooks_dir.display()))?;
    }
    std::fs::write(playbooks_dir.join("situations.toml"), &taxonomy_bytes)
        .map_err(|e| format!("cannot write situations.toml: {e}"))?;
    // The thesaurus too, when the source has one: searches of the corpus expand as the
    // shipped playbooks' do.
    let thesaurus = repo
        .playbooks_dir()
        .join(playbook::thesaurus::THESAURUS_FILE);
    if thesaurus.is_file() {
        std::fs::copy(
            &thesaurus,
            playbooks_dir.join(playbook::thesaurus::THESAURUS_FILE),
        )
        .map_err(|e| format!("cannot copy {}: {e}", thesaurus.display()))?;
    }

    // Every file depends only on (sources, seed, its number): the threads cannot change it.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let translated = std::sync::atomic::AtomicU64::new(0);
    let failure = std::sync::Mutex::new(None::<String>);
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (pools, bytes, translated, failure, dir) =
                (&pools, &bytes, &translated, &failure, &playbooks_dir);
            scope.spawn(move || {
                for i in (t..args.count).step_by(threads) {
                    let (rel, text) = pools.generate(args.seed, i);
                    let mut files =
                        match pools.translate(args.seed, i, &rel, &text, args.translations) {
                            Ok(files) => files,
                            Err(e) => {
                                *failure.lock().unwrap() = Some(e);
                                return;
                            }
                        };
                    translated.fetch_add(files.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    files.insert(0, (rel, text));
                    for (rel, text) in files {
                        if let Err(e) = std::fs::write(dir.join(&rel), &text) {
                            *failure.lock().unwrap() = Some(format!("cannot write {rel}: {e}"));
                            return;
                        }
                        bytes.fetch_add(text.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap() {
        return Err(e);
    }
    let bytes = bytes.into_inner();
    let translated = translated.into_inner();
    let mut marker = format!(
        "count = {}\nseed = {}\ntranslations = {}\ntranslation_files = {translated}\nsources = {}\nmarkdown_bytes = {bytes}\n",
        args.count,
        args.seed,
        args.translations,
        pools.donors.len()
    );
    for d in &pools.donors {
        let _ = writeln!(marker, "# {}", d.path);
    }
    std::fs::write(args.out.join(MARKER), marker)
        .map_err(|e| format!("cannot write marker: {e}"))?;
    Ok(format!(
        "gen-corpus: wrote {} playbooks and {translated} translations ({:.1} MB of Markdown) to {} (seed {}, from {} shipped playbooks)",
        args.count,
        bytes as f64 / 1e6,
        playbooks_dir.display(),
        args.seed,
        pools.donors.len()
    ))
}

/// Empties `OUT/playbooks` if this program wrote it; refuses to touch anything else.
fn prepare_out(out: &Path) -> Result<(), String> {
    let playbooks = out.join("playbooks");
    if playbooks.exists() {
        if !out.join(MARKER).is_file() {
            return Err(format!(
                "{} exists and was not written by gen-corpus: choose another --out",
                playbooks.display()
            ));
        }
        std::fs::remove_dir_all(&playbooks)
            .map_err(|e| format!("cannot clear {}: {e}", playbooks.display()))?;
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))
}

// ---------------------------------------------------------------------------------------------
// The generator's randomness: SplitMix64, written out so that the output never depends on a
// library's algorithm changing between versions.
// ---------------------------------------------------------------------------------------------

pub(crate) struct Rng(u64);

impl Rng {
    /// Stream `i` under `seed` (playbook `i`, a load client `i`): independent streams, in
    /// any order.
    pub(crate) fn stream(seed: u64, i: usize) -> Rng {
        let mut r = Rng(seed ^ 0x5EED_C0DE_2026_0001);
        let mixed = r.next_u64() ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng(mixed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// What the shipped playbooks offer, per language.
// ---------------------------------------------------------------------------------------------

/// A shipped playbook generated playbooks are derived from, in turn.
struct Donor {
    id: String,
    title: String,
    lang: Lang,
    path: String,
    /// The file name without `.md`.
    stem: String,
    source_title: String,
    source_file: Option<String>,
}

/// A step that is valid on its own: known situations, a gloss, phrases where required.
struct StepSource {
    id: String,
    title: String,
    situations: Vec<String>,
    /// The guidance as units: a paragraph, or a list's items.
    guidance: Vec<Unit>,
    quoted: Vec<String>,
    added: Vec<String>,
    gloss: String,
    dont_say: Vec<String>,
    escalate_when: Vec<String>,
    asks: Vec<String>,
}

#[derive(Clone)]
enum Unit {
    Paragraph(Vec<String>),
    List(Vec<String>),
}

#[derive(Default)]
struct LangPool {
    steps: Vec<StepSource>,
    /// Sentences of guidance paragraphs.
    sentences: Vec<String>,
    /// Sentences of introductions (playbook and section).
    intro_sentences: Vec<String>,
    list_items: Vec<String>,
    section_titles: Vec<String>,
    /// Phrases (text, added) to mix into steps.
    phrases: Vec<(String, bool)>,
    /// Words long enough to splice into new ones.
    words: Vec<String>,
    /// Step titles, playbook titles, `Don't say`, `Escalate when` and `Agents ask` items
    /// (translations).
    step_titles: Vec<String>,
    titles: Vec<String>,
    dont_say: Vec<String>,
    escalate_when: Vec<String>,
    asks: Vec<String>,
}

struct Pools {
    donors: Vec<Donor>,
    langs: BTreeMap<Lang, LangPool>,
    /// The text of every shipped playbook of a reading language, originals and translations
    /// alike (English has only translations): what generated translations are made of.
    texts: BTreeMap<Lang, LangPool>,
}

impl Pools {
    fn new(
        playbooks: &[Playbook],
        known: &dyn Fn(&String) -> bool,
        headline: &dyn Fn(&String) -> bool,
    ) -> Pools {
        let mut donors = Vec::new();
        let mut langs: BTreeMap<Lang, LangPool> = BTreeMap::new();
        let mut sorted: Vec<&Playbook> = playbooks.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for p in sorted {
            let pool = langs.entry(p.lang).or_default();
            let usable: Vec<&Step> = p
                .steps
                .iter()
                .filter(|s| {
                    is_valid_id(&s.id)
                        && !s.situations.is_empty()
                        && s.situations.iter().all(known)
                        && !s.gloss.trim().is_empty()
                        && (!s.situations.iter().any(headline) || !s.phrases.is_empty())
                })
                .collect();
            if usable.is_empty() {
                continue;
            }
            pool.intro_sentences
                .extend(p.intro.lines().flat_map(|l| sentences(l, p.lang)));
            for section in &p.sections {
                pool.section_titles.push(one_line(&section.title));
                pool.intro_sentences
                    .extend(section.intro.lines().flat_map(|l| sentences(l, p.lang)));
            }
            for s in usable {
                let source = step_source(s, p.lang);
                for unit in &source.guidance {
                    match unit {
                        Unit::Paragraph(sents) => pool.sentences.extend(sents.iter().cloned()),
                        Unit::List(items) => pool.list_items.extend(items.iter().cloned()),
                    }
                }
                pool.phrases
                    .extend(source.quoted.iter().map(|t| (t.clone(), false)));
                pool.phrases
                    .extend(source.added.iter().map(|t| (t.clone(), true)));
                pool.steps.push(source);
            }
            let stem = p
                .path
                .rsplit('/')
                .next()
                .unwrap_or("playbook")
                .trim_end_matches(".md");
            donors.push(Donor {
                id: p.id.clone(),
                title: one_line(&p.title),
                lang: p.lang,
                path: p.path.clone(),
                stem: file_stem(stem),
                source_title: one_line(&p.source.title),
                source_file: p.source.file.clone(),
            });
        }
        for (lang, pool) in &mut langs {
            if pool.intro_sentences.is_empty() {
                pool.intro_sentences = pool.sentences.clone();
            }
            if *lang != Lang::Th {
                let mut words: Vec<String> = pool
                    .sentences
                    .iter()
                    .flat_map(|s| s.split(' '))
                    .filter(|w| splicable(w))
                    .map(str::to_string)
                    .collect();
                words.sort();
                words.dedup();
                pool.words = words;
            }
        }
        langs.retain(|_, pool| !pool.steps.is_empty());
        let texts = Lang::READING
            .into_iter()
            .map(|lang| (lang, text_pool(playbooks, lang)))
            .collect();
        Pools {
            donors,
            langs,
            texts,
        }
    }

    /// Playbook number `i`: its path under `playbooks/` and its text.
    fn generate(&self, seed: u64, i: usize) -> (String, String) {
        let mut rng = Rng::stream(seed, i);
        let donor = &self.donors[i % self.donors.len()];
        let pool = &self.langs[&donor.lang];
        let lang = donor.lang;
        let id = format!("{}-g{i:06}", donor.id);
        let rel = format!("{}/{}-{i:06}.md", lang.code(), donor.stem);

        let title = if rng.chance(500) {
            donor.title.clone()
        } else {
            one_line(&rng.pick(&pool.steps).title)
        };
        let title = mutate_words(&title, lang, pool, &mut rng, 60);
        let mut out = String::with_capacity(8 * 1024);
        out.push_str("+++\n");
        let _ = writeln!(out, "id = {}", toml_string(&id));
        let _ = writeln!(out, "title = {}", toml_string(&title));
        let _ = writeln!(out, "lang = \"{}\"", lang.code());
        if rng.chance(300) {
            let _ = writeln!(out, "owner = \"team-{}-{}\"", lang.code(), rng.range(1, 12));
        }
        out.push_str("\n[source]\n");
        let _ = writeln!(out, "title = {}", toml_string(&donor.source_title));
        if let Some(file) = &donor.source_file {
            let _ = writeln!(out, "file = {}", toml_string(file));
        }
        out.push_str("+++\n\n");

        // The introduction: one or two paragraphs of recombined sentences.
        for _ in 0..rng.range(1, 2) {
            let para =
                random_paragraph(&pool.intro_sentences, rng.range(1, 3), lang, pool, &mut rng);
            push_paragraph(&mut out, &para);
        }

        let steps = rng.range(2, 4);
        let sections = if pool.section_titles.is_empty() || !rng.chance(600) {
            0
        } else {
            rng.range(1, steps.min(3))
        };
        // Sections start at steps 0 and at sorted random points after it.
        let mut starts: Vec<usize> = Vec::new();
        if sections > 0 {
            starts.push(0);
            while starts.len() < sections {
                let s = rng.range(1, steps - 1);
                if !starts.contains(&s) {
                    starts.push(s);
                }
            }
            starts.sort_unstable();
        }
        for j in 0..steps {
            if starts.contains(&j) {
                let t = rng.pick(&pool.section_titles);
                let _ = writeln!(out, "# {}\n", heading_text(t));
                if rng.chance(250) {
                    let para = random_paragraph(&pool.intro_sentences, 1, lang, pool, &mut rng);
                    push_paragraph(&mut out, &para);
                }
            }
            let step = rng.pick(&pool.steps);
            write_step(&mut out, step, j, lang, pool, &mut rng);
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        (rel, out)
    }
}

impl Pools {
    /// The translations of generated playbook `i` (its path `rel` under `playbooks/` and its
    /// `text`): `n` of the four other reading languages, chosen in turn from a random start.
    /// Each is made of the target language's shipped text the way originals are, with the
    /// original's step ids, sections and as many phrases and list items, and each step is
    /// stamped with the fingerprint of the original step as the library parses it.
    fn translate(
        &self,
        seed: u64,
        i: usize,
        rel: &str,
        text: &str,
        n: usize,
    ) -> Result<Vec<(String, String)>, String> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let parsed = parse_playbook(text.as_bytes(), &format!("playbooks/{rel}"));
        let Some(original) = parsed.playbook else {
            let why: Vec<String> = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
            return Err(format!(
                "generated {rel} does not parse: {}",
                why.join("; ")
            ));
        };
        let mut rng = Rng::stream(seed ^ 0x7EA5_1A7E_D0C5_0002, i);
        let others: Vec<Lang> = Lang::READING
            .into_iter()
            .filter(|&l| l != original.lang)
            .collect();
        let start = rng.below(others.len());
        let mut out = Vec::with_capacity(n);
        for k in 0..n.min(others.len()) {
            let lang = others[(start + k) % others.len()];
            let text = self.translation(&original, lang, &mut rng);
            out.push((format!("{}/{}.md", lang.code(), original.id), text));
        }
        Ok(out)
    }

    fn translation(&self, original: &Playbook, lang: Lang, rng: &mut Rng) -> String {
        let pool = &self.texts[&lang];
        let title = if rng.chance(500) && !pool.titles.is_empty() {
            rng.pick(&pool.titles).clone()
        } else {
            pick_or(&pool.step_titles, &pool.sentences, rng)
        };
        let title = mutate_words(&title, lang, pool, rng, 60);
        let mut out = String::with_capacity(8 * 1024);
        out.push_str("+++\n");
        let _ = writeln!(out, "translation_of = {}", toml_string(&original.id));
        let _ = writeln!(out, "lang = \"{}\"", lang.code());
        let _ = writeln!(out, "title = {}", toml_string(&one_line(&title)));
        out.push_str("translator = \"gen-corpus\"\n");
        out.push_str("+++\n\n");
        let para = random_paragraph(&pool.intro_sentences, rng.range(1, 3), lang, pool, rng);
        if let Some(intro) = &original.introduction {
            // Stamped like the steps: the marker on the line above it.
            let _ = writeln!(out, "{}", marker(&intro.fingerprint()));
        }
        push_paragraph(&mut out, &para);

        let mut section = None;
        for step in &original.steps {
            if step.section.is_some() && step.section != section {
                let t = pick_or(&pool.section_titles, &pool.step_titles, rng);
                let _ = writeln!(out, "# {}\n", heading_text(&t));
            }
            section = step.section;
            let title = pick_or(&pool.step_titles, &pool.sentences, rng);
            let title = mutate_words(&title, lang, pool, rng, 40);
            let _ = writeln!(
                out,
                "## {} {{#{}}}\n{}\n",
                heading_text(&title),
                step.id,
                marker(&step.fingerprint())
            );
            let source = step_source(step, original.lang);
            let mut wrote_guidance = false;
            for unit in &source.guidance {
                match unit {
                    Unit::Paragraph(sents) => {
                        let para = random_paragraph(
                            &pool.sentences,
                            sents.len().clamp(1, 3),
                            lang,
                            pool,
                            rng,
                        );
                        wrote_guidance |= push_paragraph(&mut out, &para);
                    }
                    Unit::List(items) => {
                        let items: Vec<String> = (0..items.len())
                            .map(|_| {
                                let item = pick_or(&pool.list_items, &pool.sentences, rng);
                                mutate_words(&item, lang, pool, rng, 30)
                            })
                            .collect();
                        wrote_guidance |= push_list(&mut out, &items);
                    }
                }
            }
            if !wrote_guidance {
                let para = random_paragraph(&pool.sentences, 1, lang, pool, rng);
                push_paragraph(&mut out, &para);
            }
            let mut used: Vec<String> = Vec::new();
            for (label, added) in [("Say", false), ("Say (added)", true)] {
                let count = step.phrases.iter().filter(|p| p.added == added).count();
                let items: Vec<String> = (0..count)
                    .map(|_| {
                        let phrase = distinct_phrase(pool, &used, rng);
                        used.push(phrase.clone());
                        phrase
                    })
                    .collect();
                if !items.is_empty() {
                    let _ = writeln!(out, "**{label}:**");
                    push_list(&mut out, &items);
                }
            }
            let escalate: Vec<String> = if lang == Lang::En {
                step.escalate_when.clone()
            } else {
                (0..step.escalate_when.len())
                    .map(|_| pick_or(&pool.escalate_when, &pool.sentences, rng))
                    .collect()
            };
            let dont_say: Vec<String> = (0..step.dont_say.len())
                .map(|_| pick_or(&pool.dont_say, &pool.sentences, rng))
                .collect();
            // A translation's own asks, in its language (not translations of the original's).
            let asks: Vec<String> = (0..step.asks.len())
                .map(|_| pick_or(&pool.asks, &pool.sentences, rng))
                .collect();
            for (label, items) in [
                ("Don't say", &dont_say),
                ("Escalate when", &escalate),
                ("Agents ask", &asks),
            ] {
                if !items.is_empty() {
                    let _ = writeln!(out, "**{label}:**");
                    push_list(&mut out, items);
                }
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// An item of `items`, or of `fallback` when `items` is empty.
fn pick_or(items: &[String], fallback: &[String], rng: &mut Rng) -> String {
    if items.is_empty() {
        rng.pick(fallback).clone()
    } else {
        rng.pick(items).clone()
    }
}

/// A phrase of the pool that is not in `used` (a step does not repeat a phrase), if a few
/// tries find one.
fn distinct_phrase(pool: &LangPool, used: &[String], rng: &mut Rng) -> String {
    let mut phrase = String::new();
    for _ in 0..16 {
        phrase = if pool.phrases.is_empty() {
            rng.pick(&pool.sentences).clone()
        } else {
            rng.pick(&pool.phrases).0.clone()
        };
        if !used.contains(&phrase) {
            break;
        }
    }
    phrase
}

/// Every shipped text of `lang`: originals' and translations' titles, sentences, list items,
/// phrases and lists, in path order.
fn text_pool(playbooks: &[Playbook], lang: Lang) -> LangPool {
    let mut pool = LangPool::default();
    let mut sorted: Vec<&Playbook> = playbooks.iter().filter(|p| p.lang == lang).collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for p in sorted {
        pool.titles.push(one_line(&p.title));
        pool.intro_sentences
            .extend(p.intro.lines().flat_map(|l| sentences(l, lang)));
        for section in &p.sections {
            pool.section_titles.push(one_line(&section.title));
            pool.intro_sentences
                .extend(section.intro.lines().flat_map(|l| sentences(l, lang)));
        }
        for s in &p.steps {
            let source = step_source(s, lang);
            for unit in &source.guidance {
                match unit {
                    Unit::Paragraph(sents) => pool.sentences.extend(sents.iter().cloned()),
                    Unit::List(items) => pool.list_items.extend(items.iter().cloned()),
                }
            }
            if !source.title.is_empty() {
                pool.step_titles.push(source.title);
            }
            pool.phrases
                .extend(source.quoted.into_iter().map(|t| (t, false)));
            pool.phrases
                .extend(source.added.into_iter().map(|t| (t, true)));
            pool.dont_say.extend(source.dont_say);
            pool.escalate_when.extend(source.escalate_when);
            pool.asks.extend(source.asks);
        }
    }
    pool.titles.retain(|t| !t.is_empty());
    pool.section_titles.retain(|t| !t.is_empty());
    if pool.intro_sentences.is_empty() {
        pool.intro_sentences = pool.sentences.clone();
    }
    if lang != Lang::Th {
        let mut words: Vec<String> = pool
            .sentences
            .iter()
            .flat_map(|s| s.split(' '))
            .filter(|w| splicable(w))
            .map(str::to_string)
            .collect();
        words.sort();
        words.dedup();
        pool.words = words;
    }
    pool
}

fn write_step(
    out: &mut String,
    step: &StepSource,
    j: usize,
    lang: Lang,
    pool: &LangPool,
    rng: &mut Rng,
) {
    let title = mutate_words(&step.title, lang, pool, rng, 40);
    let _ = writeln!(
        out,
        "## {} {{#{}-{}}}\n",
        heading_text(&title),
        step.id,
        j + 1
    );
    let _ = writeln!(out, "**Situations:** {}\n", step.situations.join(", "));
    let mut wrote_guidance = false;
    for unit in &step.guidance {
        match unit {
            Unit::Paragraph(sents) => {
                // Keep about two thirds of the donor's sentences, replace the rest.
                let mixed: Vec<String> = sents
                    .iter()
                    .map(|s| {
                        if rng.chance(350) {
                            rng.pick(&pool.sentences).clone()
                        } else {
                            s.clone()
                        }
                    })
                    .collect();
                let text = mutate_words(&join_sentences(&mixed, lang), lang, pool, rng, 30);
                wrote_guidance |= push_paragraph(out, &text);
            }
            Unit::List(items) => {
                let mixed: Vec<String> = items
                    .iter()
                    .map(|s| {
                        let s = if rng.chance(350) && !pool.list_items.is_empty() {
                            rng.pick(&pool.list_items)
                        } else {
                            s
                        };
                        mutate_words(s, lang, pool, rng, 30)
                    })
                    .collect();
                wrote_guidance |= push_list(out, &mixed);
            }
        }
    }
    if !wrote_guidance || rng.chance(300) {
        let para = random_paragraph(&pool.sentences, rng.range(1, 3), lang, pool, rng);
        push_paragraph(out, &para);
    }
    let mut quoted = step.quoted.clone();
    let mut added = step.added.clone();
    if rng.chance(300) && !pool.phrases.is_empty() {
        let (text, is_added) = rng.pick(&pool.phrases);
        let target = if *is_added { &mut added } else { &mut quoted };
        if !target.contains(text) {
            target.push(text.clone());
        }
    }
    for (label, items) in [("Say", &quoted), ("Say (added)", &added)] {
        if !items.is_empty() {
            let _ = writeln!(out, "**{label}:**");
            push_list(out, items);
        }
    }
    let _ = writeln!(out, "**Gloss:** {}\n", inline_text(&step.gloss));
    for (label, items) in [
        ("Don't say", &step.dont_say),
        ("Escalate when", &step.escalate_when),
        ("Agents ask", &step.asks),
    ] {
        if !items.is_empty() {
            let _ = writeln!(out, "**{label}:**");
            push_list(out, items);
        }
    }
}

fn step_source(s: &Step, lang: Lang) -> StepSource {
    let mut guidance: Vec<Unit> = Vec::new();
    for line in s.guidance.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(item) = line.strip_prefix("- ") {
            match guidance.last_mut() {
                Some(Unit::List(items)) => items.push(item.trim().to_string()),
                _ => guidance.push(Unit::List(vec![item.trim().to_string()])),
            }
        } else {
            let sents = sentences(line, lang);
            if !sents.is_empty() {
                guidance.push(Unit::Paragraph(sents));
            }
        }
    }
    let nonempty = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|t| one_line(t))
            .filter(|t| !t.is_empty())
            .collect()
    };
    let phrases = |added: bool| -> Vec<String> {
        s.phrases
            .iter()
            .filter(|p| p.added == added)
            .map(|p| one_line(&p.text))
            .filter(|t| !t.is_empty())
            .collect()
    };
    StepSource {
        id: s.id.clone(),
        title: one_line(&s.title),
        situations: s.situations.clone(),
        guidance,
        quoted: phrases(false),
        added: phrases(true),
        gloss: one_line(&s.gloss),
        dont_say: nonempty(&s.dont_say),
        escalate_when: nonempty(&s.escalate_when),
        asks: nonempty(&s.asks),
    }
}

// ---------------------------------------------------------------------------------------------
// Text: sentences, recombination, word splicing.
// ---------------------------------------------------------------------------------------------

/// The sentences of a line: split after `.!?؟…` and a space; Thai, which writes no full
/// stops, is split at its spaces (which end clauses).
fn sentences(line: &str, lang: Lang) -> Vec<String> {
    let line = one_line(line);
    if lang == Lang::Th {
        return line
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '!' | '?' | '؟' | '…') && chars.peek() == Some(&' ') {
            chars.next();
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn join_sentences(sents: &[String], _lang: Lang) -> String {
    sents.join(" ")
}

fn random_paragraph(
    from: &[String],
    n: usize,
    lang: Lang,
    pool: &LangPool,
    rng: &mut Rng,
) -> String {
    let from = if from.is_empty() {
        &pool.sentences
    } else {
        from
    };
    if from.is_empty() {
        return String::new();
    }
    let sents: Vec<String> = (0..n).map(|_| rng.pick(from).clone()).collect();
    mutate_words(&join_sentences(&sents, lang), lang, pool, rng, 30)
}

/// A word long enough, and plain enough, to splice.
fn splicable(w: &str) -> bool {
    w.chars().count() >= 5 && w.chars().all(char::is_alphabetic)
}

/// Replaces about `per_mille`/1000 of the words by a new word: the start of the word joined to
/// the end of another word of the language ("kundeservice" + "tålmodig" → "kundesermodig").
/// In Thai, which has no spaces between words, one clause in a few is spliced with another.
fn mutate_words(text: &str, lang: Lang, pool: &LangPool, rng: &mut Rng, per_mille: u32) -> String {
    if lang == Lang::Th {
        return text
            .split(' ')
            .map(|clause| {
                if clause.chars().count() >= 6 && rng.chance(per_mille * 4) {
                    let other = rng.pick(&pool.sentences).clone();
                    splice_thai(clause, &other, rng)
                } else {
                    clause.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    if pool.words.is_empty() {
        return text.to_string();
    }
    text.split(' ')
        .map(|w| {
            if splicable(w) && rng.chance(per_mille) {
                let other = rng.pick(&pool.words);
                let a: Vec<char> = w.chars().collect();
                let b: Vec<char> = other.chars().collect();
                let head = rng.range(2, a.len() - 2);
                let tail = rng.range(2, (b.len() - 2).min(5));
                a[..head].iter().chain(&b[b.len() - tail..]).collect()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The start of one Thai clause joined to the end of another, cut where a new syllable may
/// begin (never before a vowel sign or tone mark, never after a leading vowel).
fn splice_thai(a: &str, b: &str, rng: &mut Rng) -> String {
    let cuts = |s: &str| -> Vec<usize> {
        let chars: Vec<char> = s.chars().collect();
        (1..chars.len())
            .filter(|&k| !thai_combining(chars[k]) && !thai_leading_vowel(chars[k - 1]))
            .map(|k| s.char_indices().nth(k).unwrap().0)
            .collect()
    };
    let (ca, cb) = (cuts(a), cuts(b));
    if ca.is_empty() || cb.is_empty() {
        return a.to_string();
    }
    let head = &a[..*rng.pick(&ca)];
    let tail = &b[*rng.pick(&cb)..];
    format!("{head}{tail}")
}

fn thai_combining(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E33}'..='\u{0E3A}' | '\u{0E45}' | '\u{0E47}'..='\u{0E4E}')
}

fn thai_leading_vowel(c: char) -> bool {
    matches!(c, '\u{0E40}'..='\u{0E44}')
}

// ---------------------------------------------------------------------------------------------
// Writing Markdown and TOML that read back as the same text.
// ---------------------------------------------------------------------------------------------

/// Whitespace (line breaks included) collapsed to single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A file name part: lowercase ASCII letters, digits and dashes.
fn file_stem(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "playbook".into() } else { s }
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inline text with every character Markdown could read as markup escaped, and nothing at
/// the start of the line that could open a block (list, heading, quote, rule, numbered list).
fn inline_text(text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '#'
                | '~'
                | '&'
                | '{'
                | '}'
                | '|'
                | '$'
                | '^'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    if out.starts_with(['-', '+', '=', ':']) {
        out.insert(0, '\\');
    }
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    }
    out
}

fn heading_text(text: &str) -> String {
    inline_text(text)
}

/// A paragraph; false (and nothing written) when it is empty.
fn push_paragraph(out: &mut String, text: &str) -> bool {
    let t = inline_text(text);
    if t.is_empty() {
        return false;
    }
    out.push_str(&t);
    out.push_str("\n\n");
    true
}

/// A list; false (and nothing written) when it has no item with text.
fn push_list(out: &mut String, items: &[String]) -> bool {
    let items: Vec<String> = items
        .iter()
        .map(|i| inline_text(i))
        .filter(|i| !i.is_empty())
        .collect();
    if items.is_empty() {
        return false;
    }
    for i in items {
        let _ = writeln!(out, "- {i}");
    }
    out.push('\n');
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_stable() {
        let mut r = Rng::stream(1, 0);
        let a: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut r = Rng::stream(1, 0);
        let b: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        let mut r = Rng::stream(1, 1);
        assert_ne!(a[0], r.next_u64());
        let mut r = Rng(7);
        assert!((0..1000).all(|_| r.below(10) < 10));
    }

    #[test]
    fn escaping_reads_back() {
        assert_eq!(inline_text("1. first"), "1\\. first");
        assert_eq!(inline_text("- item *x*"), "\\- item \\*x\\*");
        assert_eq!(inline_text("a {#b}"), "a \\{\\#b\\}");
        assert_eq!(toml_string("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
    }

    #[test]
    fn sentences_split_after_stops() {
        assert_eq!(
            sentences("Ja. Nej? Måske! Slut", Lang::Da),
            ["Ja.", "Nej?", "Måske!", "Slut"]
        );
        assert_eq!(sentences("ก ข  ค", Lang::Th), ["ก", "ข", "ค"]);
    }
}
