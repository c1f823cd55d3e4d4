//! `tests/data/conformance/` is a copy of the project's shared conformance folder
//! (`../shared/conformance/` beside the repository), so the tests run from any
//! clone. This checks the copy is whole and, where the shared folder is present,
//! identical to it.

#![allow(clippy::unwrap_used)]

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_owned();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn vendored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/conformance")
}

#[test]
fn the_copy_holds_every_corpus_file() {
    let files = files(&vendored());
    assert!(files.contains_key(Path::new("rules-public.yaml")));
    assert!(files.contains_key(Path::new("path-normalization.yaml")));
    let configs = files
        .keys()
        .filter(|p| {
            p.starts_with("traefik-configs")
                && !p.ends_with("INDEX.md")
                && !p.ends_with("check_syntax.py")
        })
        .count();
    assert_eq!(configs, 39, "INDEX.md lists 39 Traefik configuration files");
}

#[test]
fn the_copy_matches_the_shared_folder_when_it_is_beside_the_repository() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    if !shared.is_dir() {
        // A clone without the shared folder (CI) has only the copy to go by.
        return;
    }
    let (ours, theirs) = (files(&vendored()), files(&shared));
    let differing: Vec<_> = theirs
        .iter()
        .filter(|(path, bytes)| ours.get(*path) != Some(*bytes))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        differing.is_empty(),
        "tests/data/conformance is out of date: {differing:?}"
    );
    assert_eq!(
        ours.len(),
        theirs.len(),
        "tests/data/conformance has extra files"
    );
}
