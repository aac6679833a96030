//! The routes: the embedded page, and the JSON API (the README documents it).
//!
//! - `GET /api/search?q=…&lang=…&situation=…&limit=…`: what `playbook search --json` prints,
//!   written by the same function ([`crate::render::search_json`]).
//! - `GET /api/views?…` (same parameters): the [`ResultsView`](crate::render::ResultsView) the page draws.
//! - `GET /api/step/{playbook}/{step}[?in=L]`: what `playbook show --json PLAYBOOK#STEP [--in L]`
//!   prints.
//! - `GET /api/view/{playbook}/{step}[?in=L]`: that step's [`StepView`] in the reading language.
//!
//! Errors are `{"error": "..."}` with 400 (a bad request) or 404 (no such step or path).

use super::answers::Body;
use super::assets::{self, Asset};
use super::guard::{error, guard};
use super::{App, Snapshot};
use crate::model::Lang;
use crate::render::{self, StepView};
use crate::search::{DEFAULT_LIMIT, Hit, SearchRequest};
use axum::Router;
use axum::body::Bytes;
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
    answer(&app, params, Body::Search).await
}

/// The view the page draws of the same search.
async fn views(State(app): State<Arc<App>>, params: Params) -> Response {
    answer(&app, params, Body::Views).await
}

/// Validates the parameters, then answers from the newest engine's recent answers, or
/// searches it on this thread (see the module comment) and keeps the answer.
async fn answer(app: &App, params: Params, body: Body) -> Response {
    let request = match params {
        Ok(Query(pairs)) => search_request(&pairs),
        Err(rejected) => return error(StatusCode::BAD_REQUEST, &rejected.body_text()),
    };
    let request = match request {
        Ok(request) => request,
        Err(refused) => return error(StatusCode::BAD_REQUEST, &refused.to_string()),
    };
    let snapshot = app.current();
    if let Some(kept) = snapshot.answers.get(body, &request) {
        return json_bytes(kept);
    }
    // Searched right here, on the runtime's thread: see `serve`'s module comment.
    let computed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compute(&snapshot, &request, body)
    }));
    match computed {
        Ok(Ok(bytes)) => {
            snapshot.answers.keep(body, request, bytes.clone());
            json_bytes(bytes)
        }
        Ok(Err(unanswered)) => unanswered.response(),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the search failed unexpectedly; try again",
        ),
    }
}

/// Why a search computed no body.
enum Unanswered {
    /// The engine refused the request (an unknown situation): the request's fault.
    Refused(String),
    /// The body could not be written.
    Failed(String),
}

impl Unanswered {
    fn response(self) -> Response {
        match self {
            Unanswered::Refused(why) => error(StatusCode::BAD_REQUEST, &why),
            Unanswered::Failed(why) => error(StatusCode::INTERNAL_SERVER_ERROR, &why),
        }
    }
}

/// Searches and writes the body (both are CPU work: both stay off the async threads).
fn compute(snapshot: &Snapshot, request: &SearchRequest, body: Body) -> Result<Bytes, Unanswered> {
    let results = snapshot
        .engine
        .search(request)
        .map_err(|e| Unanswered::Refused(format!("{:#}", anyhow::Error::new(e))))?;
    let mut bytes = Vec::new();
    match body {
        Body::Search => render::search_json(&mut bytes, &results).map_err(|e| e.to_string()),
        Body::Views => serde_json::to_writer(&mut bytes, &snapshot.engine.view(&results))
            .map_err(|e| e.to_string()),
    }
    .map_err(Unanswered::Failed)?;
    Ok(Bytes::from(bytes))
}

/// A query string the API cannot answer, and what to send instead.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamError {
    #[error("unknown language `{0}`: use fa, ro, th or da")]
    Lang(String),
    #[error("unknown reading language `{0}`: use en, fa, ro, th or da")]
    Reading(String),
    #[error("limit must be a number from 1 to {MAX_LIMIT}")]
    Limit,
    #[error("unknown parameter `{0}`: use {1}")]
    Unknown(String, &'static str),
    #[error("nothing to search for: give q (words or a situation) or situation")]
    Empty,
}

/// The search a query string asks for: `q` (repeated values are joined with spaces),
/// `lang` and `situation` (repeated or comma-separated), `limit` (1 to 1000), `in` (the
/// reading language; by default the query's own).
pub fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest, ParamError> {
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
                    let lang =
                        Lang::from_code(code).ok_or_else(|| ParamError::Lang(code.to_string()))?;
                    request.langs.push(lang);
                }
            }
            "situation" => request.situations.extend(values().map(str::to_string)),
            "in" => request.reading = crate::search::Reading::In(reading_lang(value)?),
            "limit" => {
                request.limit = value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or(ParamError::Limit)?;
            }
            other => {
                return Err(ParamError::Unknown(
                    other.to_string(),
                    "q, lang, situation, limit, in",
                ));
            }
        }
    }
    request.query = words.join(" ");
    if request.query.trim().is_empty() && request.situations.is_empty() {
        return Err(ParamError::Empty);
    }
    Ok(request)
}

/// The language of an `in` parameter.
fn reading_lang(value: &str) -> Result<Lang, ParamError> {
    let code = value.trim();
    Lang::from_code(code).ok_or_else(|| ParamError::Reading(code.to_string()))
}

/// The reading language a step endpoint's query string asks for (`in`; none: the original).
fn step_reading(params: StepParams) -> Result<Option<Lang>, Box<Response>> {
    let refuse = |message: &str| Box::new(error(StatusCode::BAD_REQUEST, message));
    let Query(pairs) = params.map_err(|e| refuse(&e.body_text()))?;
    let mut reading = None;
    for (name, value) in &pairs {
        match name.as_str() {
            "in" => reading = Some(reading_lang(value).map_err(|e| refuse(&e.to_string()))?),
            other => {
                return Err(refuse(
                    &ParamError::Unknown(other.to_string(), "in").to_string(),
                ));
            }
        }
    }
    Ok(reading)
}

type StepParams = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// `show --json PLAYBOOK#STEP [--in L]`'s body.
async fn step(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: StepParams,
) -> Response {
    let snapshot = app.current();
    let found = find_step(&snapshot, path).and_then(|hit| Ok((hit, step_reading(params)?)));
    match found {
        Ok((hit, reading)) => {
            // As `show --json` writes it: through a `Value` (keys in order), pretty.
            let mut body = Vec::new();
            // Without `in`, `show` shows the original: so does this.
            let shown = hit.shown_in(reading.unwrap_or(hit.record().lang));
            let written = render::step_json(hit.record(), &shown)
                .and_then(|value| serde_json::to_writer_pretty(&mut body, &value));
            match written {
                Ok(()) => {
                    body.push(b'\n');
                    json_bytes(body.into())
                }
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Err(refused) => *refused,
    }
}

/// The step's view, as the page draws it, in the reading language `in` (else the original).
async fn step_view(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: StepParams,
) -> Response {
    let snapshot = app.current();
    let found = find_step(&snapshot, path).and_then(|hit| Ok((hit, step_reading(params)?)));
    match found {
        Ok((hit, reading)) => {
            let reading = reading.unwrap_or(hit.record().lang);
            json(&StepView::of_hit(
                &hit,
                reading,
                Some(snapshot.engine.taxonomy()),
            ))
        }
        Err(refused) => *refused,
    }
}

/// The step a path names, with its translations, from the snapshot's index.
fn find_step(
    snapshot: &Snapshot,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Hit, Box<Response>> {
    let Path((playbook, step)) =
        path.map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, &e.body_text())))?;
    let steps = snapshot.engine.playbook_steps(&playbook).map_err(|e| {
        Box::new(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("{:#}", anyhow::Error::new(e)),
        ))
    })?;
    if steps.is_empty() {
        return Err(Box::new(error(
            StatusCode::NOT_FOUND,
            &format!("playbook `{playbook}` not found"),
        )));
    }
    steps
        .into_iter()
        .find(|hit| hit.record().step == step)
        .ok_or_else(|| {
            Box::new(error(
                StatusCode::NOT_FOUND,
                &format!("step `{step}` in playbook `{playbook}` not found"),
            ))
        })
}

fn json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(body.into()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn json_bytes(body: Bytes) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}
