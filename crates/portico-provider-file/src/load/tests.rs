use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}

fn spec_dir(dir: &Path) -> FileProviderSpec {
    FileProviderSpec {
        filename: None,
        directory: Some(dir.to_owned()),
        watch: false,
    }
}

#[test]
fn directory_files_merge_recursively_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "b.yaml",
        "http:\n  routers:\n    dup: {rule: Path(`/b`), service: s}\n",
    );
    write(
        dir.path(),
        "a.toml",
        "[http.routers.dup]\nrule = \"Path(`/a`)\"\nservice = \"s\"\n",
    );
    write(
        dir.path(),
        "sub/c.yml",
        "http:\n  routers:\n    c: {rule: Path(`/c`), service: s}\n",
    );
    write(dir.path(), "notes.txt", "not configuration");
    write(dir.path(), ".swap.yaml", "{{{ broken");
    let loaded = load(&spec_dir(dir.path())).unwrap();
    assert_eq!(loaded.files.len(), 3);
    let routers = loaded.config.http.unwrap().routers.unwrap();
    assert_eq!(
        routers["dup"].rule.as_deref(),
        Some("Path(`/a`)"),
        "first file (a.toml) wins"
    );
    assert!(routers.contains_key("c"));
    assert_eq!(loaded.warnings.len(), 1);
    assert!(loaded.warnings[0].contains("b.yaml: http.routers.dup is already defined"));
}

#[test]
fn one_bad_file_fails_the_load_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "good.yaml",
        "http:\n  routers:\n    r: {rule: Path(`/`), service: s}\n",
    );
    write(
        dir.path(),
        "bad.yaml",
        "http:\n  routers:\n    r2:\n      rule: [unclosed\n",
    );
    let err = load(&spec_dir(dir.path())).unwrap_err().to_string();
    assert!(err.contains("bad.yaml"), "{err}");
    assert!(err.contains(":4") || err.contains("line 4"), "{err}");
}

#[test]
fn single_file_and_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "one.yml",
        "http:\n  services:\n    s: {loadBalancer: {servers: []}}\n",
    );
    let spec = FileProviderSpec {
        filename: Some(file),
        directory: None,
        watch: false,
    };
    assert!(load(&spec).unwrap().config.http.is_some());
    let missing = FileProviderSpec {
        filename: Some(dir.path().join("missing.yaml")),
        directory: None,
        watch: false,
    };
    assert!(matches!(load(&missing), Err(LoadError::Read { .. })));
    assert!(matches!(
        load(&spec_dir(&dir.path().join("nope"))),
        Err(LoadError::Read { .. })
    ));
    let txt = FileProviderSpec {
        filename: Some(write(dir.path(), "x.json", "{}")),
        directory: None,
        watch: false,
    };
    assert!(matches!(load(&txt), Err(LoadError::Format { .. })));
}
