use super::*;

fn run(layer: EntryPathLayer, raw: &str) -> Result<String, MalformedEscape> {
    let uri: Uri = raw.parse().unwrap();
    Ok(layer.rewrite(&uri)?.unwrap_or(uri).to_string())
}

// Cases from tests/data/conformance/path-normalization.yaml (Traefik's own tables).
#[test]
fn sanitize_table() {
    let cases = [
        ("/b", "/b"),
        ("/b/", "/b/"),
        ("/../../b/", "/b/"),
        ("/../../b", "/b"),
        ("/a/b/..", "/a"),
        ("/a/b/../", "/a/"),
        ("/a/../../b", "/b"),
        ("/..///b///", "/b/"),
        ("/a/../b", "/b"),
        ("/a/./b", "/a/b"),
        ("/a//b", "/a/b"),
        ("/a/../c/../b", "/b"),
        ("/a/../../../c/../b", "/b"),
        ("/a/../c/../../b", "/b"),
        ("/a/..//c/.././b", "/b"),
    ];
    for (raw, want) in cases {
        assert_eq!(run(EntryPathLayer::new(), raw).unwrap(), want, "{raw}");
    }
}

#[test]
fn operations_table_raw_paths() {
    let cases = [
        ("/a/../b/%41%42%43//%2f/", "/b/ABC/%2F/"),
        ("/../../b/", "/b/"),
        ("/a/../../b/../c/", "/c/"),
        ("/a/../b/./c/../d/", "/b/d/"),
        ("/a/b/../", "/a/"),
        ("/a/%2E%2E/%2E%2E/b/", "/b/"),
        ("/a/%252E%252E/%252E%252E/b/", "/a/%252E%252E/%252E%252E/b/"),
        ("/foo%20bar", "/foo%20bar"),
        ("/foo%2Fbar", "/foo%2Fbar"),
        ("/foo%20%2Fbar", "/foo%20%2Fbar"),
        ("/a/..%2Fb/", "/a/..%2Fb/"),
    ];
    for (raw, want) in cases {
        assert_eq!(run(EntryPathLayer::new(), raw).unwrap(), want, "{raw}");
    }
}

#[test]
fn sanitize_can_be_turned_off() {
    let off = EntryPathLayer::new().sanitize(false);
    for (raw, want) in [
        ("/./foo/bar", "/./foo/bar"),
        ("/foo/../bar", "/foo/../bar"),
        ("/foo/bar//", "/foo/bar//"),
    ] {
        assert_eq!(run(off, raw).unwrap(), want);
    }
    assert_eq!(
        run(EntryPathLayer::new(), "/./foo/../bar//").unwrap(),
        "/bar/"
    );
}

#[test]
fn query_semicolons() {
    let default = EntryPathLayer::new();
    let encode = EntryPathLayer::new().encode_query_semicolons(true);
    assert_eq!(
        run(default, "/?foo=bar;baz=bar").unwrap(),
        "/?foo=bar&baz=bar"
    );
    assert_eq!(
        run(encode, "/?foo=bar;baz=bar").unwrap(),
        "/?foo=bar%3Bbaz=bar"
    );
    assert_eq!(
        run(default, "/?foo=bar&baz=bar;foo").unwrap(),
        "/?foo=bar&baz=bar&foo"
    );
    assert_eq!(
        run(encode, "/?foo=bar&baz=bar;foo").unwrap(),
        "/?foo=bar&baz=bar%3Bfoo"
    );
}

#[test]
fn malformed_escapes_are_refused() {
    assert!(run(EntryPathLayer::new(), "/%20").is_ok());
    for raw in ["/%", "/%f", "/%zz", "/a%2"] {
        assert_eq!(
            run(EntryPathLayer::new(), raw),
            Err(MalformedEscape),
            "{raw}"
        );
    }
}

#[test]
fn unchanged_paths_are_not_rebuilt() {
    let uri: Uri = "/already/clean?q=1".parse().unwrap();
    assert_eq!(EntryPathLayer::new().rewrite(&uri), Ok(None));
    let uri: Uri = "/encoded%2F%20ok".parse().unwrap();
    assert_eq!(EntryPathLayer::new().rewrite(&uri), Ok(None));
}

#[test]
fn absolute_form_keeps_its_authority() {
    assert_eq!(
        run(EntryPathLayer::new(), "http://example.com/a/../b").unwrap(),
        "http://example.com/b"
    );
}

#[tokio::test]
async fn malformed_request_gets_400_without_calling_inner() {
    use tower::{ServiceExt, service_fn};
    let svc = EntryPathLayer::new().layer(service_fn(|_req: Request<()>| async {
        panic!("inner service must not be called");
        #[allow(unreachable_code)]
        Ok::<_, std::convert::Infallible>(Response::new(String::new()))
    }));
    let req = Request::get("/bad%zz").body(()).unwrap();
    let res = svc.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
