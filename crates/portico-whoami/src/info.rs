//! `/` (and every unlisted path) and `/api`: what the server saw, as text or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::{
    Json,
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::{MAX_DUMP_BODY, Whoami, params::ParamError, params::Params};

/// The `/api` answer; field names as in whoami.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ApiInfo<'a> {
    hostname: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ip: Vec<String>,
    headers: BTreeMap<String, Vec<String>>,
    url: &'a str,
    host: &'a str,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_addr: Option<String>,
}

/// `GET /`: the whoami text dump, after `?wait=` (or `?delay=`).
pub(crate) async fn dump(
    State(whoami): State<Whoami>,
    request: Request,
) -> Result<Response, ParamError> {
    let (parts, body) = request.into_parts();
    wait(&parts).await?;
    let body = axum::body::to_bytes(body, MAX_DUMP_BODY)
        .await
        .map_err(|_| ParamError::BodyTooLarge(MAX_DUMP_BODY))?;

    let mut text = String::new();
    if let Some(name) = whoami.name() {
        let _ = writeln!(text, "Name: {name}");
    }
    let _ = writeln!(text, "Hostname: {}", whoami.hostname());
    for ip in local_ips() {
        let _ = writeln!(text, "IP: {ip}");
    }
    if let Some(peer) = remote_addr(&parts) {
        let _ = writeln!(text, "RemoteAddr: {peer}");
    }
    let _ = write!(
        text,
        "{} {} {:?}\r\n",
        parts.method,
        target(&parts),
        parts.version
    );
    let _ = write!(text, "Host: {}\r\n", host(&parts));
    for (name, value) in parts.headers.iter().filter(|(n, _)| **n != header::HOST) {
        let _ = write!(
            text,
            "{}: {}\r\n",
            canonical(name.as_str()),
            String::from_utf8_lossy(value.as_bytes())
        );
    }
    text.push_str("\r\n");
    text.push_str(&String::from_utf8_lossy(&body));

    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(text),
    )
        .into_response())
}

/// `GET /api`: the same information as JSON, with permissive CORS headers as in whoami.
pub(crate) async fn api(
    State(whoami): State<Whoami>,
    request: Request,
) -> Result<Response, ParamError> {
    let (parts, _body) = request.into_parts();
    wait(&parts).await?;
    let info = ApiInfo {
        hostname: whoami.hostname(),
        ip: local_ips(),
        headers: header_map(&parts.headers),
        url: target(&parts),
        host: &host(&parts),
        method: parts.method.as_str(),
        name: whoami.name(),
        remote_addr: remote_addr(&parts).map(|peer| peer.to_string()),
    };
    let mut response = Json(info).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

async fn wait(parts: &Parts) -> Result<(), ParamError> {
    if let Some(delay) = Params::from_uri(&parts.uri)?.wait()? {
        tokio::time::sleep(delay).await;
    }
    Ok(())
}

/// The request target as sent: path and query.
fn target(parts: &Parts) -> &str {
    parts
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str())
}

/// The `Host` header, or the URI authority (HTTP/2 `:authority`).
fn host(parts: &Parts) -> String {
    match parts.headers.get(header::HOST) {
        Some(host) => String::from_utf8_lossy(host.as_bytes()).into_owned(),
        None => parts
            .uri
            .authority()
            .map(|authority| authority.to_string())
            .unwrap_or_default(),
    }
}

fn remote_addr(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
}

/// Headers as whoami's JSON shows them: canonical names, every value, `Host` left out.
fn header_map(headers: &HeaderMap) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::<String, Vec<String>>::new();
    for (name, value) in headers.iter().filter(|(n, _)| **n != header::HOST) {
        map.entry(canonical(name.as_str()))
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    map
}

/// Go's canonical header form: `x-forwarded-for` becomes `X-Forwarded-For`.
pub(crate) fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        upper = c == '-';
    }
    out
}

/// The addresses of the machine's network interfaces, as whoami lists them.
fn local_ips() -> Vec<String> {
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces
            .into_iter()
            .map(|interface| interface.ip().to_string())
            .collect(),
        Err(error) => {
            tracing::debug!(%error, "cannot list network interfaces");
            Vec::new()
        }
    }
}
