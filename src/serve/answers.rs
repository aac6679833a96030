//! Recent answers of one engine, kept so that a floor of agents typing the same words does
//! not search (and serialise) the same prefixes again and again.
//!
//! A cache lives in a [`Snapshot`](super::Snapshot), beside the engine that computed its
//! answers: a refreshed engine comes with an empty cache, so no answer outlives the
//! playbooks it was computed from.

use crate::search::SearchRequest;
use crate::tuning::SERVE_ANSWERS_KEPT;
use axum::body::Bytes;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// Which body an answer is: the same search answers two endpoints differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `search --json`'s.
    Search,
    /// The page's [`ResultsView`](crate::render::ResultsView).
    Views,
}

/// The most recently used answers, each a response body ready to send.
pub struct Answers {
    kept: Mutex<LruCache<(Body, SearchRequest), Bytes>>,
}

impl Default for Answers {
    fn default() -> Self {
        Self::with_capacity(SERVE_ANSWERS_KEPT)
    }
}

impl Answers {
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Answers {
            kept: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// The answer kept for `request`, if any (it becomes the most recently used).
    pub fn get(&self, body: Body, request: &SearchRequest) -> Option<Bytes> {
        // The key is built to look it up: a request is a short query and a few options.
        let key = (body, request.clone());
        self.lock().get(&key).cloned()
    }

    /// Keeps `answer`, forgetting the least recently used one when full.
    pub fn keep(&self, body: Body, request: SearchRequest, answer: Bytes) {
        self.lock().put((body, request), answer);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<(Body, SearchRequest), Bytes>> {
        // A panic while holding the lock cannot leave the map half updated in a way that
        // matters here: at worst an answer is missing.
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;
    use crate::search::Reading;

    fn request(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            limit: 8,
            ..SearchRequest::default()
        }
    }

    #[test]
    fn an_answer_is_kept_per_request_and_body() {
        let answers = Answers::default();
        answers.keep(
            Body::Views,
            request("vil tale med chefen"),
            Bytes::from("a"),
        );
        assert_eq!(
            answers.get(Body::Views, &request("vil tale med chefen")),
            Some(Bytes::from("a"))
        );
        assert_eq!(
            answers.get(Body::Search, &request("vil tale med chefen")),
            None
        );
        // Another reading language is another answer.
        let in_thai = SearchRequest {
            reading: Reading::In(Lang::Th),
            ..request("vil tale med chefen")
        };
        assert_eq!(answers.get(Body::Views, &in_thai), None);
    }

    #[test]
    fn the_least_recently_used_answer_goes_first() {
        let answers = Answers::with_capacity(2);
        answers.keep(Body::Views, request("مشتری سمی"), Bytes::from("fa"));
        answers.keep(Body::Views, request("ลูกค้าโกรธ"), Bytes::from("th"));
        assert!(answers.get(Body::Views, &request("مشتری سمی")).is_some());
        answers.keep(Body::Views, request("client nemulțumit"), Bytes::from("ro"));
        assert!(answers.get(Body::Views, &request("ลูกค้าโกรธ")).is_none());
        assert!(answers.get(Body::Views, &request("مشتری سمی")).is_some());
    }
}
