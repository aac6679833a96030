//! The routes: the embedded page, and the JSON API (the README documents it).
//!
//! - `GET /api/search?q=…&lang=…&situation=…&limit=…`: what `playbook search --json` prints,
//!   written by the same function ([`crate::render::search_json`]).
//! - `GET /api/views?…` (same parameters): the [`ResultsView`](crate::render::ResultsView) the page draws.
//! - `GET /api/step/{playbook}/{step}`: what `playbook show --json PLAYBOOK#STEP` prints.
//! - `GET /api/view/{playbook}/{step}`: that step's [`StepView`].
//!
//! Errors are `{"error": "..."}` with 400 (a bad request) or 404 (no such step or path).

use super::assets::{self, Asset};
use super::guard::{error, guard};
use super::{App, Snapshot};
use crate::model::Lang;
use crate::render::{self, StepView};
use crate::search::{DEFAULT_LIMIT, SearchRequest, SearchResults};
use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// The most results one request may ask for (as `search --limit`).
const MAX_LIMIT: usize = 1000;

/// Every route, behind the guard.
pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for asset in &assets::ASSETS {
        router = router.route(asset.path, get(move || serve_asset(asset)));
    }
    router
        .route("/api/search", get(search))
        .route("/api/views", get(views))
        .route("/api/step/{playbook}/{step}", get(step))
        .route("/api/view/{playbook}/{step}", get(step_view))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard,
        ))
        .with_state(app)
}

async fn serve_asset(asset: &'static Asset) -> Response {
    ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not found")
}

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// `search --json`'s body.
async fn search(State(app): State<Arc<App>>, params: Params) -> Response {
    match run_search(&app, params).await {
        Ok((_, results)) => {
            let mut body = Vec::new();
            match render::search_json(&mut body, &results) {
                Ok(()) => json_bytes(body),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Err(refused) => refused,
    }
}

/// The view the page draws of the same search.
async fn views(State(app): State<Arc<App>>, params: Params) -> Response {
    match run_search(&app, params).await {
        Ok((snapshot, results)) => json(&snapshot.engine.view(&results)),
        Err(refused) => refused,
    }
}

/// Validates the parameters and searches the newest engine on a blocking thread.
async fn run_search(app: &App, params: Params) -> Result<(Arc<Snapshot>, SearchResults), Response> {
    let Query(pairs) = params.map_err(|e| error(StatusCode::BAD_REQUEST, &e.body_text()))?;
    let request = search_request(&pairs).map_err(|m| error(StatusCode::BAD_REQUEST, &m))?;
    let snapshot = app.current();
    let searching = Arc::clone(&snapshot);
    let results = tokio::task::spawn_blocking(move || searching.engine.search(&request))
        .await
        .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    match results {
        Ok(results) => Ok((snapshot, results)),
        // What the engine refuses is the request's fault (an unknown situation).
        Err(e) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("{:#}", anyhow::Error::new(e)),
        )),
    }
}

/// The search a query string asks for: `q` (repeated values are joined with spaces),
/// `lang` and `situation` (repeated or comma-separated), `limit` (1 to 1000), `in` (the
/// reading language; by default the query's own).
pub fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest, String> {
    let mut words = Vec::new();
    let mut request = SearchRequest {
        limit: DEFAULT_LIMIT,
        ..SearchRequest::default()
    };
    for (name, value) in pairs {
        let values = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
        match name.as_str() {
            "q" => words.push(value.as_str()),
            "lang" => {
                for code in values() {
                    let lang = Lang::from_code(code).ok_or_else(|| {
                        format!("unknown language `{code}`: use fa, ro, th or da")
                    })?;
                    request.langs.push(lang);
                }
            }
            "situation" => request.situations.extend(values().map(str::to_string)),
            "in" => {
                let code = value.trim();
                let lang = Lang::from_code(code).ok_or_else(|| {
                    format!("unknown reading language `{code}`: use en, fa, ro, th or da")
                })?;
                request.reading = crate::search::Reading::In(lang);
            }
            "limit" => {
                request.limit = value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| format!("limit must be a number from 1 to {MAX_LIMIT}"))?;
            }
            other => {
                return Err(format!(
                    "unknown parameter `{other}`: use q, lang, situation, limit, in"
                ));
            }
        }
    }
    request.query = words.join(" ");
    if request.query.trim().is_empty() && request.situations.is_empty() {
        return Err(
            "nothing to search for: give q (words or a situation) or situation".to_string(),
        );
    }
    Ok(request)
}

/// `show --json PLAYBOOK#STEP`'s body.
async fn step(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let snapshot = app.current();
    match find_step(&snapshot, path) {
        Ok(record) => {
            // As `show --json` writes it: through a `Value` (keys in order), pretty.
            let mut body = Vec::new();
            // Without `in`, `show` shows the original: so does this.
            let shown = crate::search::Shown::original(record);
            let written = render::step_json(record, &shown)
                .and_then(|value| serde_json::to_writer_pretty(&mut body, &value));
            match written {
                Ok(()) => {
                    body.push(b'\n');
                    json_bytes(body)
                }
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Err(refused) => *refused,
    }
}

/// The step's view, as the page draws it.
async fn step_view(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let snapshot = app.current();
    match find_step(&snapshot, path) {
        Ok(record) => json(&StepView::of(record, Some(snapshot.engine.taxonomy()))),
        Err(refused) => *refused,
    }
}

fn find_step(
    snapshot: &Snapshot,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<&crate::index::StepRecord, Box<Response>> {
    let Path((playbook, step)) =
        path.map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, &e.body_text())))?;
    snapshot
        .steps
        .get(&format!("{playbook}#{step}"))
        .ok_or_else(|| {
            let known = snapshot
                .steps
                .keys()
                .any(|id| id.split_once('#').is_some_and(|(p, _)| p == playbook));
            let what = if known {
                format!("step `{step}` in playbook `{playbook}` not found")
            } else {
                format!("playbook `{playbook}` not found")
            };
            Box::new(error(StatusCode::NOT_FOUND, &what))
        })
}

fn json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(body),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn json_bytes(body: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}
