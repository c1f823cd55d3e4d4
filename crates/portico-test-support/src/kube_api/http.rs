//! The HTTP side: path routing, list, get, watch streams, writes and
//! `Status` error answers.

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use axum::{
    body::Body,
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri, header};
use serde_json::Value;

use super::{
    discovery,
    patch::merge_patch,
    resources::{ResourceType, Resources},
    selector::Selector,
    status::ApiError,
    store::{ListQuery, Store, WatchStart, WatchStarted, metadata_mut},
    watch::event_line,
};

/// How long a watch stays open when the client sets no `timeoutSeconds`.
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

/// The store, shared by the handle and the server.
#[derive(Debug, Default)]
pub(super) struct Shared {
    store: Mutex<Store>,
}

/// What a request names.
#[derive(Debug)]
enum Route {
    Version,
    CoreVersions,
    Groups,
    GroupVersion { group: String, version: String },
    Resource(Target),
}

/// A resource path: a collection, or one object or its status.
#[derive(Debug)]
struct Target {
    res: ResourceType,
    namespace: Option<String>,
    name: Option<String>,
    status: bool,
}

/// A request's answer, built under the store lock and sent after it.
enum Outcome {
    Json(StatusCode, Value),
    Watch(WatchStarted, Duration),
}

/// Unregisters its watch when the response body is dropped.
struct WatchGuard {
    shared: Arc<Shared>,
    id: u64,
}

// === impl Shared ===

impl Shared {
    /// The store, locked (a poisoned lock is taken over: the store is
    /// always left consistent).
    pub(super) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The fake API server's routes.
pub(super) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = {
        let mut store = shared.lock();
        store.last_authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        serve(&mut store, &method, &uri, &headers, &body)
    };
    match outcome {
        Ok(Outcome::Json(status, value)) => (status, axum::Json(value)).into_response(),
        Ok(Outcome::Watch(started, timeout)) => watch_response(shared, started, timeout),
        Err(err) if err.code == 410 && is_watch(&uri) => {
            // A real API server answers a too old watch with 200 and an ERROR event.
            json_stream(Body::from(event_line("ERROR", &err.to_status())))
        }
        Err(err) => error_response(&err),
    }
}

fn serve(
    store: &mut Store,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Outcome, ApiError> {
    let route = parse_path(uri.path(), &store.resources)?;
    let ok = |value| Ok(Outcome::Json(StatusCode::OK, value));
    let target = match route {
        Route::Version => return ok(discovery::version()),
        Route::CoreVersions => return ok(discovery::core_versions()),
        Route::Groups => return ok(discovery::groups(&store.resources)),
        Route::GroupVersion { group, version } => {
            return discovery::resource_list(&store.resources, &group, &version)
                .map_or_else(|| Err(ApiError::no_resource(uri.path())), ok);
        }
        Route::Resource(target) => target,
    };
    let params = Query::<HashMap<String, String>>::try_from_uri(uri)
        .map_err(|e| ApiError::bad_request(format!("invalid query {:?}: {e}", uri.query())))?
        .0;
    let res = &target.res;
    match (method, target.name.as_deref()) {
        (&Method::GET, None) if is_watch(uri) => {
            let query = list_query(&target, &params)?;
            let bookmarks = flag(&params, "allowWatchBookmarks");
            let start = if flag(&params, "sendInitialEvents") {
                WatchStart::Now {
                    initial_end: bookmarks,
                }
            } else {
                match params.get("resourceVersion").map(String::as_str) {
                    None | Some("" | "0") => WatchStart::Now { initial_end: false },
                    Some(rv) => WatchStart::After(rv.parse().map_err(|_| {
                        ApiError::bad_request(format!("invalid resourceVersion {rv:?}"))
                    })?),
                }
            };
            let timeout = match params.get("timeoutSeconds") {
                Some(secs) => Duration::from_secs(secs.parse().map_err(|_| {
                    ApiError::bad_request(format!("invalid timeoutSeconds {secs:?}"))
                })?),
                None => DEFAULT_WATCH_TIMEOUT,
            };
            let started = store.watch(res, &query, start, bookmarks)?;
            Ok(Outcome::Watch(started, timeout))
        }
        (&Method::GET, None) => ok(store.list(res, &list_query(&target, &params)?)?),
        (&Method::GET, Some(name)) => store
            .get(res, target.namespace.as_deref(), name)
            .cloned()
            .map_or_else(|| Err(ApiError::not_found(res, name)), ok),
        (&Method::POST, None) => {
            let object = create(store, &target, parse_json(body)?)?;
            Ok(Outcome::Json(StatusCode::CREATED, object))
        }
        (&Method::PUT, Some(name)) => ok(replace(store, &target, name, parse_json(body)?)?),
        (&Method::PATCH, Some(name)) => ok(patch(store, &target, name, headers, body)?),
        (&Method::DELETE, Some(name)) => store
            .delete(res, target.namespace.as_deref(), name)
            .map_or_else(|| Err(ApiError::not_found(res, name)), ok),
        _ => Err(ApiError::method_not_allowed(method.as_str())),
    }
}

/// Maps a request path to what it names.
fn parse_path(path: &str, resources: &Resources) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let not_found = || ApiError::no_resource(path);
    let (group, version, rest) = match segments.as_slice() {
        ["version"] => return Ok(Route::Version),
        ["api"] => return Ok(Route::CoreVersions),
        ["apis"] => return Ok(Route::Groups),
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Err(not_found()),
    };
    let is_namespace_subresource = group.is_empty() && rest.len() == 3 && rest[2] == "status";
    let (namespace, rest) = match rest {
        [] => {
            return Ok(Route::GroupVersion {
                group: group.to_owned(),
                version: version.to_owned(),
            });
        }
        ["namespaces", namespace, rest @ ..] if !rest.is_empty() && !is_namespace_subresource => {
            (Some((*namespace).to_owned()), rest)
        }
        rest => (None, rest),
    };
    let (plural, name, status) = match rest {
        [plural] => (*plural, None, false),
        [plural, name] => (*plural, Some(*name), false),
        [plural, name, "status"] => (*plural, Some(*name), true),
        _ => return Err(not_found()),
    };
    let res = resources
        .by_plural(group, version, plural)
        .ok_or_else(not_found)?;
    let scope_ok = match (&namespace, name) {
        (Some(_), _) => res.namespaced,
        (None, Some(_)) => !res.namespaced,
        (None, None) => true,
    };
    if !scope_ok || name.is_some_and(str::is_empty) {
        return Err(not_found());
    }
    Ok(Route::Resource(Target {
        res: res.clone(),
        namespace,
        name: name.map(str::to_owned),
        status,
    }))
}

fn is_watch(uri: &Uri) -> bool {
    uri.query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair == "watch=true" || pair == "watch=1")
    })
}

fn flag(params: &HashMap<String, String>, name: &str) -> bool {
    params.get(name).is_some_and(|v| v == "true" || v == "1")
}

fn list_query(target: &Target, params: &HashMap<String, String>) -> Result<ListQuery, ApiError> {
    let selector = |name| {
        Selector::parse(params.get(name).map_or("", String::as_str))
            .map_err(|e| ApiError::bad_request(e.to_string()))
    };
    let limit = match params.get("limit") {
        Some(limit) => Some(
            limit
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid limit {limit:?}")))?,
        ),
        None => None,
    };
    Ok(ListQuery {
        namespace: target.namespace.clone(),
        labels: selector("labelSelector")?,
        fields: selector("fieldSelector")?,
        limit,
        continue_token: params.get("continue").filter(|c| !c.is_empty()).cloned(),
    })
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

/// Checks the body against the path: same namespace (filled in when
/// absent) and, for writes to one object, the same name.
fn place(target: &Target, object: &mut Value, name: Option<&str>) -> Result<(), ApiError> {
    if !object.is_object() {
        return Err(ApiError::bad_request(format!(
            "object is not a JSON object: {object}"
        )));
    }
    let meta = metadata_mut(object);
    if let Some(path_ns) = &target.namespace {
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != path_ns => {
                return Err(ApiError::bad_request(format!(
                    "the namespace of the object ({ns:?}) does not match the namespace on the request ({path_ns:?})"
                )));
            }
            _ => {
                meta.insert("namespace".to_owned(), Value::from(path_ns.as_str()));
            }
        }
    }
    if let Some(name) = name {
        match meta.get("name").and_then(Value::as_str) {
            Some(body_name) if body_name != name => {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({body_name:?}) does not match the name on the request ({name:?})"
                )));
            }
            _ => {
                meta.insert("name".to_owned(), Value::from(name));
            }
        }
    }
    Ok(())
}

/// 409 when the body carries a `resourceVersion` other than the stored one.
fn check_version(
    res: &ResourceType,
    name: &str,
    body: &Value,
    stored: &Value,
) -> Result<(), ApiError> {
    match body["metadata"]["resourceVersion"].as_str() {
        Some(rv)
            if !rv.is_empty() && Some(rv) != stored["metadata"]["resourceVersion"].as_str() =>
        {
            Err(ApiError::conflict(res, name))
        }
        _ => Ok(()),
    }
}

fn create(store: &mut Store, target: &Target, mut object: Value) -> Result<Value, ApiError> {
    place(target, &mut object, None)?;
    let meta = metadata_mut(&mut object);
    if meta
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(prefix) = meta.get("generateName").and_then(Value::as_str)
    {
        let name = format!("{prefix}{:05x}", store.rv() + 1);
        meta.insert("name".to_owned(), Value::from(name));
    }
    let name = meta
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if store
        .get(&target.res, target.namespace.as_deref(), &name)
        .is_some()
    {
        return Err(ApiError::already_exists(&target.res, &name));
    }
    store.commit(&target.res, object)
}

fn replace(
    store: &mut Store,
    target: &Target,
    name: &str,
    mut body: Value,
) -> Result<Value, ApiError> {
    let res = &target.res;
    place(target, &mut body, Some(name))?;
    let stored = store
        .get(res, target.namespace.as_deref(), name)
        .ok_or_else(|| ApiError::not_found(res, name))?;
    check_version(res, name, &body, stored)?;
    let new = if target.status {
        with_status(stored.clone(), &body)
    } else {
        with_status(body, stored)
    };
    store.commit(res, new)
}

fn patch(
    store: &mut Store,
    target: &Target,
    name: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, ApiError> {
    let res = &target.res;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    let is_apply = media_type == "application/apply-patch+yaml";
    let patch: Value = match media_type {
        "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
            parse_json(body)?
        }
        "application/apply-patch+yaml" => serde_yaml::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid YAML body: {e}")))?,
        _ => return Err(ApiError::unsupported_media_type(content_type)),
    };
    let Some(stored) = store.get(res, target.namespace.as_deref(), name) else {
        // Server-side apply creates what does not exist; other patches do not.
        if is_apply && !target.status {
            let mut object = patch;
            place(target, &mut object, Some(name))?;
            return store.commit(res, object);
        }
        return Err(ApiError::not_found(res, name));
    };
    check_version(res, name, &patch, stored)?;
    let mut merged = stored.clone();
    merge_patch(&mut merged, &patch);
    let new = if target.status {
        with_status(stored.clone(), &merged)
    } else {
        // A patch renames or moves nothing.
        let meta = metadata_mut(&mut merged);
        for field in ["name", "namespace"] {
            match stored["metadata"].get(field) {
                Some(value) => meta.insert(field.to_owned(), value.clone()),
                None => meta.remove(field),
            };
        }
        with_status(merged, stored)
    };
    store.commit(res, new)
}

/// `object` with the `status` of `from` (none when `from` has none).
fn with_status(mut object: Value, from: &Value) -> Value {
    if let Some(fields) = object.as_object_mut() {
        match from.get("status") {
            Some(status) => fields.insert("status".to_owned(), status.clone()),
            None => fields.remove("status"),
        };
    }
    object
}

fn error_response(err: &ApiError) -> Response {
    let status = StatusCode::from_u16(err.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(err.to_status())).into_response()
}

fn json_stream(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The replayed lines, then live lines until the timeout, the client goes
/// away, or the store closes the watch.
fn watch_response(shared: Arc<Shared>, started: WatchStarted, timeout: Duration) -> Response {
    let deadline = tokio::time::Instant::now() + timeout;
    let guard = WatchGuard {
        shared,
        id: started.id,
    };
    let replay = futures_util::stream::iter(started.replay.into_iter().map(Ok::<_, Infallible>));
    let live =
        futures_util::stream::unfold((started.live, guard), move |(mut live, guard)| async move {
            let line = tokio::time::timeout_at(deadline, live.recv())
                .await
                .ok()??;
            Some((Ok(line), (live, guard)))
        });
    json_stream(Body::from_stream(futures_util::StreamExt::chain(
        replay, live,
    )))
}

// === impl WatchGuard ===

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.shared.lock().watchers.remove(self.id);
    }
}

#[cfg(test)]
mod tests;
