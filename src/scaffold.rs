//! `playbook new`: the template a new playbook starts from.
//!
//! The template passes `playbook check` as written: every placeholder is valid content
//! (real situation ids, a gloss, guidance, and phrases for the step tagged with a headline
//! situation), so a trainer can commit early and replace the placeholders step by step.

use crate::model::Lang;
use crate::parser::is_valid_id;

/// What a new playbook is made from.
#[derive(Debug, Clone)]
pub struct Template<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub lang: Lang,
    /// The situation the first placeholder step is tagged with.
    pub situation: &'a str,
    /// The situation of the placeholder step that shows phrases: a headline situation where
    /// the taxonomy has one (steps tagged with those must have phrases).
    pub headline_situation: &'a str,
}

/// A TOML basic string, quoted and escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A default title for a playbook id: its words, the first one capitalised.
pub fn title_from_id(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The Markdown of a new playbook.
///
/// # Panics
///
/// Never for valid input; `id` and the situation ids are expected to be valid ids
/// (see [`is_valid_id`]), which the caller checks.
pub fn render(t: &Template) -> String {
    debug_assert!(is_valid_id(t.id));
    let id = toml_string(t.id);
    let title = toml_string(t.title);
    let lang = t.lang.code();
    let language = t.lang.name();
    let situation = t.situation;
    let headline = t.headline_situation;
    format!(
        r#"+++
id = {id}
title = {title}
lang = "{lang}"
# owner = "team-name"
# reviewed = "YYYY-MM-DD"

[source]
title = {title}
# publisher = "only where the text names one"
# date = "as the article gives it"
# file = "the source file's name"
# url = "https://..."
+++

Replace this paragraph with the article's introduction, word for word. This file was written
by `playbook new` from a template: every section and step below is a placeholder to replace
(docs/playbook-format.md explains each part). Run `playbook check` after each edit.

# Replace with the title of the article's first part

## Replace with the title of a step {{#first-step}}

**Situations:** {situation}

Replace this paragraph with the source's guidance for this step, in the source's own wording.

- Lists, quotes and deeper headings are kept as guidance too.

**Gloss:** Replace with one or two English sentences saying what this step tells the agent to do.

## Replace with the title of a step that gives the agent words to say {{#second-step}}

**Situations:** {headline}

Replace this paragraph with the source's guidance for this step. Tag each step with the
situations it helps with (ids from playbooks/situations.toml, see `playbook situations`).

**Say:**
- Replace with a phrase quoted word for word from the source, in {language}.

**Say (added):**
- Replace with a phrase written by you, in {language}, following the source's guidance.

**Gloss:** Replace with one or two English sentences saying what this step tells the agent to do.

**Don't say:**
- Replace with what the agent should not say, or delete this block.

**Escalate when:** Replace with when to hand the call over, or delete this line.
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_playbook;

    fn template(lang: Lang, title: &'static str) -> Template<'static> {
        Template {
            id: "da-new-playbook",
            title,
            lang,
            situation: "angry-customer",
            headline_situation: "abusive-caller",
        }
    }

    #[test]
    fn the_template_parses_without_any_diagnostic() {
        for lang in Lang::ALL {
            let text = render(&template(lang, "Sådan håndterer du vrede klienter"));
            let path = format!("playbooks/{lang}/da-new-playbook.md");
            let parsed = parse_playbook(text.as_bytes(), &path);
            assert!(
                parsed.diagnostics.is_empty(),
                "{lang}: {:#?}",
                parsed.diagnostics
            );
            let p = parsed.playbook.expect("a playbook");
            assert_eq!(p.id, "da-new-playbook");
            assert_eq!(p.lang, lang);
            assert_eq!(p.title, "Sådan håndterer du vrede klienter");
            assert_eq!(p.source.title, p.title);
            assert_eq!(p.sections.len(), 1);
            let ids: Vec<&str> = p.steps.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, ["first-step", "second-step"]);
            assert_eq!(p.steps[0].situations, ["angry-customer"]);
            assert_eq!(p.steps[1].situations, ["abusive-caller"]);
            for step in &p.steps {
                assert!(!step.gloss.is_empty() && !step.guidance.is_empty());
            }
            let phrases = &p.steps[1].phrases;
            assert_eq!(phrases.len(), 2);
            assert!(!phrases[0].added && phrases[1].added);
            assert!(phrases[1].text.contains(lang.name()));
            assert_eq!(p.steps[1].dont_say.len(), 1);
            assert_eq!(p.steps[1].escalate_when.len(), 1);
        }
    }

    #[test]
    fn titles_with_quotes_and_backslashes_stay_valid_toml() {
        let text = render(&template(Lang::Ro, r#"Clienți "dificili" \ nemulțumiți"#));
        let parsed = parse_playbook(text.as_bytes(), "playbooks/ro/x.md");
        assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
        assert_eq!(
            parsed.playbook.unwrap().title,
            r#"Clienți "dificili" \ nemulțumiți"#
        );
    }

    #[test]
    fn default_titles_come_from_the_id() {
        assert_eq!(title_from_id("da-returns-desk"), "Da returns desk");
        assert_eq!(title_from_id(""), "");
    }
}
