//! Session resumption state, kept across snapshots for options that did not change.

use std::{
    collections::{HashMap, HashSet},
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use rustls::server::{ProducesTickets, ServerSessionMemoryCache, StoresServerSessions};
use rustls_pki_types::CertificateDer;

use crate::{OptionsError, TlsOptions};

/// Sessions remembered per options set (TLS 1.2 session IDs, TLS 1.3 stateful
/// tickets when stateless ones are off).
const SESSION_CACHE_SIZE: usize = 4096;

/// The resumption state of one options set.
#[derive(Clone)]
pub(crate) struct Sessions {
    pub(crate) cache: Arc<dyn StoresServerSessions>,
    /// Stateless tickets (rotating keys); `None` with `disableSessionTickets`.
    pub(crate) ticketer: Option<Arc<dyn ProducesTickets>>,
}

/// Resumption state by options name, reused by the next snapshot when the options
/// (and their client CAs) are unchanged, so a publish does not end resumption.
/// Changed options get fresh state: a session established under weaker options is
/// never resumed under stricter ones (rustls does not re-check client
/// authentication on resumption).
#[derive(Default)]
pub(crate) struct SessionPool {
    entries: Mutex<HashMap<Arc<str>, Entry>>,
}

struct Entry {
    options: TlsOptions,
    roots: Vec<CertificateDer<'static>>,
    sessions: Sessions,
}

// === impl SessionPool ===

impl SessionPool {
    /// The state for `name`: the previous one when `options` and `roots` are
    /// unchanged, else a new one.
    pub(crate) fn sessions(
        &self,
        name: &Arc<str>,
        options: &TlsOptions,
        roots: &[CertificateDer<'static>],
    ) -> Result<Sessions, OptionsError> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get(name)
            && entry.options == *options
            && entry.roots == roots
        {
            return Ok(entry.sessions.clone());
        }
        let ticketer = if options.disable_session_tickets {
            None
        } else {
            Some(
                rustls::crypto::ring::Ticketer::new()
                    .map_err(|source| OptionsError::Rustls { source })?,
            )
        };
        let sessions = Sessions {
            cache: ServerSessionMemoryCache::new(SESSION_CACHE_SIZE),
            ticketer,
        };
        entries.insert(
            name.clone(),
            Entry {
                options: options.clone(),
                roots: roots.to_vec(),
                sessions: sessions.clone(),
            },
        );
        Ok(sessions)
    }

    /// Forgets the state of options no longer configured.
    pub(crate) fn retain(&self, names: &HashSet<Arc<str>>) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|name, _| names.contains(name));
    }
}

impl fmt::Debug for SessionPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("SessionPool")
            .field("options", &entries.keys().collect::<Vec<_>>())
            .finish()
    }
}
