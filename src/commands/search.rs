//! `playbook search`: open the engine, search, show the answer.

use super::{Common, Outcome, chosen_reading, io_err, print_notices, repo};
use crate::engine::Engine;
use crate::error::Result;
use crate::model::Lang;
use crate::render::{self, Layout};
use crate::search::{Reading, SearchRequest};
use std::io::Write;

#[derive(Debug, Clone)]
pub struct SearchConfig {
    pub common: Common,
    pub json: bool,
    pub layout: Layout,
    pub request: SearchRequest,
}

pub(super) fn run(
    config: &SearchConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let (engine, notices) = Engine::open(&repo)?;
    print_notices(err, &notices)?;
    let mut request = config.request.clone();
    // A broken playbook.toml is reported by the miss log below, once.
    request.reading = match chosen_reading(&config.common, &repo).0 {
        Some(lang) => Reading::In(lang),
        None => Reading::Auto {
            fallback: config.common.locale.unwrap_or(Lang::En),
        },
    };
    let (results, repaired) = engine.search_noting(&request)?;
    print_notices(err, &repaired)?;
    if config.json {
        render::search_json(out, &results).map_err(io_err)?;
    } else {
        let view = engine.view(&results);
        render::search_human(out, &view, config.common.style, config.layout).map_err(io_err)?;
    }
    let outcome = if results.results.is_empty() {
        Outcome::Nothing
    } else {
        Outcome::Success
    };
    crate::misses::log_search(&repo, &config.request, &results, err);
    // The process ends right after a search: freeing the engine's many small allocations
    // one by one would cost more time than the search itself.
    std::mem::forget(engine);
    Ok(outcome)
}
