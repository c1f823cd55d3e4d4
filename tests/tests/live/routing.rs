//! Routing changes from watched files, under load.

use std::{os::unix::fs::symlink, time::Duration};

use portico_test_support::{client, proxy, upstream};

use crate::support::{Load, VISIBLE_WITHIN, many_routers, switch_file, wait_for_backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_edits_under_keep_alive_load_lose_no_request() {
    let (a, b) = (upstream::whoami("a").await, upstream::whoami("b").await);
    let proxy = proxy::builder()
        .routing("main.yaml", &switch_file("a", &a.url(), &b.url()))
        .watch(Duration::from_millis(50))
        .start()
        .await;
    let addr = proxy.addr("web");
    let load = Load::start(addr, 4, false);
    let mut slowest = Duration::ZERO;
    for edit in 0..20 {
        let target = if edit % 2 == 0 { "b" } else { "a" };
        proxy.write_routing("main.yaml", &switch_file(target, &a.url(), &b.url()));
        // Hundreds of routers come and go in another file on alternate edits.
        if edit % 4 == 0 {
            proxy.write_routing("bulk.yaml", &many_routers(300));
        } else if edit % 4 == 2 {
            std::fs::remove_file(proxy.dir().join("bulk.yaml")).unwrap();
        }
        let took = wait_for_backend(addr, "x.example", target).await;
        assert!(took <= VISIBLE_WITHIN, "edit {edit} took {took:?}");
        slowest = slowest.max(took);
    }
    let (served, errors) = load.finish().await;
    assert!(
        errors.is_empty(),
        "{} failed requests: {errors:?}",
        errors.len()
    );
    assert!(served > 100, "the load ran ({served} requests)");
    // Routers from the bulk file were really applied at some point.
    eprintln!("20 edits, {served} requests under load, slowest change visible after {slowest:?}");
}

#[tokio::test]
async fn a_broken_file_keeps_the_last_good_configuration_until_fixed() {
    let (a, b) = (upstream::whoami("a").await, upstream::whoami("b").await);
    let proxy = proxy::builder()
        .routing("main.yaml", &switch_file("a", &a.url(), &b.url()))
        .watch(Duration::from_millis(20))
        .start()
        .await;
    let addr = proxy.addr("web");
    let mut applied = proxy.handle().applied();
    applied.borrow_and_update();
    proxy.write_routing("main.yaml", "http:\n  routers:\n    r: {rule: [unclosed\n");
    // Give the watcher time to see and refuse it: nothing is applied.
    let refused = tokio::time::timeout(Duration::from_millis(600), applied.changed()).await;
    assert!(refused.is_err(), "a broken file must not be applied");
    assert_eq!(
        client::get(addr, "x", "/").await.header("x-whoami-name"),
        Some("a")
    );
    // A semantically bad router is disabled alone; the good edit applies.
    let fixed = switch_file("b", &a.url(), &b.url()).replace(
        "http:\n  routers:\n",
        "http:\n  routers:\n    bad:\n      rule: \"Host(`x`) &&\"\n      service: a\n",
    );
    proxy.write_routing("main.yaml", &fixed);
    wait_for_backend(addr, "x.example", "b").await;
    let status = proxy.status();
    assert!(!status.routers["bad@file"].enabled);
    assert!(status.routers["r@file"].enabled);
}

#[tokio::test]
async fn a_configmap_style_symlink_swap_is_seen() {
    let (a, b) = (upstream::whoami("a").await, upstream::whoami("b").await);
    let proxy = proxy::builder()
        .watch(Duration::from_millis(20))
        .start()
        .await;
    let dir = proxy.dir();
    // Kubernetes mounts: dynamic.yaml -> ..data/dynamic.yaml, ..data -> ..v1
    std::fs::create_dir(dir.join("..v1")).unwrap();
    std::fs::write(
        dir.join("..v1/dynamic.yaml"),
        switch_file("a", &a.url(), &b.url()),
    )
    .unwrap();
    symlink("..v1", dir.join("..data")).unwrap();
    symlink("..data/dynamic.yaml", dir.join("dynamic.yaml")).unwrap();
    let addr = proxy.addr("web");
    wait_for_backend(addr, "x", "a").await;
    // The update: a new version directory, then an atomic rename of the link.
    std::fs::create_dir(dir.join("..v2")).unwrap();
    std::fs::write(
        dir.join("..v2/dynamic.yaml"),
        switch_file("b", &a.url(), &b.url()),
    )
    .unwrap();
    symlink("..v2", dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    let took = wait_for_backend(addr, "x", "b").await;
    assert!(took <= VISIBLE_WITHIN, "took {took:?}");
}
