//! Install configuration from environment variables and command-line flags.
//!
//! Both build a tree of strings from their key/value pairs and read it through
//! the same adapter as files, so the same leniency applies: `"8080"` fills a
//! number, `"a,b"` fills a list, a map keyed `0`, `1`, ... fills a list, and a
//! bare flag (`true`) switches a section on. A key that is not in the schema
//! is an error naming the variable or flag.

use std::collections::BTreeMap;

use serde_path_to_error::Segment;

use super::render_path;
use crate::de::{Deserializer, ErrorCapture};
use crate::error::ParseError;
use crate::raw::InstallConfig;

/// Reads the install configuration from environment variables.
///
/// Only variables whose name starts with `prefix` (matched ignoring case, with
/// or without its trailing `_`) are read; the rest of the name is split on `_`
/// into a key path, lower-cased as Traefik does for `TRAEFIK_*` (so names in
/// keys, such as entrypoint names, come out lower-case):
/// `PORTICO_ENTRYPOINTS_WEB_ADDRESS=:8080` sets `entryPoints.web.address`, and
/// `PORTICO_ENTRYPOINTS_WEB_HTTP_TLS_DOMAINS_0_MAIN` the first domain. Lists
/// are comma-separated. Errors name the variable.
///
/// ```
/// use portico_config::install_from_env;
///
/// let vars = [
///     ("PORTICO_ENTRYPOINTS_WEB_ADDRESS".to_owned(), ":8080".to_owned()),
///     ("PORTICO_PROVIDERS_FILE_WATCH".to_owned(), "false".to_owned()),
///     ("HOME".to_owned(), "/root".to_owned()),
/// ];
/// let install = install_from_env(vars, "PORTICO_").unwrap();
/// assert_eq!(install.entry_points.unwrap()["web"].address.as_deref(), Some(":8080"));
/// assert_eq!(install.providers.unwrap().file.unwrap().watch, Some(false));
/// ```
pub fn install_from_env<I>(vars: I, prefix: &str) -> Result<InstallConfig, ParseError>
where
    I: IntoIterator<Item = (String, String)>,
{
    let prefix = prefix.trim_end_matches('_');
    let mut tree = Tree::default();
    for (name, value) in vars {
        let Some(rest) = strip_env_prefix(&name, prefix) else {
            continue;
        };
        let source = format!("environment variable {name}");
        let segments: Vec<String> = rest.split('_').map(str::to_ascii_lowercase).collect();
        tree.insert(segments, value, source)?;
    }
    tree.deserialize("environment variables")
}

/// Reads the install configuration from command-line flags.
///
/// Each flag is a key path and an optional value: `("entryPoints.web.address",
/// Some(":8080"))`, `("providers.file", None)` (a bare flag: `true`, which
/// switches a section on). A leading `--` is allowed. Segments are split on
/// `.`, and `domains[0].main` addresses a list element. Errors name the flag.
///
/// ```
/// use portico_config::install_from_flags;
///
/// let flags = [
///     ("--entryPoints.websecure.address".to_owned(), Some(":443".to_owned())),
///     ("entryPoints.websecure.http.tls.domains[0].main".to_owned(), Some("example.com".to_owned())),
///     ("providers.file".to_owned(), None),
/// ];
/// let install = install_from_flags(&flags).unwrap();
/// let tls = install.entry_points.unwrap()["websecure"].http.clone().unwrap().tls.unwrap();
/// assert_eq!(tls.domains.unwrap()[0].main.as_deref(), Some("example.com"));
/// assert!(install.providers.unwrap().file.is_some());
/// ```
pub fn install_from_flags(flags: &[(String, Option<String>)]) -> Result<InstallConfig, ParseError> {
    let mut tree = Tree::default();
    for (name, value) in flags {
        let key = name.trim_start_matches('-');
        let source = format!("flag --{key}");
        let segments = flag_segments(key);
        let value = value.clone().unwrap_or_else(|| "true".to_owned());
        tree.insert(segments, value, source)?;
    }
    tree.deserialize("flags")
}

/// `PORTICO_A_B` with prefix `PORTICO` gives `A_B`.
fn strip_env_prefix<'n>(name: &'n str, prefix: &str) -> Option<&'n str> {
    if prefix.is_empty() {
        return Some(name);
    }
    let head = name.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    name[prefix.len()..]
        .strip_prefix('_')
        .filter(|rest| !rest.is_empty())
}

/// `a.b[0].c` gives `a`, `b`, `0`, `c`.
fn flag_segments(key: &str) -> Vec<String> {
    let mut segments = Vec::new();
    for part in key.split('.') {
        let mut rest = part;
        match rest.find('[') {
            Some(open) if rest.ends_with(']') => {
                segments.push(rest[..open].to_owned());
                rest = &rest[open..];
                for index in rest.split(['[', ']']).filter(|s| !s.is_empty()) {
                    segments.push(index.to_owned());
                }
            }
            _ => segments.push(rest.to_owned()),
        }
    }
    segments
}

/// Key/value pairs as a tree, remembering which pair set each leaf.
#[derive(Default)]
struct Tree {
    root: Branch,
    origins: Vec<String>,
}

type Branch = BTreeMap<String, Node>;

enum Node {
    Leaf { value: String, origin: usize },
    Branch(Branch),
}

// === impl Tree ===

impl Tree {
    fn insert(
        &mut self,
        segments: Vec<String>,
        value: String,
        source: String,
    ) -> Result<(), ParseError> {
        let error = |message: String| ParseError {
            source: source.clone(),
            line: None,
            column: None,
            path: String::new(),
            message,
        };
        if segments.is_empty() || segments.iter().any(String::is_empty) {
            return Err(error("empty key segment".to_owned()));
        }
        let origin = self.origins.len();
        let conflict = |other: usize, origins: &[String]| {
            let other = origins.get(other).map_or("another setting", String::as_str);
            error(format!(
                "conflicts with {other}: one sets a value where the other needs a section"
            ))
        };
        let mut branch = &mut self.root;
        let (last, parents) = segments
            .split_last()
            .ok_or_else(|| error("empty key".to_owned()))?;
        for segment in parents {
            let key = existing_key(branch, segment);
            let node = branch
                .entry(key)
                .or_insert_with(|| Node::Branch(Branch::new()));
            // A bare `true` (a section switch) gives way to the section's options.
            if let Node::Leaf {
                value,
                origin: other,
            } = node
            {
                if !is_switch_on(value) {
                    return Err(conflict(*other, &self.origins));
                }
                *node = Node::Branch(Branch::new());
            }
            let Node::Branch(next) = node else {
                return Err(error("internal error: expected a section".to_owned()));
            };
            branch = next;
        }
        let key = existing_key(branch, last);
        match branch.get(&key) {
            Some(Node::Branch(_)) if is_switch_on(&value) => {}
            Some(Node::Branch(children)) => {
                let other = first_origin(children).unwrap_or(usize::MAX);
                return Err(conflict(other, &self.origins));
            }
            _ => {
                branch.insert(key, Node::Leaf { value, origin });
            }
        }
        self.origins.push(source);
        Ok(())
    }

    fn deserialize(&self, all_sources: &str) -> Result<InstallConfig, ParseError> {
        let value = branch_value(&self.root);
        let capture = ErrorCapture::new();
        serde_path_to_error::deserialize(Deserializer::with_capture(value, &capture)).map_err(
            |err| {
                let source = self
                    .origin_of(err.path())
                    .and_then(|origin| self.origins.get(origin))
                    .map_or_else(|| all_sources.to_owned(), String::clone);
                ParseError {
                    source,
                    line: None,
                    column: None,
                    path: render_path(err.path()),
                    message: capture.message().unwrap_or_else(|| err.inner().to_string()),
                }
            },
        )
    }

    /// The pair that set the value at `path`, or one inside it.
    fn origin_of(&self, path: &serde_path_to_error::Path) -> Option<usize> {
        let mut branch = &self.root;
        for segment in path.iter() {
            let next = match segment {
                Segment::Map { key } => branch
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, node)| node),
                Segment::Seq { index } => indexed(branch).into_iter().nth(*index),
                _ => None,
            };
            match next {
                Some(Node::Branch(children)) => branch = children,
                Some(Node::Leaf { origin, .. }) => return Some(*origin),
                None => break,
            }
        }
        first_origin(branch)
    }
}

/// The key already used for `segment` (option names ignore case), or `segment`.
fn existing_key(branch: &Branch, segment: &str) -> String {
    branch
        .keys()
        .find(|key| key.eq_ignore_ascii_case(segment))
        .cloned()
        .unwrap_or_else(|| segment.to_owned())
}

fn is_switch_on(value: &str) -> bool {
    value.trim().is_empty() || value.trim().eq_ignore_ascii_case("true")
}

fn first_origin(branch: &Branch) -> Option<usize> {
    branch.values().find_map(|node| match node {
        Node::Leaf { origin, .. } => Some(*origin),
        Node::Branch(children) => first_origin(children),
    })
}

/// Children of an index-keyed branch, in index order.
fn indexed(branch: &Branch) -> Vec<&Node> {
    let mut items: Vec<(usize, &Node)> = branch
        .iter()
        .filter_map(|(key, node)| key.parse::<usize>().ok().map(|index| (index, node)))
        .collect();
    items.sort_by_key(|(index, _)| *index);
    items.into_iter().map(|(_, node)| node).collect()
}

fn branch_value(branch: &Branch) -> serde_json::Value {
    let map = branch
        .iter()
        .map(|(key, node)| {
            let value = match node {
                Node::Leaf { value, .. } => serde_json::Value::String(value.clone()),
                Node::Branch(children) => branch_value(children),
            };
            (key.clone(), value)
        })
        .collect();
    serde_json::Value::Object(map)
}
