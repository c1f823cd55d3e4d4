//! Raw configuration models: serde structs that mirror Traefik v3's
//! configuration exactly, before any validation.
//!
//! - [`install`]: the install ("static") configuration, [`InstallConfig`].
//! - [`routing`]: the routing ("dynamic") configuration, [`RoutingConfig`].
//!
//! Rules shared by every struct here: key names are Traefik's (camelCase,
//! with Traefik's own spellings such as `graceTimeOut` or `rootCAs`), unknown
//! keys are refused (`deny_unknown_fields`), every field is an `Option` that
//! stays `None` when the key is absent (defaults belong to validation), and
//! named collections are `BTreeMap`s whose keys keep the case they were
//! written in. Read these structs through [`crate::de`] (as the parse
//! functions do) to get Traefik's case-insensitive option names and lenient
//! scalars.

mod common;
mod duration;
pub mod install;
mod opaque;
pub mod routing;

pub use self::common::{
    CertificatePair, ClientCertificate, ClientTls, Domain, EncodedCharacters, Observability, Spiffe,
};
pub use self::duration::{Duration, DurationError};
pub use self::install::InstallConfig;
pub use self::opaque::Opaque;
pub use self::routing::RoutingConfig;
