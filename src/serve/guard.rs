//! What every request passes before a handler sees it: the Host check (against DNS
//! rebinding), GET/HEAD only, no body, a bounded query string, a concurrency limit and a
//! timeout; and the security headers every response carries.

use super::{App, MAX_QUERY, REQUEST_TIMEOUT};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The page's Content-Security-Policy: its own scripts, styles and API only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The `Host` headers a request may carry: the bound address and the loopback names, with
/// the bound port. A page on another site that rebinds its name to 127.0.0.1 still sends
/// its own name, and is refused.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    port: u16,
    /// The bound address, when it is neither loopback nor unspecified.
    bound: Option<IpAddr>,
    /// Bound to every address (`0.0.0.0`, `::`): any IP literal is the machine's.
    any_ip: bool,
}

impl AllowedHosts {
    pub fn new(local: SocketAddr) -> AllowedHosts {
        let ip = local.ip();
        AllowedHosts {
            port: local.port(),
            bound: (!ip.is_unspecified() && !super::is_loopback(ip)).then_some(ip),
            any_ip: ip.is_unspecified(),
        }
    }

    /// Whether a `Host` header's value names this server.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            // `[::1]:8080`, `localhost:8080`; a bare `::1` has colons but no brackets.
            Some((name, port))
                if !name.is_empty() && (!name.contains(':') || name.ends_with(']')) =>
            {
                match port.parse::<u16>() {
                    Ok(p) => (name, p),
                    Err(_) => return false,
                }
            }
            _ => (host.as_str(), 80),
        };
        if port != self.port {
            return false;
        }
        if name == "localhost" {
            return true;
        }
        let literal = name.trim_start_matches('[').trim_end_matches(']');
        let Ok(ip) = literal.parse::<IpAddr>() else {
            return false;
        };
        // A bracket belongs to IPv6 literals only.
        if name.starts_with('[') != ip.is_ipv6() {
            return false;
        }
        ip == IpAddr::from([127, 0, 0, 1])
            || ip == IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])
            || self.bound == Some(ip)
            || self.any_ip
    }
}

/// The middleware: refuses what should not reach a handler, bounds the rest, and adds the
/// security headers to every response.
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = match refusal(&app, &request) {
        Some(refused) => refused,
        None => match app.limit.try_acquire() {
            Ok(_permit) => run(request, next).await,
            Err(_) => {
                // Full: wait for a turn, within the same time bound.
                match tokio::time::timeout(REQUEST_TIMEOUT, app.limit.acquire()).await {
                    Ok(Ok(_permit)) => run(request, next).await,
                    _ => error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the server is busy; try again",
                    ),
                }
            }
        },
    };
    secure(response.headers_mut());
    response
}

async fn run(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "the request took too long"),
    }
}

/// Why a request is refused before any handler runs, as the response to send.
fn refusal(app: &App, request: &Request) -> Option<Response> {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !host.is_some_and(|h| app.hosts.allows(h)) {
        return Some(error(
            StatusCode::FORBIDDEN,
            "this server answers only requests addressed to it by its own host and port",
        ));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut refused = error(StatusCode::METHOD_NOT_ALLOWED, "only GET is served");
        refused
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(refused);
    }
    let has_body = request.headers().contains_key(header::TRANSFER_ENCODING)
        || request
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|l| l.as_bytes() != b"0");
    if has_body {
        return Some(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "requests carry no body",
        ));
    }
    let too_long = |what: &str| {
        let message = format!("the {what} is too long (at most {MAX_QUERY} bytes)");
        Some(error(StatusCode::URI_TOO_LONG, &message))
    };
    if request.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        return too_long("query");
    }
    if request.uri().path().len() > MAX_QUERY {
        return too_long("address");
    }
    None
}

/// The headers every response carries.
fn secure(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CACHE_CONTROL, "no-store");
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
}

/// An error as the API answers it: `{"error": "..."}`.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_with_the_port_are_allowed() {
        let hosts = AllowedHosts::new("127.0.0.1:8080".parse().unwrap());
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "localhost",
            "10.0.0.2:8080",
            "::1:8080",
            "[127.0.0.1]:8080",
            "",
            "localhost.evil.example:8080",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn a_bound_address_is_allowed_besides_loopback() {
        let hosts = AllowedHosts::new("192.168.1.5:9000".parse().unwrap());
        assert!(hosts.allows("192.168.1.5:9000"));
        assert!(hosts.allows("localhost:9000"));
        assert!(!hosts.allows("192.168.1.6:9000"));
        assert!(!hosts.allows("intranet.example:9000"));
        let every = AllowedHosts::new("0.0.0.0:80".parse().unwrap());
        assert!(every.allows("192.168.1.6"));
        assert!(every.allows("192.168.1.6:80"));
        assert!(!every.allows("rebound.example"));
    }
}
