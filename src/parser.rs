//! The playbook parser: TOML front matter plus Markdown (pulldown-cmark) into a [`Playbook`].
//!
//! The parser never stops at the first problem: it returns whatever it could understand
//! together with every diagnostic, so a trainer sees all their mistakes at once.

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::model::{
    INTRODUCTION_ID, Lang, Phrase, Playbook, Role, Section, Source, Step, Translation,
};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

/// Playbooks larger than this are refused (the bound and its reason are in [`crate::tuning`]).
pub use crate::tuning::MAX_PLAYBOOK_BYTES;

/// The result of parsing one file: the playbook if it was usable, and every diagnostic.
#[derive(Debug)]
pub struct Parsed {
    pub playbook: Option<Playbook>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each step's `**Situations:**` line is, for diagnostics made later.
    pub situation_lines: Vec<usize>,
}

/// The front matter as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    /// Required for an original; a translation has none of its own.
    id: Option<String>,
    title: String,
    lang: String,
    /// Required for an original; a translation's source is its original.
    source: Option<Source>,
    owner: Option<String>,
    reviewed: Option<toml::Value>,
    /// A translation names its original's id.
    translation_of: Option<String>,
    translator: Option<String>,
    reviewer: Option<String>,
}

/// The marker under a translated step's heading that records which version of the
/// original step it translates: `<!-- original: 0123456789abcdef -->`.
pub const FINGERPRINT_PREFIX: &str = "<!-- original:";

/// The fingerprint in a `<!-- original: … -->` comment, if that is what `html` is.
fn fingerprint_in(html: &str) -> Option<String> {
    let rest = html.trim().strip_prefix(FINGERPRINT_PREFIX)?;
    let hash = rest.strip_suffix("-->")?.trim();
    (!hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit())).then(|| hash.to_string())
}

/// Whether an id is lowercase ASCII letters, digits and single dashes.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// A suggested id for a heading: its ASCII letters and digits, lowercased, joined by dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        "step-1".to_string()
    } else {
        slug
    }
}

/// Parses a playbook from raw bytes. `rel_path` is used in diagnostics and stored in the model.
pub fn parse_playbook(bytes: &[u8], rel_path: &str) -> Parsed {
    let mut diagnostics = Vec::new();
    let fail = |diagnostics: Vec<Diagnostic>| Parsed {
        playbook: None,
        diagnostics,
        situation_lines: Vec::new(),
    };
    if let Some(d) = check_raw_bytes(bytes, rel_path) {
        diagnostics.push(d);
        return fail(diagnostics);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            diagnostics.push(invalid_utf8(bytes, e, rel_path));
            return fail(diagnostics);
        }
    };
    // A byte-order mark is invisible in editors; accept it. CRLF becomes LF so that
    // offsets map to the same lines either way.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(rel_path, 1, "E0003", "the file is empty")
                .with_hint("start from `playbook new`, or delete the file"),
        );
        return fail(diagnostics);
    }
    let lines = LineIndex::new(&text);
    invisible_characters(&text, &lines, rel_path, &mut diagnostics);
    let Some((front, body_start)) = split_front_matter(&text, rel_path, &mut diagnostics) else {
        return fail(diagnostics);
    };
    let meta = parse_front_matter(front, rel_path, &mut diagnostics);
    let lang_from_dir = lang_of_folder(rel_path);
    let is_translation = meta.as_ref().is_some_and(|m| m.translation_of.is_some());
    let mut body = BodyParser::new(&text, body_start, &lines, rel_path, is_translation);
    body.run();
    diagnostics.append(&mut body.diagnostics);
    let Some(meta) = meta else {
        return fail(diagnostics);
    };
    let lang = match Lang::from_code(&meta.lang) {
        Some(l) if l.has_originals() || is_translation => l,
        _ => {
            let line = key_line(front, "lang");
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    line,
                    "E0105",
                    format!("unknown language `{}`", meta.lang),
                )
                .with_hint(if is_translation {
                    "use one of `en`, `fa`, `ro`, `th`, `da`"
                } else {
                    "use one of `fa`, `ro`, `th`, `da` (English is a reading language: translations only)"
                }),
            );
            return fail(diagnostics);
        }
    };
    if let Some(dir) = lang_from_dir
        && dir != lang.code()
    {
        diagnostics.push(
            Diagnostic::warning(
                rel_path,
                key_line(front, "lang"),
                "W0106",
                format!("`lang = \"{lang}\"` but the file is in the `{dir}/` folder"),
            )
            .with_hint(format!("move the file to playbooks/{lang}/ or fix `lang`")),
        );
    }
    let Some((id, id_line, source, translation)) =
        identity(&meta, front, lang, rel_path, &mut diagnostics)
    else {
        return fail(diagnostics);
    };
    let reviewed = meta.reviewed.map(|v| match v {
        toml::Value::String(s) => s,
        other => other.to_string(),
    });
    let playbook = Playbook {
        id_line,
        lines: text.lines().count(),
        id,
        title: meta.title,
        lang,
        source,
        owner: meta.owner,
        reviewed,
        path: rel_path.to_string(),
        intro: body.intro.join("\n"),
        introduction: body.introduction(lang),
        sections: body.sections,
        steps: body.steps,
        translation,
    };
    Parsed {
        playbook: Some(playbook),
        diagnostics,
        situation_lines: body.situation_lines,
    }
}

/// A playbook's id, the line naming it, its source and, for a translation, what it
/// translates. An original needs `id` and `[source]`; a translation needs `translation_of`
/// and has neither (its id is `ORIGINAL.LANG`, its source the original's).
fn identity(
    meta: &FrontMatter,
    front: &str,
    lang: Lang,
    rel_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(String, usize, Source, Option<Translation>)> {
    let invalid_id = |key: &str, id: &str| {
        Diagnostic::error(
            rel_path,
            key_line(front, key),
            "E0107",
            format!("invalid playbook id `{id}`"),
        )
        .with_hint(format!(
            "use lowercase letters, digits and dashes, e.g. `{}`",
            slugify(id)
        ))
    };
    if let Some(of) = &meta.translation_of {
        let of_line = key_line(front, "translation_of");
        if !is_valid_id(of) {
            diagnostics.push(invalid_id("translation_of", of));
        }
        for (key, present) in [("id", meta.id.is_some()), ("source", meta.source.is_some())] {
            if present {
                diagnostics.push(
                    Diagnostic::error(
                        rel_path,
                        key_line(front, key),
                        "E0108",
                        format!("a translation has no `{key}` of its own"),
                    )
                    .with_hint(format!(
                        "remove `{key}`: the translation takes it from `{of}` (translation_of)"
                    )),
                );
            }
        }
        let translation = Translation {
            of: of.clone(),
            of_line,
            translator: meta.translator.clone(),
            reviewer: meta.reviewer.clone(),
        };
        let source = Source {
            title: meta.title.clone(),
            ..Source::default()
        };
        return Some((format!("{of}.{lang}"), of_line, source, Some(translation)));
    }
    let missing = |key: &str, what: &str| {
        Diagnostic::error(
            rel_path,
            1,
            "E0103",
            format!("invalid front matter: missing `{key}`"),
        )
        .with_hint(what.to_string())
    };
    let Some(id) = &meta.id else {
        diagnostics.push(missing(
            "id",
            "an original needs `id = \"...\"`; a translation needs `translation_of = \"<original id>\"`",
        ));
        return None;
    };
    let Some(source) = &meta.source else {
        diagnostics.push(missing(
            "source",
            "add a `[source]` table with at least `title` (where the text comes from)",
        ));
        return None;
    };
    for (key, present) in [
        ("translator", meta.translator.is_some()),
        ("reviewer", meta.reviewer.is_some()),
    ] {
        if present {
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    key_line(front, key),
                    "E0108",
                    format!(
                        "`{key}` belongs to translations, and this file has no `translation_of`"
                    ),
                )
                .with_hint("remove it, or add `translation_of` if this file is a translation"),
            );
        }
    }
    if !is_valid_id(id) {
        diagnostics.push(invalid_id("id", id));
    }
    Some((id.clone(), key_line(front, "id"), source.clone(), None))
}

/// Characters a trainer cannot see that change what agents get: control characters (an
/// escape sequence in a title would reach terminals, were it not filtered), bidi overrides
/// and isolates (a line that reads otherwise than it is written), and zero-width spaces and
/// joiners inside a word (the word can no longer be found). Persian's ZWNJ is legitimate.
fn invisible_characters(
    text: &str,
    lines: &LineIndex,
    rel_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (offset, c) in text.char_indices() {
        // What a terminal must never get raw is defined once, by the renderers.
        let what = match c {
            '\u{200B}' | '\u{2060}' | '\u{FEFF}' => "a zero-width space",
            c if !crate::render::text::is_unsafe(c) => continue,
            c if c.is_control() => "a control character",
            _ => "a bidi override",
        };
        let (line, col) = lines.line_col(offset);
        diagnostics.push(
            Diagnostic::warning(
                rel_path,
                line,
                "W0009",
                format!("{what} (U+{:04X}) that nobody can see", u32::from(c)),
            )
            .at_col(col)
            .with_hint("delete it: it changes how the text is shown or makes a word unsearchable"),
        );
    }
}

/// Refuses files that cannot be playbooks at all: too large, or binary.
fn check_raw_bytes(bytes: &[u8], rel_path: &str) -> Option<Diagnostic> {
    if bytes.len() as u64 > MAX_PLAYBOOK_BYTES {
        return Some(too_large(rel_path, bytes.len() as u64));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        return Some(
            Diagnostic::error(
                rel_path,
                line,
                "E0004",
                "this is a binary file, not Markdown",
            )
            .with_hint("remove it from playbooks/ (only `.md` text files belong there)"),
        );
    }
    None
}

/// The diagnostic for a file over [`MAX_PLAYBOOK_BYTES`].
pub fn too_large(rel_path: &str, size: u64) -> Diagnostic {
    Diagnostic::error(
        rel_path,
        1,
        "E0005",
        format!(
            "the file is {:.1} MB; playbooks over {} MB are not loaded",
            size as f64 / 1_048_576.0,
            MAX_PLAYBOOK_BYTES / 1_048_576
        ),
    )
    .with_hint("split it into several playbooks, or move it out of playbooks/")
}

fn invalid_utf8(bytes: &[u8], e: std::str::Utf8Error, rel_path: &str) -> Diagnostic {
    let pos = e.valid_up_to();
    let before = &bytes[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let mut col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    if line == 1 && bytes.starts_with("\u{feff}".as_bytes()) {
        col -= 1; // the byte-order mark is invisible, so it takes no column
    }
    Diagnostic::error(
        rel_path,
        line,
        "E0002",
        format!("invalid UTF-8 (byte 0x{:02X})", bytes[pos]),
    )
    .at_col(col)
    .with_hint("save the file as UTF-8 (most editors: \"Save with encoding\" → UTF-8)")
}

/// The `xx` in `playbooks/xx/...`, if the file sits in a language folder.
fn lang_of_folder(rel_path: &str) -> Option<&str> {
    let mut parts = rel_path.split('/');
    if parts.next() != Some("playbooks") {
        return None;
    }
    let dir = parts.next()?;
    parts.next()?;
    Some(dir)
}

/// Splits off the `+++` front matter; returns it and the byte offset where the body starts.
fn split_front_matter<'t>(
    text: &'t str,
    rel_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(&'t str, usize)> {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim_end() != "+++" {
        let hint = if first_line.trim_end() == "---" {
            "YAML front matter is not supported: use a TOML block between two `+++` lines"
        } else {
            "start the file with a TOML block between two `+++` lines (see docs/playbook-format.md)"
        };
        diagnostics
            .push(Diagnostic::error(rel_path, 1, "E0101", "missing front matter").with_hint(hint));
        return None;
    }
    let after_open = first_line.len() + 1;
    let mut offset = after_open;
    for line in text[after_open.min(text.len())..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&text[after_open..offset], offset + line.len()));
        }
        offset += line.len();
    }
    diagnostics.push(
        Diagnostic::error(rel_path, 1, "E0102", "unterminated front matter")
            .with_hint("close the front matter with a line holding only `+++`"),
    );
    None
}

fn parse_front_matter(
    front: &str,
    rel_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<FrontMatter> {
    match toml::from_str::<FrontMatter>(front) {
        Ok(m) => Some(m),
        Err(e) => {
            // Line 1 of the front matter is line 2 of the file.
            let (line, col) = e
                .span()
                .map(|span| {
                    let idx = LineIndex::new(front);
                    let (l, c) = idx.line_col(span.start);
                    (l + 1, c)
                })
                .unwrap_or((1, 1));
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    line,
                    "E0103",
                    format!("invalid front matter: {}", e.message()),
                )
                .at_col(col)
                .with_hint(
                    "required: id, title, lang, [source] with title; optional: owner, reviewed; a translation: translation_of, title, lang; optional: translator, reviewed, reviewer",
                ),
            );
            None
        }
    }
}

/// The file line of `key = ...` in the front matter (front matter starts on line 2).
fn key_line(front: &str, key: &str) -> usize {
    front
        .lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 2)
}

/// The labelled blocks a step may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Situations,
    TitleAdded,
    Say,
    SayAdded,
    Gloss,
    Role,
    DontSay,
    EscalateWhen,
    AgentsAsk,
}

impl Label {
    const ALL: [(Label, &'static str); 9] = [
        (Label::Situations, "Situations"),
        (Label::TitleAdded, "Title (added)"),
        (Label::Say, "Say"),
        (Label::SayAdded, "Say (added)"),
        (Label::Gloss, "Gloss"),
        (Label::Role, "Role"),
        (Label::DontSay, "Don't say"),
        (Label::EscalateWhen, "Escalate when"),
        (Label::AgentsAsk, "Agents ask"),
    ];

    fn name(self) -> &'static str {
        Label::ALL.iter().find(|(l, _)| *l == self).unwrap().1
    }

    fn from_text(text: &str) -> Option<Label> {
        let t = normalize_label(text);
        Label::ALL
            .iter()
            .find(|(_, name)| normalize_label(name) == t)
            .map(|(l, _)| *l)
    }

    /// A known label this unknown one was probably meant to be.
    fn near_miss(text: &str) -> Option<&'static str> {
        let t = normalize_label(text);
        let extra = [
            ("situation", "Situations"),
            ("tags", "Situations"),
            ("phrases", "Say"),
            ("say added", "Say (added)"),
            ("title", "Title (added)"),
            ("added title", "Title (added)"),
            ("heading added", "Title (added)"),
            ("added", "Say (added)"),
            ("english", "Gloss"),
            ("roles", "Role"),
            ("when", "Role"),
            ("dont say", "Don't say"),
            ("do not say", "Don't say"),
            ("escalate", "Escalate when"),
            ("asks", "Agents ask"),
            ("agent asks", "Agents ask"),
            ("agents asks", "Agents ask"),
            ("questions", "Agents ask"),
        ];
        if let Some((_, name)) = extra.iter().find(|(k, _)| *k == t) {
            return Some(name);
        }
        Label::ALL
            .iter()
            .map(|(_, name)| *name)
            .find(|name| strsim::levenshtein(&normalize_label(name), &t) <= 2)
    }

    fn takes_list(self) -> bool {
        !matches!(self, Label::Gloss | Label::Role | Label::TitleAdded)
    }

    /// Labels a step has once, set on the original (a translation takes them from it).
    fn of_the_original(self) -> bool {
        matches!(self, Label::Situations | Label::Gloss | Label::Role)
    }
}

fn normalize_label(text: &str) -> String {
    text.trim()
        .trim_end_matches(':')
        .trim()
        .to_lowercase()
        .replace(['\u{2019}', '\''], "")
        .replace(['(', ')'], "")
}

/// Where text currently goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Container {
    Intro,
    Section(usize),
    Step(usize),
}

/// One top-level Markdown block, reduced to what the model needs.
#[derive(Debug, Default)]
struct Block {
    kind: BlockKind,
    start: usize,
    /// Plain text of the block; for lists, one entry per top-level item.
    text: String,
    items: Vec<String>,
    /// `**Label:**` at the start of a paragraph, with the text after it.
    label: Option<(String, String)>,
    heading_id: Option<String>,
    heading_level: u8,
}

#[derive(Debug, Default, PartialEq, Clone, Copy)]
enum BlockKind {
    #[default]
    Paragraph,
    Heading,
    List,
    Other,
    Comment,
}

struct BodyParser<'a> {
    text: &'a str,
    body_start: usize,
    lines: &'a LineIndex<'a>,
    rel_path: &'a str,
    diagnostics: Vec<Diagnostic>,
    intro: Vec<String>,
    /// Where the introduction starts (none: the playbook has none).
    intro_line: Option<usize>,
    /// The introduction's `**Agents ask:**`: the label's line, and the questions.
    intro_asks: Option<(usize, Vec<String>)>,
    /// A translation's `<!-- original: … -->` above its introduction: the marker's line and
    /// the fingerprint of the original's introduction it translates.
    intro_fingerprint: Option<(usize, String)>,
    sections: Vec<Section>,
    steps: Vec<Step>,
    situation_lines: Vec<usize>,
    container: Container,
    /// A label waiting for the list that follows it: (label, line, got content).
    pending: Option<(Label, usize, bool)>,
    /// Which labels the current step has already used, to catch duplicates.
    seen_labels: Vec<Label>,
    /// A translation: steps take their situations and gloss from the original.
    translation: bool,
}

impl<'a> BodyParser<'a> {
    fn new(
        text: &'a str,
        body_start: usize,
        lines: &'a LineIndex<'a>,
        rel_path: &'a str,
        translation: bool,
    ) -> Self {
        BodyParser {
            text,
            body_start,
            lines,
            rel_path,
            diagnostics: Vec::new(),
            intro: Vec::new(),
            intro_line: None,
            intro_asks: None,
            intro_fingerprint: None,
            sections: Vec::new(),
            steps: Vec::new(),
            situation_lines: Vec::new(),
            container: Container::Intro,
            pending: None,
            seen_labels: Vec::new(),
            translation,
        }
    }

    fn run(&mut self) {
        let body = &self.text[self.body_start..];
        let options = Options::ENABLE_HEADING_ATTRIBUTES
            | Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH;
        let mut depth = 0usize;
        let mut list_item_depth = 0usize;
        let mut block = Block::default();
        let mut strong_at_start = false;
        let mut label_text = String::new();
        let mut in_label = false;
        let parser = Parser::new_ext(body, options);
        self.link_definitions(parser.reference_definitions());
        for (event, range) in parser.into_offset_iter() {
            let offset = self.body_start + range.start;
            match event {
                Event::Start(tag) => {
                    if depth == 0 {
                        block = Block {
                            start: offset,
                            ..Block::default()
                        };
                        block.kind = match &tag {
                            Tag::Paragraph => BlockKind::Paragraph,
                            Tag::Heading { level, id, .. } => {
                                block.heading_level = heading_level(*level);
                                block.heading_id = id.as_ref().map(|s| s.to_string());
                                BlockKind::Heading
                            }
                            Tag::List(_) => BlockKind::List,
                            Tag::HtmlBlock => BlockKind::Comment,
                            _ => BlockKind::Other,
                        };
                        strong_at_start = matches!(tag, Tag::Paragraph);
                    } else if block.kind == BlockKind::Paragraph
                        && depth == 1
                        && strong_at_start
                        && matches!(tag, Tag::Strong)
                        && block.text.is_empty()
                    {
                        in_label = true;
                        label_text.clear();
                    } else {
                        strong_at_start = false;
                    }
                    if let Tag::Item = tag {
                        list_item_depth += 1;
                        if block.kind == BlockKind::List && list_item_depth == 1 {
                            block.items.push(String::new());
                        } else {
                            push_text(&mut block, " ");
                        }
                    }
                    if matches!(tag, Tag::Paragraph | Tag::Heading { .. }) && depth > 0 {
                        push_text(&mut block, " ");
                    }
                    depth += 1;
                }
                Event::End(tag_end) => {
                    depth = depth.saturating_sub(1);
                    if let TagEnd::Item = tag_end {
                        list_item_depth = list_item_depth.saturating_sub(1);
                    }
                    if in_label && matches!(tag_end, TagEnd::Strong) {
                        in_label = false;
                        strong_at_start = false;
                        let t = label_text.trim().to_string();
                        if t.ends_with(':') {
                            block.label = Some((t, String::new()));
                        } else {
                            push_text(&mut block, &label_text);
                        }
                        continue;
                    }
                    if depth == 0 {
                        let done = std::mem::take(&mut block);
                        self.handle_block(done);
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    if in_label {
                        label_text.push_str(&t);
                    } else {
                        strong_at_start = false;
                        push_text(&mut block, &t);
                    }
                }
                Event::InlineMath(t) | Event::DisplayMath(t) => push_text(&mut block, &t),
                Event::Html(t) | Event::InlineHtml(t) => {
                    if block.kind == BlockKind::Comment && is_comment(&t) {
                        if let Some(fingerprint) = fingerprint_in(&t) {
                            self.set_fingerprint(fingerprint, self.line(offset));
                        }
                        continue;
                    }
                    if block.kind == BlockKind::Comment {
                        block.kind = BlockKind::Other;
                    }
                    push_text(&mut block, &t);
                }
                Event::SoftBreak => push_text(&mut block, " "),
                Event::HardBreak => push_text(&mut block, "\n"),
                Event::Rule => {
                    if depth == 0 {
                        self.flush_pending();
                    }
                }
                Event::FootnoteReference(t) => push_text(&mut block, &format!("[^{t}]")),
                Event::TaskListMarker(done) => {
                    push_text(&mut block, if done { "[x] " } else { "[ ] " })
                }
            }
        }
        self.flush_pending();
        self.finish_step();
        self.check_introduction();
    }

    /// Questions for an introduction the playbook does not have would be searched for
    /// nothing, and a marker for it would tell nothing: say so rather than drop them.
    fn check_introduction(&mut self) {
        if let (None, Some((line, _))) = (self.intro_line, &self.intro_fingerprint) {
            self.diagnostics.push(
                Diagnostic::warning(
                    self.rel_path,
                    *line,
                    "W0310",
                    "an `<!-- original: … -->` marker before the first heading, but the \
                     translation has no introduction: it is ignored",
                )
                .with_hint("translate the original's introduction below it, or delete the marker"),
            );
        }
        if let (None, Some((line, _))) = (self.intro_line, &self.intro_asks) {
            self.diagnostics.push(
                Diagnostic::error(
                    self.rel_path,
                    *line,
                    "E0403",
                    "`**Agents ask:**` before the first heading, but the playbook has no introduction",
                )
                .with_hint(
                    "write the article's introduction above it, or move the questions under the \
                     step they ask for",
                ),
            );
        }
    }

    /// The introduction as a step, with how agents ask for it (see [`Playbook::introduction`]).
    fn introduction(&self, lang: Lang) -> Option<Step> {
        let mut step = Step::introduction(lang, &self.intro.join("\n"), self.intro_line?);
        if let Some((_, asks)) = &self.intro_asks {
            step.asks.clone_from(asks);
        }
        step.original_fingerprint = self.intro_fingerprint.as_ref().map(|(_, f)| f.clone());
        Some(step)
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    /// W0010 for each link reference definition (`[x]: https://…`): Markdown takes the
    /// line out of the text, so it is neither shown nor searched.
    fn link_definitions(&mut self, definitions: &pulldown_cmark::RefDefs<'_>) {
        let mut spans: Vec<usize> = definitions.iter().map(|(_, d)| d.span.start).collect();
        spans.sort_unstable();
        for start in spans {
            let line = self.line(self.body_start + start);
            self.diagnostics.push(
                Diagnostic::warning(
                    self.rel_path,
                    line,
                    "W0010",
                    "a link reference definition (`[label]: address`) is never shown or searched",
                )
                .with_hint(
                    "write the address in the text, or use an inline link `[text](address)`",
                ),
            );
        }
    }

    fn handle_block(&mut self, block: Block) {
        let line = self.line(block.start);
        match block.kind {
            BlockKind::Comment => {}
            BlockKind::Heading => {
                self.flush_pending();
                self.handle_heading(block, line);
            }
            BlockKind::List => {
                if let Some((label, label_line, _)) = self.pending
                    && label.takes_list()
                {
                    let items: Vec<String> = block
                        .items
                        .iter()
                        .map(|i| i.trim().to_string())
                        .filter(|i| !i.is_empty())
                        .collect();
                    self.apply_label(label, label_line, items);
                    self.pending = Some((label, label_line, true));
                    return;
                }
                self.flush_pending();
                let text = block
                    .items
                    .iter()
                    .map(|i| format!("- {}", i.trim()))
                    .collect::<Vec<_>>()
                    .join("\n");
                if let Container::Step(j) = self.container {
                    self.steps[j].list_items += block.items.len();
                }
                self.push_guidance(text, line);
            }
            BlockKind::Paragraph => {
                self.flush_pending();
                if let Some((label_raw, _)) = &block.label {
                    if let Some(label) = Label::from_text(label_raw) {
                        self.handle_label(label, block.text.trim().to_string(), line);
                        return;
                    }
                    if let Some(known) = Label::near_miss(label_raw) {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                self.rel_path,
                                line,
                                "W0308",
                                format!("unknown label `{label_raw}` (kept as guidance text)"),
                            )
                            .with_hint(format!("did you mean `**{known}:**`?")),
                        );
                    }
                    let text = format!("{label_raw} {}", block.text.trim());
                    self.push_guidance(text, line);
                    return;
                }
                self.push_guidance(block.text.trim().to_string(), line);
            }
            BlockKind::Other => {
                self.flush_pending();
                self.push_guidance(block.text.trim().to_string(), line);
            }
        }
    }

    fn handle_heading(&mut self, block: Block, line: usize) {
        let title = block.text.trim().to_string();
        match block.heading_level {
            1 => {
                self.finish_step();
                self.sections.push(Section {
                    title,
                    intro: String::new(),
                    line,
                });
                self.container = Container::Section(self.sections.len() - 1);
            }
            2 => {
                self.finish_step();
                let id = match block.heading_id {
                    Some(id) => {
                        if !is_valid_id(&id) {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    self.rel_path,
                                    line,
                                    "E0202",
                                    format!("invalid step id `{id}`"),
                                )
                                .with_hint(format!(
                                    "use lowercase letters, digits and dashes, e.g. `{{#{}}}`",
                                    slugify(&id)
                                )),
                            );
                        }
                        id
                    }
                    None => {
                        self.diagnostics.push(
                            Diagnostic::error(
                                self.rel_path,
                                line,
                                "E0201",
                                format!("step `{title}` has no id"),
                            )
                            .with_hint(format!(
                                "end the heading with a stable id, e.g. `## {title} {{#{}}}`",
                                slugify(&title)
                            )),
                        );
                        format!("line-{line}")
                    }
                };
                if id == INTRODUCTION_ID {
                    self.diagnostics.push(
                        Diagnostic::error(
                            self.rel_path,
                            line,
                            "E0205",
                            format!("the step id `{id}` is the playbook's introduction's"),
                        )
                        .with_hint(format!(
                            "the text before the first heading is the introduction \
                             (`playbook show PLAYBOOK#{INTRODUCTION_ID}`); give this step another id"
                        )),
                    );
                }
                if self.steps.iter().any(|s| s.id == id) {
                    let first = self.steps.iter().find(|s| s.id == id).unwrap().line;
                    self.diagnostics.push(
                        Diagnostic::error(
                            self.rel_path,
                            line,
                            "E0203",
                            format!("duplicate step id `{id}` (first used on line {first})"),
                        )
                        .with_hint("every step id must be unique in its playbook"),
                    );
                }
                let section = match self.container {
                    Container::Section(i) => Some(i),
                    Container::Step(j) => self.steps[j].section,
                    Container::Intro => None,
                };
                self.steps.push(Step::headed(id, title, section, line));
                self.situation_lines.push(line);
                self.seen_labels.clear();
                self.container = Container::Step(self.steps.len() - 1);
            }
            _ => {
                // Deeper headings are part of the guidance.
                self.push_guidance(title, line);
            }
        }
    }

    /// Records a `<!-- original: … -->` marker on the step it stands in.
    fn set_fingerprint(&mut self, fingerprint: String, line: usize) {
        match self.container {
            Container::Step(j) if self.translation => {
                self.steps[j].original_fingerprint = Some(fingerprint);
            }
            Container::Intro if self.translation => {
                self.intro_fingerprint = Some((line, fingerprint));
            }
            _ => self.diagnostics.push(
                Diagnostic::warning(
                    self.rel_path,
                    line,
                    "W0310",
                    "an `<!-- original: … -->` marker outside a translated step is ignored",
                )
                .with_hint(
                    "it belongs under a step heading, or above the introduction, of a translation \
                     (`translation_of`)",
                ),
            ),
        }
    }

    fn handle_label(&mut self, label: Label, inline: String, line: usize) {
        if self.translation && label.of_the_original() {
            self.diagnostics.push(
                Diagnostic::error(
                    self.rel_path,
                    line,
                    "E0309",
                    format!(
                        "a translated step takes its `**{}:**` from the original",
                        label.name()
                    ),
                )
                .with_hint("remove this line: change it in the original playbook instead"),
            );
            return;
        }
        // How agents ask for the introduction's advice is the one label it takes.
        let in_intro = matches!(self.container, Container::Intro) && label == Label::AgentsAsk;
        if !matches!(self.container, Container::Step(_)) && !in_intro {
            self.diagnostics.push(
                Diagnostic::error(
                    self.rel_path,
                    line,
                    "E0402",
                    format!("`**{}:**` outside a step", label.name()),
                )
                .with_hint(
                    "put it under a `## Step title {#step-id}` heading (before the first \
                     heading, only `**Agents ask:**` belongs: how agents ask for the introduction)",
                ),
            );
            return;
        }
        if self.seen_labels.contains(&label) && label.of_the_original() {
            self.diagnostics.push(
                Diagnostic::error(
                    self.rel_path,
                    line,
                    "E0307",
                    format!("second `**{}:**` in this step", label.name()),
                )
                .with_hint("merge them into one"),
            );
        }
        self.seen_labels.push(label);
        let has_inline = !inline.is_empty();
        if has_inline {
            let items = match label {
                Label::Situations => inline
                    .split([',', ' ', ';'])
                    .map(|s| s.trim().trim_matches('`').to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                _ => vec![inline],
            };
            self.apply_label(label, line, items);
        }
        if label.takes_list() && !has_inline {
            self.pending = Some((label, line, false));
        } else if !has_inline {
            self.empty_label(label, line);
        }
    }

    fn apply_label(&mut self, label: Label, line: usize, items: Vec<String>) {
        if let (Container::Intro, Label::AgentsAsk) = (self.container, label) {
            self.intro_asks
                .get_or_insert((line, Vec::new()))
                .1
                .extend(items);
            return;
        }
        let Container::Step(j) = self.container else {
            return;
        };
        let step = &mut self.steps[j];
        match label {
            Label::Situations => {
                step.situations.extend(items);
                self.situation_lines[j] = line;
            }
            Label::TitleAdded => {
                step.title = items.join(" ");
                step.title_added = true;
            }
            Label::Say | Label::SayAdded => {
                step.phrases.extend(items.into_iter().map(|t| Phrase {
                    text: strip_quotes(&t).to_string(),
                    added: label == Label::SayAdded,
                }))
            }
            Label::Gloss => {
                if !step.gloss.is_empty() {
                    step.gloss.push(' ');
                }
                step.gloss.push_str(&items.join(" "));
            }
            Label::Role => {
                let written = items.join(" ");
                match Role::parse(&written) {
                    Some(role) => step.role = role,
                    None => self
                        .diagnostics
                        .push(unknown_role(self.rel_path, line, &written)),
                }
            }
            Label::DontSay => step.dont_say.extend(items),
            Label::EscalateWhen => step.escalate_when.extend(items),
            Label::AgentsAsk => step.asks.extend(items),
        }
    }

    fn empty_label(&mut self, label: Label, line: usize) {
        let hint = if label.takes_list() {
            format!(
                "follow `**{}:**` with a list (`- ...`) or text on the same line",
                label.name()
            )
        } else {
            format!(
                "write the text after `**{}:**` on the same line",
                label.name()
            )
        };
        self.diagnostics.push(
            Diagnostic::error(
                self.rel_path,
                line,
                "E0305",
                format!("`**{}:**` is empty", label.name()),
            )
            .with_hint(hint),
        );
    }

    /// A label that expected a list but got none is an error.
    fn flush_pending(&mut self) {
        if let Some((label, line, got)) = self.pending.take()
            && !got
        {
            self.empty_label(label, line);
        }
    }

    fn push_guidance(&mut self, text: String, line: usize) {
        if text.is_empty() {
            return;
        }
        let target = match self.container {
            Container::Intro => {
                self.intro_line.get_or_insert(line);
                self.intro.push(text);
                return;
            }
            Container::Section(i) => &mut self.sections[i].intro,
            Container::Step(j) => &mut self.steps[j].guidance,
        };
        if !target.is_empty() {
            target.push('\n');
        }
        target.push_str(&text);
    }

    /// Checks what a finished step must have.
    fn finish_step(&mut self) {
        let Container::Step(j) = self.container else {
            return;
        };
        let step = &self.steps[j];
        let (line, id) = (step.line, step.id.clone());
        if self.translation {
            return;
        }
        if step.situations.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    self.rel_path,
                    line,
                    "E0302",
                    format!("step `{id}` has no situations"),
                )
                .with_hint(
                    "add a line `**Situations:** id, id` (ids from playbooks/situations.toml)",
                ),
            );
        }
        if step.gloss.trim().is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    self.rel_path,
                    line,
                    "E0304",
                    format!("step `{id}` has no English gloss"),
                )
                .with_hint("add `**Gloss:** one or two English sentences saying what to do`"),
            );
        }
        if step.guidance.trim().is_empty() {
            self.diagnostics.push(
                Diagnostic::warning(
                    self.rel_path,
                    line,
                    "W0306",
                    format!("step `{id}` has no guidance text"),
                )
                .with_hint("add the source's text for this step under its heading"),
            );
        }
    }
}

/// `**Role:**` with a value that is not a role.
fn unknown_role(rel_path: &str, line: usize, written: &str) -> Diagnostic {
    let names: Vec<&str> = Role::ALL.iter().map(|(_, n)| *n).collect();
    let closest = names
        .iter()
        .find(|n| strsim::levenshtein(n, &written.trim().to_lowercase()) <= 3)
        .map_or_else(String::new, |n| format!("did you mean `{n}`? "));
    Diagnostic::error(rel_path, line, "E0311", format!("unknown role `{written}`")).with_hint(
        format!(
            "{closest}a step's role is one of {} (first-line unless set)",
            names.join(", ")
        ),
    )
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn push_text(block: &mut Block, text: &str) {
    if block.kind == BlockKind::List
        && let Some(item) = block.items.last_mut()
    {
        item.push_str(text);
        return;
    }
    block.text.push_str(text);
}

fn is_comment(html: &str) -> bool {
    let t = html.trim();
    t.is_empty() || (t.starts_with("<!--") && t.ends_with("-->"))
}

/// Removes one pair of matching quotation marks around a phrase.
pub fn strip_quotes(text: &str) -> &str {
    let t = text.trim();
    const PAIRS: [(char, char); 7] = [
        ('"', '"'),
        ('\u{201c}', '\u{201d}'),
        ('\u{201e}', '\u{201c}'),
        ('\u{201e}', '\u{201d}'),
        ('\u{ab}', '\u{bb}'),
        ('\u{201d}', '\u{201d}'),
        ('\'', '\''),
    ];
    for (open, close) in PAIRS {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close))
            && !inner.contains(open)
            && !inner.is_empty()
        {
            return inner.trim();
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const DANISH: &str = r#"+++
id = "da-test"
title = "Vrede klienter"
lang = "da"

[source]
title = "Sådan håndterer du vrede klienter"
file = "003.txt"
+++

Hvis du arbejder i kundeservice, er der tidspunkter, hvor du skal modtage opkald fra vrede klienter.

# Del 3 af 3: Håndtering af vrede klienter

## Trin 2. Påtale klienten, hvis han eller hun er uhøflig over for dig {#reprimand-rude-customer}

**Situations:** abusive-caller, angry-customer

Giv klienten en chance for at udtrykke sine følelser, men irettesæt ham, hvis han råber.

- Du kan sige: "Jeg kan forstå din skuffelse, men jeg bliver nødt til at lægge på, hvis du bliver ved med at tale sådan."

**Say:**
- "Jeg kan forstå din skuffelse, men jeg bliver nødt til at lægge på, hvis du bliver ved med at tale sådan."

**Say (added):**
- Lad os tale roligt sammen.

**Gloss:** Warn a rude customer, and explain that you will hang up if it goes on.

**Escalate when:** the customer keeps shouting after one warning.
"#;

    #[test]
    fn the_introduction_is_a_step_search_finds_with_how_agents_ask_for_it() {
        let text = DANISH.replace(
            "fra vrede klienter.\n",
            "fra vrede klienter.\n\n**Agents ask:**\n- hvornår må jeg lægge på\n- er kunden altid i sin gode ret\n",
        );
        let parsed = parse_playbook(text.as_bytes(), "playbooks/da/test.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let pb = parsed.playbook.unwrap();
        let intro = pb.introduction.as_ref().unwrap();
        assert_eq!(intro.id, INTRODUCTION_ID);
        assert_eq!(intro.title, "Indledning");
        assert_eq!(intro.role, Role::Background);
        assert_eq!(intro.line, 11);
        assert!(intro.guidance.starts_with("Hvis du arbejder"));
        assert!(!intro.guidance.contains("lægge på"), "{}", intro.guidance);
        assert_eq!(
            intro.asks,
            ["hvornår må jeg lægge på", "er kunden altid i sin gode ret"]
        );
        // Not one of the source's steps, but found by id, and searched first.
        assert_eq!(pb.steps.len(), 1);
        assert_eq!(pb.step(INTRODUCTION_ID), Some(intro));
        let ids: Vec<&str> = pb.searchable_steps().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, [INTRODUCTION_ID, "reprimand-rude-customer"]);
    }

    #[test]
    fn a_playbook_without_an_introduction_has_none() {
        let text = DANISH.replace(
            "Hvis du arbejder i kundeservice, er der tidspunkter, hvor du skal modtage opkald fra vrede klienter.\n",
            "",
        );
        let pb = parse_playbook(text.as_bytes(), "playbooks/th/x.md")
            .playbook
            .unwrap();
        assert_eq!(pb.introduction, None);
        let thai = "+++\nid = \"th-x\"\ntitle = \"t\"\nlang = \"th\"\n[source]\ntitle = \"s\"\n+++\n\nลูกค้าไม่ได้ถูกเสมอไป\n";
        let pb = parse_playbook(thai.as_bytes(), "playbooks/th/x.md")
            .playbook
            .unwrap();
        assert_eq!(pb.introduction.unwrap().title, "บทนำ");
    }

    #[test]
    fn a_paragraph_that_begins_with_an_escaped_hyphen_is_no_list_item() {
        let step = |text: &str| {
            let pb = parse_playbook(text.as_bytes(), "playbooks/da/test.md")
                .playbook
                .unwrap();
            pb.steps[0].clone()
        };
        let plain = step(DANISH);
        assert_eq!(plain.list_items, 1);
        let text = DANISH.replace(
            "irettesæt ham",
            "irettesæt ham\n\n\\- ikke en liste, men en tankestreg\n\n",
        );
        let with_dash = step(&text);
        assert!(with_dash.guidance.contains("- ikke en liste"));
        assert_eq!(with_dash.list_items, plain.list_items);
        let text = DANISH.replace(
            "irettesæt ham",
            "irettesæt ham\n\n- en rigtig liste\n- med to punkter\n\n",
        );
        assert_eq!(step(&text).list_items, plain.list_items + 2);
    }

    #[test]
    fn parses_a_danish_step_with_phrases_and_section() {
        let parsed = parse_playbook(DANISH.as_bytes(), "playbooks/da/test.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let pb = parsed.playbook.unwrap();
        assert_eq!(pb.id, "da-test");
        assert_eq!(pb.lang, Lang::Da);
        assert!(pb.intro.starts_with("Hvis du arbejder"));
        assert_eq!(
            pb.sections[0].title,
            "Del 3 af 3: Håndtering af vrede klienter"
        );
        let step = &pb.steps[0];
        assert_eq!(step.id, "reprimand-rude-customer");
        assert_eq!(step.line, 15);
        assert_eq!(
            pb.section_title(step),
            Some("Del 3 af 3: Håndtering af vrede klienter")
        );
        assert_eq!(step.situations, ["abusive-caller", "angry-customer"]);
        assert_eq!(step.phrases.len(), 2);
        assert!(
            step.phrases[0]
                .text
                .starts_with("Jeg kan forstå din skuffelse")
        );
        assert!(!step.phrases[0].added);
        assert!(step.phrases[1].added);
        assert!(step.guidance.contains("irettesæt ham"));
        assert!(step.guidance.contains("- Du kan sige"));
        assert!(step.gloss.starts_with("Warn a rude customer"));
        assert_eq!(step.escalate_when.len(), 1);
        assert_eq!(parsed.situation_lines, [17]);
    }

    #[test]
    fn invisible_characters_are_reported_where_they_are() {
        let text = "+++\nid = \"da-x\"\ntitle = \"X\"\nlang = \"da\"\n\n[source]\ntitle = \"X\"\n+++\n\n\
                    ## Læg på\u{202E} {#a}\n\n**Situations:** abusive-caller\n\n\
                    Sig \u{1b}[2Jfarvel og ven\u{200B}ligt.\n\n\
                    مشتری\u{200C}ها\n\n**Gloss:** Hang up.\n";
        let parsed = parse_playbook(text.as_bytes(), "playbooks/da/x.md");
        let found: Vec<(&str, usize)> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == "W0009")
            .map(|d| (d.message.as_str(), d.line))
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].0.contains("bidi") && found[0].1 == 10, "{found:?}");
        assert!(
            found[1].0.contains("control") && found[1].1 == 14,
            "{found:?}"
        );
        assert!(
            found[2].0.contains("zero-width") && found[2].1 == 14,
            "{found:?}"
        );
    }

    #[test]
    fn crlf_and_bom_parse_like_plain_text() {
        let crlf = format!("\u{feff}{}", DANISH.replace('\n', "\r\n"));
        let parsed = parse_playbook(crlf.as_bytes(), "playbooks/da/test.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.playbook.unwrap().steps[0].line, 15);
    }

    fn codes(text: &str) -> Vec<(&'static str, usize)> {
        parse_playbook(text.as_bytes(), "playbooks/da/x.md")
            .diagnostics
            .iter()
            .map(|d| (d.code, d.line))
            .collect()
    }

    #[test]
    fn a_step_role_is_read_checked_and_kept_to_the_original() {
        let front =
            "+++\nid = \"a\"\ntitle = \"t\"\nlang = \"fa\"\n[source]\ntitle = \"s\"\n+++\n\n";
        let step = |role: &str| {
            format!(
                "{front}## استفاده از راهکارهای حقوقی {{#use-legal-remedies}}\n\n\
                 **Situations:** legal-threat\n\n**Role:** {role}\n\n\
                 با یک وکیل یا مشاور حقوقی مشورت کنید.\n\n**Gloss:** Get legal help.\n"
            )
        };
        let parsed = parse_playbook(step("last-resort").as_bytes(), "playbooks/fa/x.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let steps = parsed.playbook.unwrap().steps;
        assert_eq!(steps[0].role, Role::LastResort);
        assert!(!steps[0].guidance.contains("last-resort"), "not guidance");
        // Spelt loosely, still the role.
        let parsed = parse_playbook(step("Last resort").as_bytes(), "playbooks/fa/x.md");
        assert_eq!(parsed.playbook.unwrap().steps[0].role, Role::LastResort);
        // Not a role: an error at its line, with the closest role.
        let parsed = parse_playbook(step("last-resrt").as_bytes(), "playbooks/fa/x.md");
        let d = &parsed.diagnostics[0];
        assert_eq!((d.code, d.line), ("E0311", 13));
        assert!(
            format!("{d:?}").contains("did you mean `last-resort`"),
            "{d:?}"
        );
        // Twice in a step.
        let twice = step("background").replace(
            "**Role:** background",
            "**Role:** background\n\n**Role:** first-line",
        );
        assert!(
            codes(&twice).contains(&("E0307", 15)),
            "{:?}",
            codes(&twice)
        );
        // A translation takes it from the original.
        let translated = "+++\ntranslation_of = \"fa-x\"\nlang = \"da\"\ntitle = \"t\"\n+++\n\n\
                          ## Juridisk hjælp {#use-legal-remedies}\n\n**Role:** last-resort\n\n\
                          Tal med en advokat.\n";
        let found: Vec<_> = parse_playbook(translated.as_bytes(), "playbooks/da/fa-x.md")
            .diagnostics
            .iter()
            .map(|d| (d.code, d.line))
            .collect();
        assert!(found.contains(&("E0309", 9)), "{found:?}");
    }

    #[test]
    fn how_agents_ask_is_read_in_originals_and_translations_and_kept_apart() {
        let original = "+++\nid = \"ro-x\"\ntitle = \"t\"\nlang = \"ro\"\n[source]\ntitle = \"s\"\n+++\n\n\
                        ## Cereți o recenzie {#ask-for-a-review}\n\n**Situations:** follow-up\n\n\
                        Rugați clientul să lase o recenzie.\n\n**Gloss:** Ask for a review.\n\n\
                        **Agents ask:**\n- cum cer o recenzie\n- omu' e mulțumit acu', îi zic să scrie ceva?\n";
        let parsed = parse_playbook(original.as_bytes(), "playbooks/ro/x.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let step = &parsed.playbook.unwrap().steps[0];
        assert_eq!(
            step.asks,
            [
                "cum cer o recenzie",
                "omu' e mulțumit acu', îi zic să scrie ceva?"
            ]
        );
        // Not guidance, and not what a translation must render: the fingerprint ignores it.
        assert!(!step.guidance.contains("recenzie\n"), "{}", step.guidance);
        let without = parse_playbook(
            original.split("**Agents ask:**").next().unwrap().as_bytes(),
            "playbooks/ro/x.md",
        );
        assert_eq!(
            without.playbook.unwrap().steps[0].fingerprint(),
            step.fingerprint()
        );
        // A translation has its own, in its language.
        let translated = "+++\ntranslation_of = \"ro-x\"\nlang = \"th\"\ntitle = \"t\"\n+++\n\n\
                          ## ขอรีวิว {#ask-for-a-review}\n\nขอให้ลูกค้ารีวิว\n\n\
                          **Agents ask:** ขอให้ลูกค้ารีวิวยังไงดีคะ\n";
        let parsed = parse_playbook(translated.as_bytes(), "playbooks/th/ro-x.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(
            parsed.playbook.unwrap().steps[0].asks,
            ["ขอให้ลูกค้ารีวิวยังไงดีคะ"]
        );
        // A near miss of the label is a warning at its line, never silently search text.
        let asks = original.replace("**Agents ask:**", "**Asks:**");
        assert!(codes(&asks).contains(&("W0308", 17)), "{:?}", codes(&asks));
    }

    #[test]
    fn reports_front_matter_problems() {
        assert_eq!(codes("# Title\n"), [("E0101", 1)]);
        assert_eq!(codes("+++\nid = \"a\"\n"), [("E0102", 1)]);
        assert_eq!(codes(""), [("E0003", 1)]);
        let bad_toml = "+++\nid = \"a\"\ntitle = \n+++\n";
        assert_eq!(codes(bad_toml)[0].0, "E0103");
        let unknown_lang =
            "+++\nid = \"a\"\ntitle = \"t\"\nlang = \"de\"\n[source]\ntitle = \"s\"\n+++\n";
        assert_eq!(codes(unknown_lang), [("E0105", 4)]);
    }

    #[test]
    fn reports_invalid_utf8_and_binary_with_line() {
        let mut bytes = b"+++\nid = \"a\"\n".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        let parsed = parse_playbook(&bytes, "p.md");
        assert_eq!(parsed.diagnostics[0].code, "E0002");
        assert_eq!(parsed.diagnostics[0].line, 3);
        let parsed = parse_playbook(b"abc\n\0\0", "p.md");
        assert_eq!(parsed.diagnostics[0].code, "E0004");
    }

    #[test]
    fn reports_every_step_problem_not_just_the_first() {
        let text = "+++\nid = \"a\"\ntitle = \"t\"\nlang = \"da\"\n[source]\ntitle = \"s\"\n+++\n\n## Uden id\n\nTekst.\n\n## Igen {#igen}\n\n**Situations:** angry-customer\n\n**Say:**\n\n**Gloss:** x\n\n## Igen {#igen}\n\n**Situations:** angry-customer\n\nTekst.\n\n**Gloss:** y\n";
        let found = codes(text);
        assert!(found.contains(&("E0201", 9)), "{found:?}");
        assert!(found.contains(&("E0302", 9)), "{found:?}");
        assert!(found.contains(&("E0304", 9)), "{found:?}");
        assert!(found.contains(&("E0305", 17)), "{found:?}");
        assert!(found.contains(&("E0203", 21)), "{found:?}");
    }

    #[test]
    fn label_outside_step_and_misspelt_label() {
        let text = "+++\nid = \"a\"\ntitle = \"t\"\nlang = \"da\"\n[source]\ntitle = \"s\"\n+++\n\n**Gloss:** here\n\n## S {#s}\n\n**Situations:** angry-customer\n\n**Glos:** x\n";
        let found = codes(text);
        assert!(found.contains(&("E0402", 9)), "{found:?}");
        assert!(found.contains(&("W0308", 15)), "{found:?}");
    }

    #[test]
    fn persian_and_thai_steps_keep_their_text() {
        let text = "+++\nid = \"fa-x\"\ntitle = \"مشتری\"\nlang = \"fa\"\n[source]\ntitle = \"s\"\n+++\n\n## آرامش خود را حفظ کنید. {#stay-calm}\n\n**Situations:** angry-customer\n\nحالت تدافعی شما موجب افزایش تنش می شود.\n\n**Say (added):**\n- «متوجه ناراحتی شما هستم.»\n\n**Gloss:** Stay calm.\n";
        let pb = parse_playbook(text.as_bytes(), "playbooks/fa/x.md")
            .playbook
            .unwrap();
        assert_eq!(pb.steps[0].title, "آرامش خود را حفظ کنید.");
        assert_eq!(pb.steps[0].phrases[0].text, "متوجه ناراحتی شما هستم.");
        let th = "+++\nid = \"th-x\"\ntitle = \"t\"\nlang = \"th\"\n[source]\ntitle = \"s\"\n+++\n\n## ฟังอย่างตั้งใจ {#listen}\n\n**Situations:** angry-customer\n\nลูกค้าที่ไม่มีความสุขต้องการให้คุณฟัง\n\n**Gloss:** Listen.\n";
        let parsed = parse_playbook(th.as_bytes(), "playbooks/th/x.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.playbook.unwrap().steps[0].title, "ฟังอย่างตั้งใจ");
    }

    #[test]
    fn an_added_title_names_a_step_that_shares_the_sources_heading() {
        // One Persian heading ("using legal remedies") holds two pieces of advice: the second
        // step keeps the heading, and the editors name it.
        let text = "+++\nid = \"fa-x\"\ntitle = \"مشتری\"\nlang = \"fa\"\n[source]\ntitle = \"s\"\n+++\n\n\
                    ## استفاده از راهکارهای حقوقی {#use-legal-remedies}\n\n**Situations:** legal-threat\n\n\
                    به کمک حقوقی مراجعه کنید.\n\n**Gloss:** Get legal help.\n\n\
                    ## استفاده از راهکارهای حقوقی {#keep-written-records}\n\n\
                    **Title (added):** ارتباط مکتوب و ثبت سوابق\n\n**Situations:** keep-records\n\n\
                    سابقه را ثبت کنید.\n\n**Gloss:** Keep records.\n";
        let parsed = parse_playbook(text.as_bytes(), "playbooks/fa/x.md");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let steps = parsed.playbook.unwrap().steps;
        assert_eq!(steps[0].title, "استفاده از راهکارهای حقوقی");
        assert!(!steps[0].title_added);
        assert_eq!(steps[1].title, "ارتباط مکتوب و ثبت سوابق");
        assert!(steps[1].title_added);
        // The editors' title is what a translation renders: changing it makes them stale.
        let mut renamed = steps[1].clone();
        renamed.title = "ثبت سوابق".into();
        assert_ne!(renamed.fingerprint(), steps[1].fingerprint());
        // A bare "Title" is taken for the label it was probably meant to be.
        let danish = "+++\nid = \"da-x\"\ntitle = \"t\"\nlang = \"da\"\n[source]\ntitle = \"s\"\n+++\n\n\
                      ## Juridisk hjælp {#b}\n\n**Title:** Skriftlig dokumentation\n\n\
                      **Situations:** keep-records\n\nGem alt.\n\n**Gloss:** g\n";
        let parsed = parse_playbook(danish.as_bytes(), "playbooks/da/x.md");
        let hints: Vec<String> = parsed
            .diagnostics
            .iter()
            .filter_map(|d| d.hint.clone())
            .collect();
        assert!(
            hints.iter().any(|h| h.contains("Title (added)")),
            "{:?}",
            parsed.diagnostics
        );
    }

    #[test]
    fn deeply_nested_lists_do_not_crash() {
        let mut text = String::from(
            "+++\nid = \"a\"\ntitle = \"t\"\nlang = \"da\"\n[source]\ntitle = \"s\"\n+++\n\n## S {#s}\n\n**Situations:** angry-customer\n\n**Gloss:** g\n\n",
        );
        for depth in 0..400 {
            text.push_str(&"  ".repeat(depth));
            text.push_str("- x\n");
        }
        let parsed = parse_playbook(text.as_bytes(), "playbooks/da/x.md");
        assert!(parsed.playbook.is_some(), "{:?}", parsed.diagnostics);
    }

    #[test]
    fn strip_quotes_handles_several_styles() {
        assert_eq!(strip_quotes("\"Ja\""), "Ja");
        assert_eq!(strip_quotes("„cum să\u{201c}"), "cum să");
        assert_eq!(strip_quotes("«سلام»"), "سلام");
        assert_eq!(strip_quotes("\"a\" eller \"b\""), "\"a\" eller \"b\"");
    }

    #[test]
    fn slugify_and_ids() {
        assert_eq!(slugify("Trin 1. Reager ikke"), "trin-1-reager-ikke");
        assert!(is_valid_id("stay-calm-2"));
        assert!(!is_valid_id("Stay"));
        assert!(!is_valid_id("a--b"));
    }
}
