//! Portico's configuration model: Traefik-compatible raw install (static) and
//! routing (dynamic) schemas, parsing with key paths, validation into typed models.
//!
//! - [`raw`]: serde models mirroring Traefik v3's configuration exactly, every
//!   field optional; no defaults, no validation.
//! - [`de`]: the deserializer adapter that reads them the way Traefik does
//!   (case-insensitive option names, lenient scalars, sections switched on by
//!   `{}` or a bare flag).
//! - [`parse_install`], [`parse_routing`], [`install_from_env`],
//!   [`install_from_flags`]: text and key/value pairs to raw models, with a
//!   [`ParseError`] naming the source, line, column and key path.
//!
//! - [`validate`]: raw models to the typed [`model`] the rest of Portico runs on,
//!   with Traefik's defaults and every problem at its key path.
//!
//! The crate is pure: it reads strings, never files or the process
//! environment.

pub mod de;
mod error;
pub mod model;
mod parse;
pub mod raw;
pub mod validate;

pub use self::error::ParseError;
pub use self::parse::{Format, install_from_env, install_from_flags, parse_install, parse_routing};
