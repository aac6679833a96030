//! Translations beside their originals: which translated steps are complete, stale,
//! unstamped or missing ([`matrix`]), what `playbook check` says about them
//! ([`diagnostics`]), and `playbook translations --stamp` ([`stamp`]).
//!
//! A translation is `playbooks/<lang>/<original id>.md` with `translation_of` in its front
//! matter and the original's step ids. Under each translated step's heading, a marker
//! `<!-- original: <16 hex> -->` records the [`Step::fingerprint`] of the original step it
//! translates: when the original step changes, the fingerprints differ and the translated
//! step is stale until someone updates it and stamps it again.

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::model::{INTRODUCTION_ID, Lang, Playbook, Step};
use crate::parser::FINGERPRINT_PREFIX;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// Pairing translations with their originals.
// ---------------------------------------------------------------------------------------------

/// An original playbook and every translation of it.
#[derive(Debug)]
pub struct Family<'a> {
    pub original: &'a Playbook,
    /// Every file that says it translates this original, in the order given (the corpus
    /// gives path order), including the ones `check` reports (E0709, E0710).
    pub translations: Vec<&'a Playbook>,
}

impl<'a> Family<'a> {
    /// The languages this original is read in besides its own.
    pub fn reading_langs(&self) -> impl Iterator<Item = Lang> + use<> {
        let own = self.original.lang;
        Lang::READING.into_iter().filter(move |&l| l != own)
    }

    /// The translation into `lang` that counts: the first one (a second is E0709). None
    /// for the original's own language (a translation into it is E0710).
    pub fn translation(&self, lang: Lang) -> Option<&'a Playbook> {
        if lang == self.original.lang {
            return None;
        }
        self.translations.iter().copied().find(|t| t.lang == lang)
    }
}

/// Every original with its translations, and the translations of no known original.
#[derive(Debug)]
pub struct Pairing<'a> {
    /// One per original id (the first file with that id: a second is E0204), in the
    /// order given.
    pub families: Vec<Family<'a>>,
    /// Translations whose `translation_of` names no original (E0701).
    pub unpaired: Vec<&'a Playbook>,
}

/// Pairs every translation with its original, by `translation_of`.
pub fn pair(playbooks: &[Playbook]) -> Pairing<'_> {
    let mut families: Vec<Family> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for p in playbooks.iter().filter(|p| p.translation.is_none()) {
        by_id.entry(&p.id).or_insert_with(|| {
            families.push(Family {
                original: p,
                translations: Vec::new(),
            });
            families.len() - 1
        });
    }
    let mut unpaired = Vec::new();
    for p in playbooks {
        if let Some(t) = &p.translation {
            match by_id.get(t.of.as_str()) {
                Some(&i) => families[i].translations.push(p),
                None => unpaired.push(p),
            }
        }
    }
    Pairing { families, unpaired }
}

// ---------------------------------------------------------------------------------------------
// Step status and the matrix.
// ---------------------------------------------------------------------------------------------

/// Where one original step stands in one reading language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Translated, and its marker is the original step's current fingerprint.
    Complete,
    /// Translated, but the original step changed since (the marker differs).
    Stale,
    /// Translated, without an `<!-- original: … -->` marker: nothing says which version
    /// of the original it translates.
    Unstamped,
    /// No translated step with the original step's id.
    Missing,
}

/// The status of an original step, given its translated step (if any).
pub fn step_status(original: &Step, translated: Option<&Step>) -> Status {
    let Some(translated) = translated else {
        return Status::Missing;
    };
    match &translated.original_fingerprint {
        None => Status::Unstamped,
        Some(f) if f.eq_ignore_ascii_case(&original.fingerprint()) => Status::Complete,
        Some(_) => Status::Stale,
    }
}

/// Step counts of a translation (or of many).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Original steps to translate.
    pub steps: usize,
    pub complete: usize,
    pub stale: usize,
    pub unstamped: usize,
    pub missing: usize,
    /// Translated steps (complete, stale or unstamped) in a translation without a
    /// `reviewed` date: editorial translations no native-speaking trainer has reviewed.
    pub not_reviewed: usize,
}

impl Counts {
    fn add_status(&mut self, status: Status, reviewed: bool) {
        self.steps += 1;
        match status {
            Status::Complete => self.complete += 1,
            Status::Stale => self.stale += 1,
            Status::Unstamped => self.unstamped += 1,
            Status::Missing => self.missing += 1,
        }
        if status != Status::Missing && !reviewed {
            self.not_reviewed += 1;
        }
    }

    /// Whether every step is translated and current.
    pub fn is_complete(&self) -> bool {
        self.complete == self.steps
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.steps += other.steps;
        self.complete += other.complete;
        self.stale += other.stale;
        self.unstamped += other.unstamped;
        self.missing += other.missing;
        self.not_reviewed += other.not_reviewed;
    }
}

/// One original step in one reading language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepState {
    pub id: String,
    pub status: Status,
    /// The line of the translated step's heading (none when missing).
    pub line: Option<usize>,
    /// The line of the original step's heading.
    pub original_line: usize,
}

/// One original playbook in one reading language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub lang: Lang,
    /// The translation file, if there is one.
    pub path: Option<String>,
    pub translator: Option<String>,
    /// The translation's `reviewed` date: none for an editorial translation.
    pub reviewed: Option<String>,
    pub reviewer: Option<String>,
    pub counts: Counts,
    /// Every original step, in the original's order.
    pub steps: Vec<StepState>,
    /// Translated step ids the original does not have (E0702).
    pub extra_steps: Vec<String>,
}

/// Compares an original with its translation into `lang` (none: every step is missing).
pub fn compare(original: &Playbook, lang: Lang, translation: Option<&Playbook>) -> Cell {
    let reviewed = translation.is_some_and(|t| t.reviewed.is_some());
    let mut counts = Counts::default();
    // The introduction too: it is searched and shown like a step, in the reader's language.
    let steps = original
        .searchable_steps()
        .map(|step| {
            let translated = translation.and_then(|t| t.step(&step.id));
            let status = step_status(step, translated);
            counts.add_status(status, reviewed);
            StepState {
                id: step.id.clone(),
                status,
                line: translated.map(|s| s.line),
                original_line: step.line,
            }
        })
        .collect();
    let extra_steps = translation
        .map(|t| {
            t.steps
                .iter()
                .filter(|s| original.step(&s.id).is_none())
                .map(|s| s.id.clone())
                .collect()
        })
        .unwrap_or_default();
    let meta = translation.and_then(|t| t.translation.as_ref());
    Cell {
        lang,
        path: translation.map(|t| t.path.clone()),
        translator: meta.and_then(|m| m.translator.clone()),
        reviewed: translation.and_then(|t| t.reviewed.clone()),
        reviewer: meta.and_then(|m| m.reviewer.clone()),
        counts,
        steps,
        extra_steps,
    }
}

/// One original playbook and its translations into every other reading language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub lang: Lang,
    pub title: String,
    pub path: String,
    /// How many steps the original has, its introduction counted as one.
    pub steps: usize,
    /// The sum of the row's cells.
    pub counts: Counts,
    /// One per reading language other than the original's, in [`Lang::READING`] order.
    pub translations: Vec<Cell>,
}

/// Why a translation file has no place in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ignored {
    /// `translation_of` names no original (E0701).
    UnknownOriginal,
    /// A second translation of one original into one language (E0709).
    Duplicate,
    /// A translation into the original's own language (E0710).
    OwnLanguage,
}

/// A translation file the matrix leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IgnoredFile {
    pub path: String,
    pub translation_of: String,
    pub lang: Lang,
    pub reason: Ignored,
}

/// Every original × every reading language: `playbook translations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// The reading languages, in column order.
    pub languages: Vec<Lang>,
    /// The sum of every cell.
    pub totals: Counts,
    pub playbooks: Vec<Row>,
    pub ignored: Vec<IgnoredFile>,
}

impl Matrix {
    /// Whether every step of every original is translated and current in every reading
    /// language, and every translation file pairs with an original.
    pub fn is_complete(&self) -> bool {
        self.totals.is_complete() && self.ignored.is_empty()
    }
}

/// The matrix of every original in `playbooks` and its translations.
pub fn matrix(playbooks: &[Playbook]) -> Matrix {
    let pairing = pair(playbooks);
    let mut totals = Counts::default();
    let mut ignored: Vec<IgnoredFile> = pairing
        .unpaired
        .iter()
        .map(|t| ignored_file(t, Ignored::UnknownOriginal))
        .collect();
    let mut rows = Vec::new();
    for family in &pairing.families {
        let translations: Vec<Cell> = family
            .reading_langs()
            .map(|lang| compare(family.original, lang, family.translation(lang)))
            .collect();
        for t in &family.translations {
            if t.lang == family.original.lang {
                ignored.push(ignored_file(t, Ignored::OwnLanguage));
            } else if family
                .translation(t.lang)
                .is_some_and(|first| first.path != t.path)
            {
                ignored.push(ignored_file(t, Ignored::Duplicate));
            }
        }
        let mut counts = Counts::default();
        for cell in &translations {
            counts += cell.counts;
        }
        totals += counts;
        let o = family.original;
        rows.push(Row {
            id: o.id.clone(),
            lang: o.lang,
            title: o.title.clone(),
            path: o.path.clone(),
            steps: o.searchable_steps().count(),
            counts,
            translations,
        });
    }
    ignored.sort_by(|a, b| a.path.cmp(&b.path));
    Matrix {
        languages: Lang::READING.to_vec(),
        totals,
        playbooks: rows,
        ignored,
    }
}

fn ignored_file(t: &Playbook, reason: Ignored) -> IgnoredFile {
    IgnoredFile {
        path: t.path.clone(),
        translation_of: t.family().to_string(),
        lang: t.lang,
        reason,
    }
}

// ---------------------------------------------------------------------------------------------
// `playbook check`.
// ---------------------------------------------------------------------------------------------

/// Lines of a file's front matter that translation diagnostics point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontLines {
    /// The line of the top-level `title = …`.
    pub title: usize,
    /// The line of `lang = …`.
    pub lang: usize,
}

/// The lines of `title` and `lang` in a playbook's `+++` front matter (line 1 when absent).
pub fn front_lines(text: &str) -> FrontLines {
    let mut found = FrontLines { title: 1, lang: 1 };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_start_matches('\u{feff}').trim_end() == "+++" => {}
        _ => return found,
    }
    let (mut title, mut lang) = (false, false);
    for (i, line) in lines {
        let t = line.trim();
        // Keys after a `[table]` header belong to the table (`[source]` has a title too).
        if t == "+++" || t.starts_with('[') {
            break;
        }
        let key = t.split('=').next().unwrap_or("").trim();
        if !t.contains('=') {
            continue;
        }
        if key == "title" && !title {
            (found.title, title) = (i + 1, true);
        } else if key == "lang" && !lang {
            (found.lang, lang) = (i + 1, true);
        }
    }
    found
}

/// Everything `playbook check` says about translations. `front` gives the front-matter
/// lines of a translation, by path (a path it does not know points at the
/// `translation_of` line).
pub fn diagnostics(playbooks: &[Playbook], front: &HashMap<String, FrontLines>) -> Vec<Diagnostic> {
    let pairing = pair(playbooks);
    let mut out = Vec::new();
    let lines_of = |t: &Playbook| {
        front.get(&t.path).copied().unwrap_or(FrontLines {
            title: t.id_line,
            lang: t.id_line,
        })
    };
    for t in &pairing.unpaired {
        let of = t.family();
        let d = Diagnostic::error(
            &t.path,
            t.id_line,
            "E0701",
            format!("translation of an unknown playbook `{of}`"),
        );
        let ids = pairing.families.iter().map(|f| f.original.id.as_str());
        out.push(match closest(of, ids) {
            Some(close) => d.with_hint(format!(
                "did you mean `translation_of = \"{close}\"`? (`translation_of` is the original's `id`)"
            )),
            None => d.with_hint(
                "`translation_of` must be the `id` of an original playbook (see `playbook translations`)",
            ),
        });
    }
    let translating = playbooks.iter().any(|p| p.translation.is_some());
    for family in &pairing.families {
        let original = family.original;
        for &t in &family.translations {
            let lines = lines_of(t);
            if t.lang == original.lang {
                out.push(
                    Diagnostic::error(
                        &t.path,
                        lines.lang,
                        "E0710",
                        format!(
                            "a translation of `{}` into its own language, {} ({})",
                            original.id,
                            t.lang.name(),
                            t.lang
                        ),
                    )
                    .with_hint(format!(
                        "{} is written in {}: change the original itself, and delete this file (or fix `lang`)",
                        original.path,
                        t.lang.name()
                    )),
                );
                continue;
            }
            if let Some(first) = family.translation(t.lang).filter(|f| f.path != t.path) {
                out.push(
                    Diagnostic::error(
                        &t.path,
                        t.id_line,
                        "E0709",
                        format!(
                            "a second translation of `{}` into {} ({}): {} is the first",
                            original.id,
                            t.lang.name(),
                            t.lang,
                            first.path
                        ),
                    )
                    .with_hint(format!(
                        "keep one translation per language: merge this file into {} and delete it",
                        first.path
                    )),
                );
            }
            location_diagnostics(t, original, lines, &mut out);
            step_diagnostics(t, original, lines, &mut out);
            introduction_diagnostics(t, original, lines, &mut out);
        }
        if !translating {
            continue;
        }
        for lang in family.reading_langs() {
            if family.translations.iter().any(|t| t.lang == lang) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    &original.path,
                    original.id_line,
                    "W0711",
                    format!(
                        "`{}` has no {} ({lang}) translation",
                        original.id,
                        lang.name()
                    ),
                )
                .with_hint(format!(
                    "translate it into playbooks/{lang}/{}.md with `translation_of = \"{}\"` (docs/playbook-format.md, \"Translations\")",
                    original.id, original.id
                )),
            );
        }
    }
    out
}

/// E0706 and W0707: a translation lives at `playbooks/<lang>/<original id>.md`.
fn location_diagnostics(
    t: &Playbook,
    original: &Playbook,
    lines: FrontLines,
    out: &mut Vec<Diagnostic>,
) {
    let expected = format!("playbooks/{}/{}.md", t.lang, original.id);
    let parts: Vec<&str> = t.path.split('/').collect();
    let folder = (parts.len() >= 3 && parts[0] == "playbooks").then(|| parts[1]);
    if folder != Some(t.lang.code()) {
        let where_ = match folder {
            Some(dir) => format!("in the `{dir}/` folder"),
            None => "not in a language folder".to_string(),
        };
        out.push(
            Diagnostic::error(
                &t.path,
                lines.lang,
                "E0706",
                format!(
                    "a {} translation (`lang = \"{}\"`) {where_}",
                    t.lang.name(),
                    t.lang
                ),
            )
            .with_hint(format!(
                "translations live in their language's folder: move it to {expected}, or fix `lang`"
            )),
        );
        return;
    }
    let name = parts.last().copied().unwrap_or_default();
    if name != format!("{}.md", original.id) {
        out.push(
            Diagnostic::warning(
                &t.path,
                t.id_line,
                "W0707",
                format!(
                    "a translation of `{}` named `{name}`: the name should be the original's id",
                    original.id
                ),
            )
            .with_hint(format!("rename it: git mv {} {expected}", t.path)),
        );
    }
}

/// E0702, W0703, W0704, W0705, W0708: the translation's steps against the original's.
fn step_diagnostics(
    t: &Playbook,
    original: &Playbook,
    lines: FrontLines,
    out: &mut Vec<Diagnostic>,
) {
    for step in &t.steps {
        let Some(orig) = original.step(&step.id) else {
            out.push(unknown_step(t, original, step));
            continue;
        };
        match step_status(orig, Some(step)) {
            Status::Stale => out.push(stale_step(t, original, step, orig)),
            Status::Unstamped => out.push(unstamped_step(t, original, step, orig)),
            Status::Complete | Status::Missing => {}
        }
        let differences = shape(step).differences(&shape(orig));
        if !differences.is_empty() {
            out.push(
                Diagnostic::warning(
                    &t.path,
                    step.line,
                    "W0705",
                    format!(
                        "step `{}` has {}",
                        step.id,
                        differences.join("; ")
                    ),
                )
                .with_hint(format!(
                    "translate every phrase, list item and editorial title of {}:{} one for one, so that agents get the same in every language",
                    original.path, orig.line
                )),
            );
        }
    }
    for orig in &original.steps {
        if t.step(&orig.id).is_none() {
            out.push(
                Diagnostic::warning(
                    &t.path,
                    lines.title,
                    "W0704",
                    format!(
                        "step `{}` of `{}` has no {} translation",
                        orig.id,
                        original.id,
                        t.lang.name()
                    ),
                )
                .with_hint(format!(
                    "translate {}:{} as `## … {{#{}}}` in this file, then run `playbook translations --stamp {}`",
                    original.path, orig.line, orig.id, t.path
                )),
            );
        }
    }
}

/// W0703, W0708 for a translated introduction (as for its steps); W0712, W0713: an
/// introduction on one side only. A translation's introduction is searched
/// and shown as the original's introduction in its language, so one the original lacks is
/// never seen, and one it lacks leaves its readers the original's.
fn introduction_diagnostics(
    t: &Playbook,
    original: &Playbook,
    lines: FrontLines,
    out: &mut Vec<Diagnostic>,
) {
    match (&original.introduction, &t.introduction) {
        (None, Some(intro)) => out.push(
            Diagnostic::warning(
                &t.path,
                intro.line,
                "W0712",
                format!(
                    "an introduction, but `{}` has none: it is never searched or shown",
                    original.id
                ),
            )
            .with_hint(format!(
                "translate only what {} has, or give the original its introduction",
                original.path
            )),
        ),
        (Some(orig), Some(intro)) => match step_status(orig, Some(intro)) {
            Status::Stale => out.push(stale_step(t, original, intro, orig)),
            Status::Unstamped => out.push(unstamped_step(t, original, intro, orig)),
            Status::Complete | Status::Missing => {}
        },
        (Some(intro), None) => out.push(
            Diagnostic::warning(
                &t.path,
                lines.title,
                "W0713",
                format!(
                    "the introduction of `{}` has no {} translation",
                    original.id,
                    t.lang.name()
                ),
            )
            .with_hint(format!(
                "translate {}:{} above this file's first heading",
                original.path, intro.line
            )),
        ),
        _ => {}
    }
}

fn unknown_step(t: &Playbook, original: &Playbook, step: &Step) -> Diagnostic {
    let d = Diagnostic::error(
        &t.path,
        step.line,
        "E0702",
        format!("`{}` has no step `{}`", original.id, step.id),
    );
    let ids: Vec<&str> = original.steps.iter().map(|s| s.id.as_str()).collect();
    let listed = if ids.len() > 12 {
        format!("{}, …", ids[..12].join(", "))
    } else {
        ids.join(", ")
    };
    match closest(&step.id, ids.iter().copied()) {
        Some(close) => d.with_hint(format!(
            "did you mean `{{#{close}}}`? a translated step keeps its original's id ({}: {listed})",
            original.path
        )),
        None => d.with_hint(format!(
            "a translated step keeps its original's id; {} has: {listed}",
            original.path
        )),
    }
}

/// How a diagnostic names a translated step: by its id, or as the introduction.
fn step_named(step: &Step) -> String {
    if step.id == INTRODUCTION_ID {
        "the introduction".to_string()
    } else {
        format!("step `{}`", step.id)
    }
}

fn unstamped_step(t: &Playbook, original: &Playbook, step: &Step, orig: &Step) -> Diagnostic {
    Diagnostic::warning(
        &t.path,
        step.line,
        "W0708",
        format!(
            "{} has no `<!-- original: … -->` marker: nothing tells when the original changes",
            step_named(step)
        ),
    )
    .with_hint(format!(
        "once it translates {}:{} as it is now, run `playbook translations --stamp {}`",
        original.path, orig.line, t.path
    ))
}

fn stale_step(t: &Playbook, original: &Playbook, step: &Step, orig: &Step) -> Diagnostic {
    let next = original
        .steps
        .iter()
        .map(|s| s.line)
        .chain(original.sections.iter().map(|s| s.line))
        .filter(|&l| l > orig.line)
        .min();
    let log_all = format!("git log -p -- {}", original.path);
    let see = match next {
        Some(next) => format!(
            "`git log -p -L{},+{}:{}` (or `{log_all}`)",
            orig.line,
            next - orig.line,
            original.path
        ),
        None => format!("`{log_all}`"),
    };
    Diagnostic::warning(
        &t.path,
        step.line,
        "W0703",
        format!(
            "{} is stale: {} ({}:{}) changed since it was translated",
            step_named(step),
            if step.id == INTRODUCTION_ID {
                "the original's introduction"
            } else {
                "the original step"
            },
            original.path,
            orig.line
        ),
    )
    .with_hint(format!(
        "see what changed with {see}; update this step, then mark it current with `playbook translations --stamp {}`",
        t.path
    ))
}

/// What a translated step must have as many of as its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    say: usize,
    say_added: usize,
    list_items: usize,
    /// An editorial title (`**Title (added):**`): without its translation, a translated step
    /// split from its neighbour shows the heading they share.
    title_added: bool,
}

impl Shape {
    /// How `self` (a translated step) differs from `original`, in words.
    fn differences(&self, original: &Shape) -> Vec<String> {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        [
            (self.say, original.say, "`Say` phrase", "`Say` phrases"),
            (
                self.say_added,
                original.say_added,
                "`Say (added)` phrase",
                "`Say (added)` phrases",
            ),
            (
                self.list_items,
                original.list_items,
                "guidance list item",
                "guidance list items",
            ),
        ]
        .into_iter()
        .filter(|(mine, theirs, ..)| mine != theirs)
        .map(|(mine, theirs, one, many)| {
            format!("{}, the original {theirs}", plural(mine, one, many))
        })
        .chain(match (self.title_added, original.title_added) {
            (false, true) => Some("no `Title (added)`, the original one".to_string()),
            (true, false) => Some("a `Title (added)`, the original none".to_string()),
            _ => None,
        })
        .collect()
    }
}

fn shape(step: &Step) -> Shape {
    Shape {
        say: step.phrases.iter().filter(|p| !p.added).count(),
        say_added: step.phrases.iter().filter(|p| p.added).count(),
        list_items: step.list_items,
        title_added: step.title_added,
    }
}

/// The candidate closest to `target` by edit distance, if it is close enough to be a typo.
fn closest<'a>(target: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(target, c), c))
        .filter(|&(d, c)| d > 0 && d <= (target.len().max(c.len()) / 3).max(2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

// ---------------------------------------------------------------------------------------------
// Stamping.
// ---------------------------------------------------------------------------------------------

/// What stamping did to one translated step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StampAction {
    /// It had no marker: one was written right under its heading.
    Added,
    /// Its marker named an older version of the original step: it names the current one now.
    Updated,
    /// Its marker was already the current fingerprint.
    Current,
}

/// One stamped step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StampedStep {
    pub id: String,
    /// The line of its heading.
    pub line: usize,
    /// The original step's current fingerprint, now in the marker.
    pub fingerprint: String,
    pub action: StampAction,
}

/// A translation's text with every step stamped, and what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// The new text: the old one byte for byte, but for the marker lines.
    pub text: String,
    pub steps: Vec<StampedStep>,
    /// Original steps the translation does not have (nothing to stamp).
    pub missing: Vec<String>,
    /// Translated steps the original does not have (left alone).
    pub unknown: Vec<String>,
}

impl Stamped {
    /// How many steps had `action`.
    pub fn count(&self, action: StampAction) -> usize {
        self.steps.iter().filter(|s| s.action == action).count()
    }

    /// Whether the text changed.
    pub fn changed(&self) -> bool {
        self.steps.iter().any(|s| s.action != StampAction::Current)
    }
}

/// A step heading (`##`) or section heading (`#`) at the top level of a translation, and
/// the markers under it; or (level 0, the first) what comes before the first heading: the
/// introduction, and the marker above it.
#[derive(Debug)]
struct Heading {
    level: u8,
    id: Option<String>,
    /// The heading's first and last line (a setext heading has two).
    first_line: usize,
    last_line: usize,
    /// Lines holding a top-level `<!-- original: … -->` block under this heading.
    markers: Vec<(usize, String)>,
}

/// The fingerprint in a `<!-- original: … -->` line, if that is what `line` is.
fn marker_in(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix(FINGERPRINT_PREFIX)?;
    let hash = rest.strip_suffix("-->")?.trim();
    (!hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit())).then(|| hash.to_string())
}

/// The marker line for a fingerprint.
pub fn marker(fingerprint: &str) -> String {
    format!("{FINGERPRINT_PREFIX} {fingerprint} -->")
}

/// The top-level headings of a playbook's body, with the markers under each, found the way
/// the parser finds them (so that a marker in a code block is not one).
fn headings(text: &str) -> Vec<Heading> {
    let body_start = body_start(text);
    let lines = LineIndex::new(text);
    let options =
        Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut found: Vec<Heading> = vec![Heading {
        level: 0,
        id: None,
        first_line: 0,
        last_line: 0,
        markers: Vec::new(),
    }];
    let mut depth = 0usize;
    // Inside a top-level HTML block: whether it has held only comments so far (the parser
    // reads markers from comment-only blocks).
    let mut html: Option<bool> = None;
    for (event, range) in Parser::new_ext(&text[body_start..], options).into_offset_iter() {
        let (start, end) = (body_start + range.start, body_start + range.end);
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    match tag {
                        Tag::Heading { level, id, .. } => found.push(Heading {
                            level: match level {
                                HeadingLevel::H1 => 1,
                                HeadingLevel::H2 => 2,
                                _ => 3,
                            },
                            id: id.map(|s| s.to_string()),
                            first_line: lines.line(start),
                            last_line: lines.line(end.saturating_sub(1).max(start)),
                            markers: Vec::new(),
                        }),
                        Tag::HtmlBlock => html = Some(true),
                        _ => {}
                    }
                }
                depth += 1;
            }
            Event::End(end_tag) => {
                depth = depth.saturating_sub(1);
                if depth == 0 && end_tag == TagEnd::HtmlBlock {
                    html = None;
                }
            }
            Event::Html(line) if html == Some(true) && depth == 1 => {
                let t = line.trim();
                let comment = t.is_empty() || (t.starts_with("<!--") && t.ends_with("-->"));
                if !comment {
                    html = Some(false);
                } else if let (Some(fingerprint), Some(h)) = (marker_in(t), found.last_mut()) {
                    h.markers.push((lines.line(start), fingerprint));
                }
            }
            _ => {}
        }
    }
    // Deeper headings belong to the step's guidance: they neither start nor end a step.
    found.retain(|h| h.level <= 2);
    found
}

/// Where the body starts: after the `+++` front matter (0 when there is none).
fn body_start(text: &str) -> usize {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "+++" => offset += first.len(),
        _ => return 0,
    }
    for line in lines {
        offset += line.len();
        if line.trim_end() == "+++" {
            return offset;
        }
    }
    0
}

/// Stamps every step of a translation's `text` that its original has with the original
/// step's current fingerprint: an existing marker is rewritten in place, a missing one is
/// added on the line right after the step's heading (for the introduction, on the line
/// above it). Every other byte stays as it was (a
/// byte-order mark, CRLF line ends, steps the original does not have). `translation` is
/// `text` parsed: where its introduction starts.
pub fn stamp(text: &str, translation: &Playbook, original: &Playbook) -> Stamped {
    // The parser reads CRLF as LF and skips a byte-order mark; lines stay where they are.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let normalized = text[bom..].replace("\r\n", "\n");
    let headings = headings(&normalized);
    let mut replace: HashMap<usize, String> = HashMap::new();
    let mut insert_after: HashMap<usize, String> = HashMap::new();
    let mut steps = Vec::new();
    let mut unknown = Vec::new();
    let mut translated = Vec::new();
    // The introduction: its marker goes on the line above its first line (a translation's
    // introduction follows its front matter, so there is one).
    if let (Some(orig), Some(intro), Some(before)) = (
        &original.introduction,
        &translation.introduction,
        headings.first(),
    ) {
        translated.push(INTRODUCTION_ID);
        let fingerprint = orig.fingerprint();
        let action = restamp(&before.markers, &fingerprint, &mut replace);
        if action == StampAction::Added {
            insert_after.insert(intro.line - 1, marker(&fingerprint));
        }
        steps.push(StampedStep {
            id: INTRODUCTION_ID.to_string(),
            line: intro.line,
            fingerprint,
            action,
        });
    }
    for h in headings.iter().filter(|h| h.level == 2) {
        let Some(id) = &h.id else { continue };
        let Some(orig) = original.step(id) else {
            unknown.push(id.clone());
            continue;
        };
        translated.push(id.as_str());
        let fingerprint = orig.fingerprint();
        let action = restamp(&h.markers, &fingerprint, &mut replace);
        if action == StampAction::Added {
            insert_after.insert(h.last_line, marker(&fingerprint));
        }
        steps.push(StampedStep {
            id: id.clone(),
            line: h.first_line,
            fingerprint,
            action,
        });
    }
    let missing = original
        .searchable_steps()
        .filter(|s| !translated.contains(&s.id.as_str()))
        .map(|s| s.id.clone())
        .collect();
    let mut out = String::with_capacity(text.len() + 40 * insert_after.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        let content = line.trim_end_matches('\n');
        let (content, ending) = match content.strip_suffix('\r') {
            Some(c) if line.ends_with('\n') => (c, "\r\n"),
            _ if line.ends_with('\n') => (content, "\n"),
            _ => (content, ""),
        };
        match replace.get(&number) {
            Some(new) => {
                let indent = &content[..content.len() - content.trim_start().len()];
                out.push_str(indent);
                out.push_str(new);
                out.push_str(ending);
            }
            None => out.push_str(line),
        }
        if let Some(new) = insert_after.get(&number) {
            let ending = if ending.is_empty() {
                out.push('\n');
                "\n"
            } else {
                ending
            };
            out.push_str(new);
            out.push_str(ending);
        }
    }
    Stamped {
        text: out,
        steps,
        missing,
        unknown,
    }
}

/// What stamping does about a step's markers (`markers`: those it has): the lines that name
/// another fingerprint are rewritten in `replace`; with none, one is to be added.
fn restamp(
    markers: &[(usize, String)],
    fingerprint: &str,
    replace: &mut HashMap<usize, String>,
) -> StampAction {
    if markers.is_empty() {
        StampAction::Added
    } else if markers.iter().all(|(_, f)| f == fingerprint) {
        StampAction::Current
    } else {
        for (line, f) in markers {
            if f != fingerprint {
                replace.insert(*line, marker(fingerprint));
            }
        }
        StampAction::Updated
    }
}

/// What `playbook translations --stamp` did to one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StampReport {
    pub path: String,
    pub translation_of: String,
    pub lang: Lang,
    /// Whether the file was written (false when every marker was already current).
    pub written: bool,
    pub added: usize,
    pub updated: usize,
    pub current: usize,
    pub steps: Vec<StampedStep>,
    /// Original steps the translation does not have: nothing to stamp.
    pub missing: Vec<String>,
    /// Translated steps the original does not have: left alone.
    pub unknown: Vec<String>,
}

impl StampReport {
    pub fn new(translation: &Playbook, stamped: &Stamped) -> StampReport {
        StampReport {
            path: translation.path.clone(),
            translation_of: translation.family().to_string(),
            lang: translation.lang,
            written: stamped.changed(),
            added: stamped.count(StampAction::Added),
            updated: stamped.count(StampAction::Updated),
            current: stamped.count(StampAction::Current),
            steps: stamped.steps.clone(),
            missing: stamped.missing.clone(),
            unknown: stamped.unknown.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_playbook;

    /// A Danish original: two steps under a section.
    const DA: &str = r#"+++
id = "da-vrede-klienter"
title = "Sådan håndterer du vrede klienter"
lang = "da"

[source]
title = "Sådan håndterer du vrede klienter"
+++

# Del 1 af 3: Hold roen

## Trin 1. Reager ikke impulsivt {#dont-react-impulsively}

**Situations:** angry-customer, agent-recovery

Ting vil blive værre, hvis du er nervøs eller vred, selvom dette er en naturlig reaktion.

- Fokuser på vejret ved at tage et par dybe indåndinger.
- Lad ikke klienten høre lyden af tung vejrtrækning.

**Say (added):**
- Jeg forstår. Lad os se på det sammen.

**Gloss:** Don't react on impulse: stay calm and professional.

## Trin 2. Lad klienten udtrykke sine følelser {#let-customer-vent}

**Situations:** angry-customer, dissatisfied-customer

Giv klienten mulighed for at forklare problemet fuldstændigt.

**Say (added):**
- Fortæl mig gerne hele forløbet, jeg lytter.

**Gloss:** Let the customer vent without interrupting.
"#;

    /// Its Persian translation, without markers.
    const FA: &str = r#"+++
translation_of = "da-vrede-klienter"
lang = "fa"
title = "چگونه با مشتریان خشمگین برخورد کنید"
translator = "playbook editorial team (machine-assisted)"
+++

# بخش ۱ از ۳: آرامش خود را حفظ کنید

## گام ۱. هیجانی واکنش نشان ندهید {#dont-react-impulsively}

اگر عصبی یا عصبانی باشید، اوضاع بدتر می‌شود، هرچند این واکنشی طبیعی است.

- با کشیدن چند نفس عمیق، روی تنفستان تمرکز کنید.
- نگذارید مشتری صدای نفس‌های سنگینتان را بشنود.

**Say (added):**
- متوجه هستم. اجازه بدهید با هم بررسی‌اش کنیم.

## گام ۲. بگذارید مشتری احساساتش را بیان کند {#let-customer-vent}

به مشتری فرصت دهید مشکل را به‌طور کامل توضیح دهد.

**Say (added):**
- لطفاً کل ماجرا را برایم تعریف کنید؛ گوش می‌دهم.
"#;

    /// A Thai original with one step.
    const TH: &str = r#"+++
id = "th-unhappy-customers"
title = "วิธีจัดการกับลูกค้าที่ไม่มีความสุข"
lang = "th"

[source]
title = "วิธีจัดการกับลูกค้าที่ไม่มีความสุข"
+++

## พิจารณาตัวเองในรองเท้าของพวกเขา {#put-yourself-in-their-shoes}

**Situations:** angry-customer

คุณไม่รู้หรอกว่าลูกค้าที่ไม่มีความสุขของคุณมีความเครียดมากแค่ไหน

**Gloss:** Put yourself in their shoes.
"#;

    /// Its Romanian translation, CRLF line ends, with a stale marker.
    const RO: &str = "+++\r\ntranslation_of = \"th-unhappy-customers\"\r\nlang = \"ro\"\r\ntitle = \"Cum să gestionați clienții nemulțumiți\"\r\n+++\r\n\r\n## Puneți-vă în pielea lor {#put-yourself-in-their-shoes}\r\n<!-- original: 0123456789abcdef -->\r\n\r\nNu aveți de unde să știți cât de stresat este clientul dumneavoastră nemulțumit.\r\n";

    fn parse(text: &str, path: &str) -> Playbook {
        let parsed = parse_playbook(text.as_bytes(), path);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        parsed.playbook.unwrap()
    }

    /// Stamps a translation's text, parsed as `playbook translations --stamp` parses it.
    fn stamp_parsed(text: &str, original: &Playbook) -> Stamped {
        let translation = parse_playbook(text.as_bytes(), "playbooks/xx/translation.md")
            .playbook
            .unwrap();
        stamp(text, &translation, original)
    }

    fn da() -> Playbook {
        parse(DA, "playbooks/da/vrede-klienter.md")
    }

    fn statuses(cell: &Cell) -> Vec<(&str, Status)> {
        cell.steps
            .iter()
            .map(|s| (s.id.as_str(), s.status))
            .collect()
    }

    #[test]
    fn an_unstamped_persian_translation_stamps_to_complete() {
        let original = da();
        let fa = parse(FA, "playbooks/fa/da-vrede-klienter.md");
        let cell = compare(&original, Lang::Fa, Some(&fa));
        assert_eq!(
            statuses(&cell),
            [
                ("dont-react-impulsively", Status::Unstamped),
                ("let-customer-vent", Status::Unstamped)
            ]
        );
        assert_eq!(cell.counts.not_reviewed, 2);

        let stamped = stamp_parsed(FA, &original);
        assert_eq!(stamped.count(StampAction::Added), 2);
        assert!(stamped.missing.is_empty() && stamped.unknown.is_empty());
        // The markers sit right under the headings; nothing else changed.
        let heading = "## گام ۱. هیجانی واکنش نشان ندهید {#dont-react-impulsively}\n";
        let fp = original.steps[0].fingerprint();
        assert!(
            stamped
                .text
                .contains(&format!("{heading}<!-- original: {fp} -->\n\nاگر عصبی")),
            "{}",
            stamped.text
        );
        let without: String = stamped
            .text
            .lines()
            .filter(|l| !l.starts_with("<!-- original:"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(without, FA);

        let fa = parse(&stamped.text, "playbooks/fa/da-vrede-klienter.md");
        let cell = compare(&original, Lang::Fa, Some(&fa));
        assert!(cell.counts.is_complete(), "{cell:?}");
        // Stamping again changes nothing.
        let again = stamp_parsed(&stamped.text, &original);
        assert!(!again.changed());
        assert_eq!(again.text, stamped.text);
        assert_eq!(again.count(StampAction::Current), 2);
    }

    #[test]
    fn editing_an_original_step_makes_only_its_translation_stale() {
        let fa_text = stamp_parsed(FA, &da()).text;
        let edited = DA.replace(
            "Giv klienten mulighed for at forklare problemet fuldstændigt.",
            "Giv klienten god tid til at forklare hele problemet.",
        );
        let original = parse(&edited, "playbooks/da/vrede-klienter.md");
        let fa = parse(&fa_text, "playbooks/fa/da-vrede-klienter.md");
        let cell = compare(&original, Lang::Fa, Some(&fa));
        assert_eq!(
            statuses(&cell),
            [
                ("dont-react-impulsively", Status::Complete),
                ("let-customer-vent", Status::Stale)
            ]
        );
        // Situations and gloss are not translated: changing them changes nothing.
        let retagged = DA.replace(
            "**Situations:** angry-customer, dissatisfied-customer",
            "**Situations:** angry-customer",
        );
        let original = parse(&retagged, "playbooks/da/vrede-klienter.md");
        assert!(compare(&original, Lang::Fa, Some(&fa)).counts.is_complete());
    }

    #[test]
    fn a_stale_romanian_marker_is_rewritten_in_place_keeping_crlf() {
        let original = parse(TH, "playbooks/th/unhappy-customers.md");
        let ro = parse(RO, "playbooks/ro/th-unhappy-customers.md");
        let cell = compare(&original, Lang::Ro, Some(&ro));
        assert_eq!(
            statuses(&cell),
            [("put-yourself-in-their-shoes", Status::Stale)]
        );
        let stamped = stamp_parsed(RO, &original);
        assert_eq!(stamped.count(StampAction::Updated), 1);
        let fp = original.steps[0].fingerprint();
        assert_eq!(
            stamped.text,
            RO.replace("0123456789abcdef", &fp),
            "only the hash changes"
        );
        let ro = parse(&stamped.text, "playbooks/ro/th-unhappy-customers.md");
        assert!(compare(&original, Lang::Ro, Some(&ro)).counts.is_complete());
    }

    #[test]
    fn stamping_adds_a_marker_after_a_heading_at_the_end_of_the_file() {
        let original = parse(TH, "playbooks/th/unhappy-customers.md");
        let text = "\u{feff}+++\ntranslation_of = \"th-unhappy-customers\"\nlang = \"da\"\ntitle = \"t\"\n+++\n\n## Sæt dig i deres sko {#put-yourself-in-their-shoes}";
        let stamped = stamp_parsed(text, &original);
        let fp = original.steps[0].fingerprint();
        assert_eq!(stamped.text, format!("{text}\n<!-- original: {fp} -->\n"));
        let da = parse(&stamped.text, "playbooks/da/th-unhappy-customers.md");
        assert_eq!(da.steps[0].original_fingerprint.as_deref(), Some(&*fp));
    }

    #[test]
    fn a_marker_in_a_code_block_is_not_one_and_unknown_steps_are_left_alone() {
        let original = parse(TH, "playbooks/th/unhappy-customers.md");
        let text = "+++\ntranslation_of = \"th-unhappy-customers\"\nlang = \"en\"\ntitle = \"t\"\n+++\n\n## Put yourself in their shoes {#put-yourself-in-their-shoes}\n\n```\n<!-- original: 0123456789abcdef -->\n```\n\n## Extra {#extra-step}\n\nText.\n";
        let stamped = stamp_parsed(text, &original);
        assert_eq!(stamped.count(StampAction::Added), 1);
        assert_eq!(stamped.unknown, ["extra-step"]);
        assert!(
            stamped
                .text
                .contains("```\n<!-- original: 0123456789abcdef -->\n```")
        );
        assert_eq!(stamped.text.matches("<!-- original:").count(), 2);
    }

    #[test]
    fn the_matrix_pairs_translations_and_counts_every_reading_language() {
        let fa = parse(
            &stamp_parsed(FA, &da()).text,
            "playbooks/fa/da-vrede-klienter.md",
        );
        let unknown = parse(
            &FA.replace("\"da-vrede-klienter\"", "\"da-vrede\""),
            "playbooks/en/x.md",
        );
        let playbooks = vec![da(), fa, unknown];
        let m = matrix(&playbooks);
        assert_eq!(m.languages, Lang::READING);
        assert_eq!(m.playbooks.len(), 1);
        let row = &m.playbooks[0];
        // Danish is the original's own language: four columns.
        let langs: Vec<Lang> = row.translations.iter().map(|c| c.lang).collect();
        assert_eq!(langs, [Lang::En, Lang::Fa, Lang::Ro, Lang::Th]);
        assert_eq!(row.translations[1].counts.complete, 2);
        assert_eq!(row.translations[0].path, None);
        assert_eq!(row.translations[0].counts.missing, 2);
        assert_eq!(
            m.totals,
            Counts {
                steps: 8,
                complete: 2,
                stale: 0,
                unstamped: 0,
                missing: 6,
                not_reviewed: 2
            }
        );
        assert_eq!(m.ignored.len(), 1);
        assert_eq!(m.ignored[0].reason, Ignored::UnknownOriginal);
        assert!(!m.is_complete());
    }

    fn codes(playbooks: &[Playbook], texts: &[(&str, &str)]) -> Vec<(&'static str, String, usize)> {
        let front = texts
            .iter()
            .map(|(path, text)| (path.to_string(), front_lines(text)))
            .collect();
        let mut found: Vec<_> = diagnostics(playbooks, &front)
            .into_iter()
            .map(|d| (d.code, d.path, d.line))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_translated_introduction_is_stamped_and_goes_stale_when_the_original_changes() {
        let da_path = "playbooks/da/vrede-klienter.md";
        let path = "playbooks/fa/da-vrede-klienter.md";
        let da_text = DA.replacen(
            "+++\n\n# Del 1",
            "+++\n\nHvis du arbejder i kundeservice, får du vrede opkald.\n\n# Del 1",
            1,
        );
        let da = parse(&da_text, da_path);
        let fa_text = stamp_parsed(FA, &da).text.replacen(
            "+++\n\n# بخش ۱",
            "+++\n\nاگر در خدمات مشتریان کار می‌کنید، تماس‌های خشمگین دریافت می‌کنید.\n\n# بخش ۱",
            1,
        );
        let about_the_introduction = |original: &Playbook, text: &str| {
            let intro = text
                .lines()
                .position(|l| l.contains("اگر در خدمات"))
                .unwrap()
                + 1;
            diagnostics(&[original.clone(), parse(text, path)], &HashMap::new())
                .into_iter()
                .filter(|d| d.line == intro && d.code.starts_with("W070"))
                .map(|d| (d.code, d.message))
                .collect::<Vec<_>>()
        };
        // Not stamped yet: nothing would tell when the original's introduction changes.
        let found = about_the_introduction(&da, &fa_text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "W0708");
        assert!(
            found[0].1.starts_with("the introduction has no"),
            "{found:?}"
        );

        // Stamped: the marker goes on the line above it, and it is complete.
        let stamped = stamp_parsed(&fa_text, &da);
        let fingerprint = da.introduction.as_ref().unwrap().fingerprint();
        assert_eq!(
            (stamped.steps[0].id.as_str(), stamped.steps[0].action),
            (INTRODUCTION_ID, StampAction::Added)
        );
        assert!(
            stamped
                .text
                .contains(&format!("{}\nاگر در خدمات", marker(&fingerprint))),
            "{}",
            stamped.text
        );
        let fa = parse(&stamped.text, path);
        let cell = compare(&da, Lang::Fa, Some(&fa));
        assert_eq!(cell.steps[0].id, INTRODUCTION_ID);
        assert_eq!(cell.steps[0].status, Status::Complete);
        assert_eq!(cell.counts.steps, da.steps.len() + 1);
        assert_eq!(about_the_introduction(&da, &stamped.text), []);

        // The original's introduction changes: the translated one is stale, and says so.
        let edited = parse(
            &da_text.replace("vrede opkald", "mange vrede opkald"),
            da_path,
        );
        let found = about_the_introduction(&edited, &stamped.text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "W0703");
        assert!(
            found[0]
                .1
                .starts_with("the introduction is stale: the original's introduction"),
            "{found:?}"
        );
        assert_eq!(
            compare(&edited, Lang::Fa, Some(&fa)).steps[0].status,
            Status::Stale
        );

        // Stamped again once updated: the marker is rewritten where it stands.
        let again = stamp_parsed(&stamped.text, &edited);
        assert_eq!(again.steps[0].action, StampAction::Updated);
        assert_eq!(again.text.lines().count(), stamped.text.lines().count());
        assert_eq!(about_the_introduction(&edited, &again.text), []);
    }

    #[test]
    fn a_marker_above_no_introduction_is_reported() {
        let text = FA.replacen(
            "+++\n\n# بخش ۱",
            "+++\n\n<!-- original: 0123456789abcdef -->\n\n# بخش ۱",
            1,
        );
        let parsed = parse_playbook(text.as_bytes(), "playbooks/fa/da-vrede-klienter.md");
        let found: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.code, d.line))
            .collect();
        assert_eq!(found, [("W0310", 8)]);
    }

    #[test]
    fn an_introduction_on_one_side_only_is_reported() {
        let path = "playbooks/fa/da-vrede-klienter.md";
        let da_intro = "+++\n\nHvis du arbejder i kundeservice, får du vrede opkald.\n\n# Del 1";
        let fa_intro =
            "+++\n\nاگر در خدمات مشتریان کار می‌کنید، تماس‌های خشمگین دریافت می‌کنید.\n\n# بخش ۱";
        let line =
            |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let only_introductions =
            |found: Vec<(&'static str, String, usize)>| -> Vec<(&'static str, usize)> {
                found
                    .into_iter()
                    .filter(|(code, _, _)| code.starts_with("W071") && *code != "W0711")
                    .map(|(code, _, line)| (code, line))
                    .collect()
            };
        // The translation has one, the original not: never searched or shown.
        let text = stamp_parsed(FA, &da())
            .text
            .replacen("+++\n\n# بخش ۱", fa_intro, 1);
        let found = codes(&[da(), parse(&text, path)], &[(path, &text)]);
        assert_eq!(
            only_introductions(found),
            [("W0712", line(&text, "اگر در خدمات"))]
        );
        // The original has one, the translation not: on the translation's title line.
        let original = DA.replacen("+++\n\n# Del 1", da_intro, 1);
        let da = parse(&original, "playbooks/da/vrede-klienter.md");
        let text = stamp_parsed(FA, &da).text;
        let found = codes(&[da.clone(), parse(&text, path)], &[(path, &text)]);
        assert_eq!(only_introductions(found), [("W0713", 4)]);
        // Both: nothing to say.
        let text = stamp_parsed(FA, &da)
            .text
            .replacen("+++\n\n# بخش ۱", fa_intro, 1);
        let found = codes(&[da, parse(&text, path)], &[(path, &text)]);
        assert_eq!(only_introductions(found), []);
    }

    #[test]
    fn check_reports_translation_problems_where_they_are() {
        let path = "playbooks/fa/da-vrede-klienter.md";
        // Unstamped, a step renamed, a phrase dropped.
        let text = FA
            .replace("{#let-customer-vent}", "{#let-customer-vnt}")
            .replace("- نگذارید مشتری صدای نفس‌های سنگینتان را بشنود.\n", "");
        let fa = parse(&text, path);
        let found = codes(&[da(), fa], &[(path, &text)]);
        let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let step1 = line("{#dont-react-impulsively}");
        let step2 = line("{#let-customer-vnt}");
        let da_path = "playbooks/da/vrede-klienter.md".to_string();
        assert_eq!(
            found,
            [
                ("E0702", path.to_string(), step2),
                ("W0704", path.to_string(), 4),
                ("W0705", path.to_string(), step1),
                ("W0708", path.to_string(), step1),
                ("W0711", da_path.clone(), 2),
                ("W0711", da_path.clone(), 2),
                ("W0711", da_path, 2),
            ]
        );
        let all = diagnostics(&[da(), parse(&text, path)], &HashMap::new());
        let e0702 = all.iter().find(|d| d.code == "E0702").unwrap();
        assert!(
            e0702
                .hint
                .as_deref()
                .unwrap()
                .contains("did you mean `{#let-customer-vent}`"),
            "{e0702:?}"
        );
    }

    #[test]
    fn check_reports_folders_names_duplicates_and_unknown_originals() {
        let fa_text = stamp_parsed(FA, &da()).text;
        let wrong_folder = "playbooks/ro/da-vrede-klienter.md";
        let misnamed = "playbooks/fa/vrede.md";
        let own = "playbooks/da/da-vrede-klienter.md";
        let own_text = fa_text.replace("lang = \"fa\"", "lang = \"da\"");
        let unknown_text = fa_text.replace("\"da-vrede-klienter\"", "\"da-vrede-klient\"");
        let playbooks = vec![
            da(),
            parse(&fa_text, wrong_folder),
            parse(&fa_text, misnamed),
            parse(&own_text, own),
            parse(&unknown_text, "playbooks/fa/da-vrede-klient.md"),
        ];
        let texts = [
            (wrong_folder, fa_text.as_str()),
            (misnamed, fa_text.as_str()),
            (own, own_text.as_str()),
        ];
        let found = codes(&playbooks, &texts);
        let has = |code: &str, path: &str, line: usize| {
            assert!(
                found
                    .iter()
                    .any(|(c, p, l)| *c == code && p == path && *l == line),
                "{code} at {path}:{line} not in {found:?}"
            );
        };
        has("E0706", wrong_folder, 3);
        has("W0707", misnamed, 2);
        has("E0709", misnamed, 2);
        has("E0710", own, 3);
        has("E0701", "playbooks/fa/da-vrede-klient.md", 2);
        let all = diagnostics(&playbooks, &HashMap::new());
        let e0701 = all.iter().find(|d| d.code == "E0701").unwrap();
        assert!(
            e0701
                .hint
                .as_deref()
                .unwrap()
                .contains("\"da-vrede-klienter\""),
            "{e0701:?}"
        );
    }

    #[test]
    fn without_any_translation_there_is_no_gap_warning() {
        assert!(codes(&[da()], &[]).is_empty());
    }

    #[test]
    fn front_lines_skip_the_source_table() {
        let lines = front_lines(FA);
        assert_eq!(lines, FrontLines { title: 4, lang: 3 });
        assert_eq!(front_lines(DA), FrontLines { title: 3, lang: 4 });
        assert_eq!(
            front_lines("no front matter"),
            FrontLines { title: 1, lang: 1 }
        );
    }

    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("../docs/diagnostics.md");
        for code in [
            "E0701", "E0702", "W0703", "W0704", "W0705", "E0706", "W0707", "W0708", "E0709",
            "E0710", "W0711",
        ] {
            assert!(docs.contains(&format!("| {code} |")), "{code}");
        }
    }
}
