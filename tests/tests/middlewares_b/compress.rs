//! `compress`: negotiation, minimum size, exclusions.

use portico_test_support::upstream;

use super::{get, routing, start};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

#[tokio::test]
async fn negotiates_gzip_br_and_zstd() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(&backend.url(), &["gz"], "gz:\n  compress: {}\n", ""),
    )
    .await;
    let addr = proxy.addr("web");
    let plain = get(addr, "/data?size=8&unit=KB", &[]).await;
    assert!(
        plain.header("content-encoding").is_none(),
        "no Accept-Encoding, no compression"
    );
    assert_eq!(plain.body.len(), 8 * 1024);

    let gzip = get(addr, "/data?size=8&unit=KB", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.header("vary"), Some("Accept-Encoding"));
    assert!(gzip.body.starts_with(&GZIP_MAGIC));
    assert!(gzip.body.len() < 8 * 1024);

    let zstd = get(
        addr,
        "/data?size=8&unit=KB",
        &[("accept-encoding", "gzip, br, zstd")],
    )
    .await;
    assert_eq!(
        zstd.header("content-encoding"),
        Some("zstd"),
        "zstd first by default"
    );
    assert!(zstd.body.starts_with(&ZSTD_MAGIC));

    let br = get(
        addr,
        "/data?size=8&unit=KB",
        &[("accept-encoding", "gzip;q=0.5, br;q=0.9")],
    )
    .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(br.body.len() < 8 * 1024);
}

#[tokio::test]
async fn small_excluded_and_unsupported_stay_plain() {
    let backend = upstream::whoami("b").await;
    let sized = start(
        None,
        &routing(
            &backend.url(),
            &["gz"],
            "gz:\n  compress:\n    encodings: [gzip]\n    minResponseBodyBytes: 2048\n",
            "",
        ),
    )
    .await;
    let addr = sized.addr("web");
    // The whoami dump is small.
    let small = get(addr, "/", &[("accept-encoding", "gzip")]).await;
    assert!(small.header("content-encoding").is_none());
    assert_eq!(small.header("vary"), Some("Accept-Encoding"));
    let large = get(addr, "/data?size=4&unit=KB", &[("accept-encoding", "gzip")]).await;
    assert_eq!(large.header("content-encoding"), Some("gzip"));
    let unsupported = get(
        addr,
        "/data?size=4&unit=KB",
        &[("accept-encoding", "deflate")],
    )
    .await;
    assert!(unsupported.header("content-encoding").is_none());

    let excluding = start(
        None,
        &routing(
            &backend.url(),
            &["gz"],
            "gz:\n  compress:\n    excludedContentTypes: [text/plain]\n",
            "",
        ),
    )
    .await;
    // /data is text/plain: excluded.
    let excluded = get(
        excluding.addr("web"),
        "/data?size=8&unit=KB",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert!(excluded.header("content-encoding").is_none());
    assert_eq!(excluded.body.len(), 8 * 1024);
}
