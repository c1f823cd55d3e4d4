//! A deserializer adapter that reads configuration the way Traefik does.
//!
//! Traefik decodes its files, environment variables and flags with
//! [paerser](https://github.com/traefik/paerser), which is more forgiving than
//! serde's derived impls. [`Deserializer`] wraps any self-describing serde
//! deserializer (YAML, TOML, a `serde_json::Value` tree) and adds that
//! forgiveness, recursively, to every nested value:
//!
//! - **Option names match ignoring ASCII case.** In a struct position each
//!   incoming key is replaced by the field name it equals ignoring case (an
//!   exact match wins), so `Headers` fills `headers`. Unknown keys pass through
//!   unchanged and `#[serde(deny_unknown_fields)]` reports them. Keys of maps
//!   (router names, header names, `statusRewrites` codes) keep their case.
//! - **Scalars are converted.** A string where a bool, integer or float is
//!   expected is parsed (`"true"`, `"42"`, `"1.5"`; booleans also accept Go's
//!   `1`, `t`, `F`, ...); a number or boolean where a string is expected
//!   becomes its text (`port: 8080` into a `String`).
//! - **Sections switch on.** Where a struct is expected, `true` (boolean or
//!   string), an empty string or a null means "this section, all defaults": an
//!   empty struct (`--providers.file`, `tlsChallenge: {}`). `false` there is an
//!   error: leave the key out instead.
//! - **Lists take other shapes.** Where a sequence is expected, a map whose keys
//!   are all decimal indices becomes a sequence in index order
//!   (`DOMAINS_0_MAIN` in the environment), an empty map `{}` is an empty
//!   sequence (`servers: {}`), a string is split on commas (`"a, b"` gives
//!   `["a", "b"]`, pieces trimmed, `""` gives `[]`) and a lone number or
//!   boolean is a one-element sequence.
//! - **Map keys are checked for duplicates** (YAML allows the parser to keep
//!   the last one; Traefik's YAML library refuses the file).
//!
//! # YAML null
//!
//! Traefik skips keys whose value is null (`tlsChallenge:` with nothing after
//! it), so a null where an `Option` is expected stays `None`: the key counts as
//! unset, exactly as in Traefik. A null where a struct, map or list is expected
//! without an `Option` (a map value, a list element) gives the empty value, and
//! a null where a string is expected gives `""`. (Traefik would drop such a
//! map entry entirely.)
//!
//! # Example
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Debug, Deserialize, PartialEq)]
//! #[serde(deny_unknown_fields, rename_all = "camelCase")]
//! struct Server {
//!     url: Option<String>,
//!     weight: Option<u32>,
//!     preserve_path: Option<bool>,
//! }
//!
//! let yaml = "URL: http://127.0.0.1\nweight: '3'\npreservePath: 'true'\n";
//! let server: Server =
//!     portico_config::de::deserialize(serde_yaml::Deserializer::from_str(yaml)).unwrap();
//! assert_eq!(
//!     server,
//!     Server {
//!         url: Some("http://127.0.0.1".to_owned()),
//!         weight: Some(3),
//!         preserve_path: Some(true),
//!     }
//! );
//! ```

mod access;
mod capture;
mod deserializer;
mod lenient;
mod scalar;

#[cfg(test)]
mod tests;

pub use self::capture::ErrorCapture;
pub use self::deserializer::{Deserializer, deserialize};
