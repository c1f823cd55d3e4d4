use std::os::unix::fs::PermissionsExt;

use super::*;

/// The shape Traefik v3 writes (`json.MarshalIndent` of `map[string]*StoredData`),
/// with two resolvers, one of them never used.
const TRAEFIK_FILE: &str = r#"{
  "le": {
    "Account": {
      "Email": "ops@example.com",
      "Registration": {
        "body": {
          "status": "valid",
          "contact": ["mailto:ops@example.com"]
        },
        "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/123456"
      },
      "PrivateKey": "MIIJKAIBAAKCAgEAq83v",
      "KeyType": "4096"
    },
    "Certificates": [
      {
        "domain": {
          "main": "example.com",
          "sans": ["www.example.com"]
        },
        "certificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
        "key": "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=",
        "Store": "default"
      },
      {
        "domain": {"main": "empty.example.com"},
        "certificate": "",
        "key": "",
        "Store": "default"
      }
    ]
  },
  "unused": {
    "Account": null,
    "Certificates": null
  }
}"#;

#[test]
fn a_traefik_file_is_read_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acme.json");
    std::fs::write(&path, TRAEFIK_FILE).unwrap();
    let storage = AcmeStorage::open(&path).unwrap();

    let account = storage.account("le").unwrap();
    assert_eq!(account.email, "ops@example.com");
    assert_eq!(account.key_type, "4096");
    let reg = account.registration.unwrap();
    assert_eq!(
        reg.uri,
        "https://acme-v02.api.letsencrypt.org/acme/acct/123456"
    );
    assert_eq!(reg.body["status"], "valid");
    assert_eq!(
        account.private_key.unwrap()[..4],
        [0x30, 0x82, 0x09, 0x28],
        "base64 DER decoded"
    );

    let certs = storage.certificates("le");
    assert_eq!(certs.len(), 1, "the empty certificate is dropped");
    assert_eq!(certs[0].names(), ["example.com", "www.example.com"]);
    assert_eq!(certs[0].certificate_pem(), "-----BEGIN CERTIFICATE-----\n");
    assert!(certs[0].key_pem().starts_with("-----BEGIN RSA PRIVATE KEY"));
    assert_eq!(certs[0].store, "default");

    assert!(storage.account("unused").is_none());
    assert!(storage.certificates("unused").is_empty());
    assert_eq!(storage.resolvers(), ["le", "unused"]);
}

#[test]
fn writes_are_atomic_private_and_keep_other_resolvers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acme.json");
    std::fs::write(&path, TRAEFIK_FILE).unwrap();
    let storage = AcmeStorage::open(&path).unwrap();

    let cert = StoredCertificate {
        domain: StoredDomain {
            main: "new.example.org".into(),
            sans: vec![],
        },
        certificate: b"CERT".to_vec(),
        key: b"KEY".to_vec(),
        store: "default".into(),
    };
    storage.upsert_certificate("other", cert.clone()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["acme.json"], "no temporary file left behind");

    let reread = AcmeStorage::open(&path).unwrap();
    assert_eq!(reread.certificates("other"), std::slice::from_ref(&cert));
    assert_eq!(reread.certificates("le").len(), 1, "other resolver kept");
    assert_eq!(reread.account("le"), storage.account("le"));

    // Same domain: replaced, not appended.
    let renewed = StoredCertificate {
        certificate: b"CERT2".to_vec(),
        ..cert
    };
    reread.upsert_certificate("other", renewed.clone()).unwrap();
    assert_eq!(
        AcmeStorage::open(&path).unwrap().certificates("other"),
        [renewed]
    );

    // Field names and base64 as Traefik writes them.
    let text = std::fs::read_to_string(&path).unwrap();
    for key in [
        "\"Account\"",
        "\"Certificates\"",
        "\"Store\"",
        "\"domain\"",
        "\"main\"",
    ] {
        assert!(text.contains(key), "{key} in {text}");
    }
    assert!(text.contains("\"certificate\": \"Q0VSVDI=\""), "{text}");
}

#[test]
fn missing_or_empty_files_are_empty_stores() {
    let dir = tempfile::tempdir().unwrap();
    let missing = AcmeStorage::open(dir.path().join("none.json")).unwrap();
    assert!(missing.resolvers().is_empty());
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    assert!(AcmeStorage::open(&empty).unwrap().resolvers().is_empty());
}

#[test]
fn invalid_content_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acme.json");
    std::fs::write(&path, "{\"le\": [1]}").unwrap();
    let err = AcmeStorage::open(&path).unwrap_err();
    assert!(err.to_string().contains("acme.json"), "{err}");
    assert!(matches!(err, StorageError::Parse { .. }));
}
