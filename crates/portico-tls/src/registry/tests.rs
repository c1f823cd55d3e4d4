use super::*;

fn built(f: impl FnOnce(&mut SnapshotBuilder)) -> (TlsSnapshot, Vec<SnapshotError>) {
    let registry = TlsRegistry::new();
    let mut builder = registry.builder();
    f(&mut builder);
    builder.build()
}

#[test]
fn hosts_map_to_options_exactly_then_by_wildcard() {
    let (snapshot, errors) = built(|b| {
        b.options("a", TlsOptions::default())
            .options("w", TlsOptions::default())
            .host("A.Example.com.", "a")
            .host("*.example.com", "w");
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(&*snapshot.options_name(Some("a.example.com")), "a");
    assert_eq!(&*snapshot.options_name(Some("b.EXAMPLE.com")), "w");
    assert_eq!(&*snapshot.options_name(Some("x.b.example.com")), "default");
    assert_eq!(&*snapshot.options_name(Some("example.com")), "default");
    assert_eq!(&*snapshot.options_name(None), "default");
    // `default` exists even when not given.
    assert!(snapshot.select(None).1.is_some());
    assert!(snapshot.server_config("a").is_some());
}

#[test]
fn conflicting_and_unknown_options_fall_back_to_default() {
    let (snapshot, errors) = built(|b| {
        b.options("foo", TlsOptions::default())
            .options("baz", TlsOptions::default())
            .host("snitest.net", "foo")
            .host("snitest.net", "baz")
            .host("snitest.net", "foo")
            .host("snitest.org", "unknown")
            .host("snitest.com", "foo");
    });
    assert_eq!(&*snapshot.options_name(Some("snitest.net")), "default");
    assert_eq!(&*snapshot.options_name(Some("snitest.org")), "default");
    assert_eq!(&*snapshot.options_name(Some("snitest.com")), "foo");
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "host \"snitest.net\" is given conflicting TLS options [\"foo\", \"baz\"]; it uses the default options",
            "host \"snitest.org\" uses unknown TLS options \"unknown\"",
        ]
    );
}

#[test]
fn failed_options_are_left_out_and_reported() {
    let (snapshot, errors) = built(|b| {
        b.options(
            "broken",
            TlsOptions {
                cipher_suites: vec!["TLS_NOPE".into()],
                ..TlsOptions::default()
            },
        )
        .host("a.example.com", "broken");
    });
    // The host keeps its options name: its handshakes are refused, never served
    // under the default options.
    let (name, config) = snapshot.select(Some("a.example.com"));
    assert_eq!(&*name, "broken");
    assert!(config.is_none());
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "TLS options \"broken\" cannot be built"
    );
}

#[test]
fn acme_alpn_is_offered_only_when_asked() {
    let (plain, _) = built(|b| {
        b.options("default", TlsOptions::default());
    });
    let alpn = &plain.server_config("default").unwrap().alpn_protocols;
    assert_eq!(alpn, &[b"h2".to_vec(), b"http/1.1".to_vec()]);
    let (acme, _) = built(|b| {
        b.acme_tls_alpn(true);
    });
    let alpn = &acme.server_config("default").unwrap().alpn_protocols;
    assert_eq!(alpn.last().map(Vec::as_slice), Some(crate::ACME_TLS_ALPN));
    assert_eq!(alpn.len(), 3);
}

#[test]
fn session_state_is_reused_for_unchanged_options_only() {
    let registry = TlsRegistry::new();
    let build = |options: TlsOptions| {
        let mut builder = registry.builder();
        builder.options("default", options);
        builder.build().0
    };
    let one = build(TlsOptions::default());
    let two = build(TlsOptions::default());
    let three = build(TlsOptions {
        sni_strict: true,
        ..TlsOptions::default()
    });
    let storage = |s: &TlsSnapshot| s.server_config("default").unwrap().session_storage.clone();
    assert!(Arc::ptr_eq(&storage(&one), &storage(&two)));
    assert!(!Arc::ptr_eq(&storage(&two), &storage(&three)));
    let tickets = |s: &TlsSnapshot| s.server_config("default").unwrap().ticketer.enabled();
    assert!(tickets(&one));
    let no_tickets = build(TlsOptions {
        disable_session_tickets: true,
        ..TlsOptions::default()
    });
    assert!(!tickets(&no_tickets));
    assert_eq!(
        no_tickets
            .server_config("default")
            .unwrap()
            .send_tls13_tickets,
        0
    );
}

#[test]
fn misdirected_requests() {
    let (snapshot, _) = built(|b| {
        b.options("mtls", TlsOptions::default())
            .options("other", TlsOptions::default())
            .host("secure.example.com", "mtls")
            .host("*.apps.example.com", "mtls")
            .host("b.example.com", "other");
    });
    // Same name, whatever the case, port or trailing dot.
    assert!(!misdirected(
        &snapshot,
        Some("secure.example.com"),
        "Secure.Example.com.:8443"
    ));
    // Fronting: SNI under default options, Host under mtls.
    assert!(misdirected(
        &snapshot,
        Some("www.example.com"),
        "secure.example.com"
    ));
    assert!(misdirected(&snapshot, None, "x.apps.example.com"));
    // Different names, same options: fine.
    assert!(!misdirected(
        &snapshot,
        Some("a.apps.example.com"),
        "secure.example.com"
    ));
    assert!(!misdirected(
        &snapshot,
        Some("www.example.com"),
        "plain.example.com:443"
    ));
    assert!(!misdirected(&snapshot, None, "[::1]:443"));
    assert!(misdirected(
        &snapshot,
        Some("b.example.com"),
        "secure.example.com"
    ));
}

#[test]
fn ports_are_stripped() {
    assert_eq!(strip_port("a.example.com:443"), "a.example.com");
    assert_eq!(strip_port("a.example.com"), "a.example.com");
    assert_eq!(strip_port("[::1]:443"), "::1");
    assert_eq!(strip_port("[::1]"), "::1");
    assert_eq!(strip_port("::1"), "::1");
    assert_eq!(strip_port("a.example.com:x"), "a.example.com:x");
}

#[test]
fn an_empty_registry_refuses() {
    let registry = TlsRegistry::default();
    let snapshot = registry.load();
    assert!(snapshot.select(Some("a.example.com")).1.is_none());
    assert!(snapshot.certificates().is_empty());
}
