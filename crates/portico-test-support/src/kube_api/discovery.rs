//! Version and discovery documents (`/version`, `/api`, `/apis`,
//! `/api/v1`, `/apis/{group}/{version}`), built from the resource table.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::resources::Resources;

/// The Kubernetes version the fake claims to be.
pub(super) fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0-portico-fake",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions.
pub(super) fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [],
    })
}

/// `/apis`: every named group and its versions.
pub(super) fn groups(resources: &Resources) -> Value {
    let mut versions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for res in resources.all().iter().filter(|r| !r.group.is_empty()) {
        let group = versions.entry(res.group.as_str()).or_default();
        if !group.contains(&res.version.as_str()) {
            group.push(res.version.as_str());
        }
    }
    let groups: Vec<Value> = versions
        .into_iter()
        .map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .into_iter()
                .map(|v| json!({ "groupVersion": format!("{group}/{v}"), "version": v }))
                .collect();
            json!({
                "name": group,
                "versions": versions,
                "preferredVersion": versions[0],
            })
        })
        .collect();
    json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
}

/// `/api/v1` or `/apis/{group}/{version}`: the resources served there, or
/// `None` when nothing is.
pub(super) fn resource_list(resources: &Resources, group: &str, version: &str) -> Option<Value> {
    let verbs = json!([
        "create", "delete", "get", "list", "patch", "update", "watch"
    ]);
    let mut list = Vec::new();
    for res in resources
        .all()
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        list.push(json!({
            "name": res.plural,
            "singularName": res.kind.to_ascii_lowercase(),
            "namespaced": res.namespaced,
            "kind": res.kind,
            "verbs": verbs,
        }));
        list.push(json!({
            "name": format!("{}/status", res.plural),
            "singularName": "",
            "namespaced": res.namespaced,
            "kind": res.kind,
            "verbs": ["get", "patch", "update"],
        }));
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    (!list.is_empty()).then(|| {
        json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": list,
        })
    })
}
