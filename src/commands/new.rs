//! `playbook new`: a new playbook from the template.

use super::{Common, Outcome, io_err, repo};
use crate::corpus::load_corpus;
use crate::engine::required_taxonomy;
use crate::error::{Error, Result};
use crate::model::Lang;
use std::io::Write;

/// `playbook new`: a new playbook from the template.
#[derive(Debug, Clone)]
pub struct NewConfig {
    pub common: Common,
    pub lang: Lang,
    pub id: String,
    /// The title; by default made from the id.
    pub title: Option<String>,
}

/// Writes `playbooks/LANG/ID.md` from the template, tagged with situations of this taxonomy.
pub(super) fn run(config: &NewConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    use crate::scaffold::{Template, render, title_from_id};
    let id = config.id.as_str();
    if !crate::parser::is_valid_id(id) {
        return Err(Error::Usage(format!(
            "invalid playbook id `{id}`: use lowercase letters, digits and single dashes, e.g. `{}`",
            crate::parser::slugify(id)
        )));
    }
    let repo = repo(&config.common)?;
    let lang = config.lang;
    let rel = format!("playbooks/{lang}/{id}.md");
    let path = repo.root.join(&rel);
    if path.exists() {
        return Err(Error::Usage(format!(
            "{rel} already exists: edit it, or choose another id"
        )));
    }
    let taxonomy = required_taxonomy(&repo)?;
    let corpus = load_corpus(&repo);
    if let Some(other) = corpus.playbooks.iter().find(|p| p.id == id) {
        return Err(Error::Usage(format!(
            "the id `{id}` is already used by {}: every playbook needs its own id",
            other.path
        )));
    }
    let first = |headline: bool| {
        taxonomy
            .situations
            .iter()
            .find(|s| s.headline == headline)
            .or_else(|| taxonomy.situations.first())
            .map(|s| s.id.as_str())
    };
    let (Some(situation), Some(headline_situation)) = (first(false), first(true)) else {
        return Err(Error::Usage(format!(
            "{} has no situations: add some before writing playbooks",
            repo.rel(&repo.situations_path())
        )));
    };
    let title = config.title.clone().unwrap_or_else(|| title_from_id(id));
    let text = render(&Template {
        id,
        title: title.trim(),
        lang,
        situation,
        headline_situation,
    });
    let dir = path.parent().unwrap_or(&repo.root);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    writeln!(out, "{rel}").map_err(io_err)?;
    writeln!(
        err,
        "wrote {rel} from the template: replace its placeholders, then run `playbook check`"
    )
    .map_err(io_err)?;
    Ok(Outcome::Success)
}
