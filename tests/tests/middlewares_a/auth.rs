//! `basicAuth` (inline users, `usersFile`, every hash kind, realm, header field,
//! header removal) and `digestAuth` (a full challenge and response).

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use md5::{Digest, Md5};
use portico_e2e::whoami::Seen;
use portico_test_support::upstream;

use super::{exchange, routing, start};

/// `test:test` (apr1), `admin:password` (SHA1), `bc:password` (bcrypt).
const USERS: &str = r#"["test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/", "admin:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "bc:$2a$04$UuTkLRZZ6QofpDOlMz32MuuxEHA43WOemOYHPz6.SjsVsyO1tDU96"]"#;

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

#[tokio::test]
async fn basic_auth_accepts_every_hash_kind() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &format!("auth:\n  basicAuth:\n    users: {USERS}"),
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    for (user, password) in [("test", "test"), ("admin", "password"), ("bc", "password")] {
        let auth = basic(user, password);
        let response = exchange(addr, "GET", "/", &[("Authorization", &auth)]).await;
        assert_eq!(response.status, 200, "{user}");
        let s = Seen::parse(&response.text()).expect("dump");
        assert_eq!(
            s.header("authorization"),
            Some(auth.as_str()),
            "kept by default"
        );
    }
    for auth in [
        None,
        Some(basic("test", "nope")),
        Some(basic("ghost", "test")),
    ] {
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let response = exchange(addr, "GET", "/", &headers).await;
        assert_eq!(response.status, 401, "{auth:?}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Basic realm=\"traefik\"")
        );
        assert_eq!(response.text(), "401 Unauthorized\n");
    }
}

#[tokio::test]
async fn basic_auth_realm_header_field_and_remove_header() {
    let backend = upstream::whoami("b").await;
    let middleware = format!(
        "auth:\n  basicAuth:\n    users: {USERS}\n    realm: Admin Area\n    headerField: X-WebAuth-User\n    removeHeader: true"
    );
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middleware,
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let denied = exchange(addr, "GET", "/", &[]).await;
    assert_eq!(
        denied.header("www-authenticate"),
        Some("Basic realm=\"Admin Area\"")
    );
    let response = exchange(
        addr,
        "GET",
        "/",
        &[
            ("Authorization", &basic("test", "test")),
            ("X-WebAuth-User", "spoofed"),
        ],
    )
    .await;
    let s = Seen::parse(&response.text()).expect("dump");
    assert_eq!(s.header("authorization"), None);
    assert_eq!(s.header_all("x-webauth-user"), ["test"]);
}

#[tokio::test]
async fn basic_auth_users_file_merges_with_inline_users() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("users.htpasswd");
    std::fs::write(
        &file,
        "# team\n\n  test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/  \ntest2:$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0\n",
    )
    .expect("write users");
    let backend = upstream::whoami("b").await;
    let middleware = format!(
        "auth:\n  basicAuth:\n    usersFile: \"{}\"\n    users: [\"admin:{{SHA}}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\"]",
        file.display()
    );
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middleware,
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    for (user, password) in [("test", "test"), ("test2", "test2"), ("admin", "password")] {
        let response = exchange(
            addr,
            "GET",
            "/",
            &[("Authorization", &basic(user, password))],
        )
        .await;
        assert_eq!(response.status, 200, "{user}");
    }
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The parameters of a `Digest` challenge.
fn challenge(value: &str) -> HashMap<String, String> {
    value
        .trim_start_matches("Digest ")
        .split(", ")
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

fn digest_authorization(
    params: &HashMap<String, String>,
    uri: &str,
    password: &str,
    nc: &str,
) -> String {
    let (realm, nonce, opaque) = (&params["realm"], &params["nonce"], &params["opaque"]);
    let ha1 = md5_hex(&format!("test:{realm}:{password}"));
    let ha2 = md5_hex(&format!("GET:{uri}"));
    let response = md5_hex(&format!("{ha1}:{nonce}:{nc}:abcdef:auth:{ha2}"));
    format!(
        "Digest username=\"test\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5, qop=auth, nc={nc}, cnonce=\"abcdef\", response=\"{response}\", opaque=\"{opaque}\""
    )
}

#[tokio::test]
async fn digest_auth_challenge_and_response() {
    let backend = upstream::whoami("b").await;
    let middleware = "auth:\n  digestAuth:\n    users: [\"test:traefik:a2688e031edb4be6a3797f3882655c05\"]\n    headerField: X-WebAuth-User\n    removeHeader: true";
    let proxy = start(
        None,
        &routing(&backend.url(), "PathPrefix(`/`)", &["auth"], middleware, ""),
    )
    .await;
    let addr = proxy.addr("web");
    let first = exchange(addr, "GET", "/reports", &[]).await;
    assert_eq!(first.status, 401);
    let value = first
        .header("www-authenticate")
        .expect("challenge")
        .to_owned();
    assert!(value.starts_with("Digest realm=\"traefik\""), "{value}");
    assert!(
        value.contains("qop=\"auth\"") && value.contains("algorithm=MD5"),
        "{value}"
    );
    let params = challenge(&value);

    let auth = digest_authorization(&params, "/reports", "test", "00000001");
    let ok = exchange(addr, "GET", "/reports", &[("Authorization", &auth)]).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let s = Seen::parse(&ok.text()).expect("dump");
    assert_eq!(s.header("x-webauth-user"), Some("test"));
    assert_eq!(s.header("authorization"), None);

    // Replayed nonce count, wrong password: refused.
    let replay = exchange(addr, "GET", "/reports", &[("Authorization", &auth)]).await;
    assert_eq!(replay.status, 401);
    let wrong = digest_authorization(&params, "/reports", "nope", "00000002");
    assert_eq!(
        exchange(addr, "GET", "/reports", &[("Authorization", &wrong)])
            .await
            .status,
        401
    );
    let next = digest_authorization(&params, "/reports", "test", "00000003");
    assert_eq!(
        exchange(addr, "GET", "/reports", &[("Authorization", &next)])
            .await
            .status,
        200
    );
}
