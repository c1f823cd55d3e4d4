//! Against a fake authoritative server that checks TSIG with hickory's verifier.

use std::sync::{Arc, Mutex};

use hickory_proto::{
    op::{Message, OpCode, ResponseCode},
    rr::{RData, Record, RecordType, rdata::SOA},
};
use tokio::net::UdpSocket;

use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

/// What the fake server saw: (op code, TSIG verified, TXT updates as (class, value)).
type Seen = Arc<Mutex<Vec<(OpCode, bool, Vec<(String, String)>)>>>;

async fn fake_server(key: TsigKey) -> (SocketAddr, Seen) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        let signer = key.signer().unwrap();
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let bytes = &buf[..n];
            let msg = Message::from_vec(bytes).unwrap();
            let mut rsp = Message::response(msg.metadata.id, msg.metadata.op_code);
            match msg.metadata.op_code {
                OpCode::Query => {
                    // The zone apex is example.com: answer its SOA in the authority section.
                    let zone = Name::from_ascii("example.com.").unwrap();
                    let soa = SOA::new(zone.clone(), zone.clone(), 1, 60, 60, 60, 60);
                    rsp.add_authority(Record::from_rdata(zone, 60, RData::SOA(soa)));
                    log.lock().unwrap().push((OpCode::Query, false, vec![]));
                }
                OpCode::Update => {
                    let verified = msg.signature.is_some()
                        && signer.verify_message_byte(bytes, None, true).is_ok();
                    let updates = msg
                        .authorities
                        .iter()
                        .filter(|r| r.record_type() == RecordType::TXT)
                        .map(|r| {
                            let value = match &r.data {
                                RData::TXT(t) => {
                                    String::from_utf8_lossy(&t.txt_data[0]).into_owned()
                                }
                                _ => String::new(),
                            };
                            (format!("{}", r.dns_class), value)
                        })
                        .collect();
                    assert_eq!(msg.queries[0].name().to_ascii(), "example.com.");
                    log.lock()
                        .unwrap()
                        .push((OpCode::Update, verified, updates));
                    if !verified {
                        rsp.metadata.response_code = ResponseCode::NotAuth;
                    }
                }
                _ => rsp.metadata.response_code = ResponseCode::NotImp,
            }
            let _ = socket.send_to(&rsp.to_vec().unwrap(), peer).await;
        }
    });
    (addr, seen)
}

fn key(secret: &[u8]) -> TsigKey {
    TsigKey {
        name: "acme-key".into(),
        secret: secret.to_vec(),
        algorithm: "hmac-sha256".into(),
    }
}

#[tokio::test]
async fn present_and_cleanup_send_signed_updates() {
    let (addr, seen) = fake_server(key(SECRET)).await;
    let provider = Rfc2136Provider {
        nameserver: addr,
        tsig: Some(key(SECRET)),
        ttl: 120,
        timeout: Duration::from_secs(2),
    };
    let record = ChallengeRecord::new("www.example.com", "t", "t.k", "VALUE");
    provider.present(&record).await.unwrap();
    provider.cleanup(&record).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(seen[1].0, OpCode::Update);
    assert!(seen[1].1, "TSIG verified by the server");
    assert_eq!(seen[1].2, [("IN".to_owned(), "VALUE".to_owned())]);
    // Delete by rdata is class NONE (RFC 2136 2.5.4).
    assert_eq!(seen[3].2, [("NONE".to_owned(), "VALUE".to_owned())]);
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_the_rcode() {
    let (addr, _) = fake_server(key(SECRET)).await;
    let provider = Rfc2136Provider {
        nameserver: addr,
        tsig: Some(key(b"another secret, another secret!!")),
        ttl: 120,
        timeout: Duration::from_secs(2),
    };
    let record = ChallengeRecord::new("www.example.com", "t", "t.k", "VALUE");
    let err = provider.present(&record).await.unwrap_err();
    assert!(matches!(err, DnsError::Refused { .. }), "{err:?}");
    assert!(
        err.to_string().contains("_acme-challenge.www.example.com."),
        "{err}"
    );
}

#[test]
fn settings_are_checked() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert!(Rfc2136Provider::from_vars(vars(&[])).is_err());
    let p = Rfc2136Provider::from_vars(vars(&[("RFC2136_NAMESERVER", "192.0.2.1")])).unwrap();
    assert_eq!(p.nameserver.to_string(), "192.0.2.1:53");
    assert!(p.tsig.is_none());
    let err = Rfc2136Provider::from_vars(vars(&[
        ("RFC2136_NAMESERVER", "192.0.2.1:5353"),
        ("RFC2136_TSIG_KEY", "k"),
        ("RFC2136_TSIG_SECRET", "c2VjcmV0"),
        ("RFC2136_TSIG_ALGORITHM", "hmac-sha1."),
    ]))
    .unwrap_err();
    assert!(err.to_string().contains("hmac-sha1"), "{err}");
}
