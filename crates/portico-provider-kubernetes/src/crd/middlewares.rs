//! Middlewares: the file provider's middleware, with Secrets instead of inline
//! credentials and object references instead of names
//! (`crd/kubernetes.go` Middleware loop, `createBasicAuthMiddleware`,
//! `createChainMiddleware`, `createErrorPageMiddleware`, forwardAuth TLS).

use base64::Engine;
use portico_config::raw::routing::Middleware;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::{
    Builder,
    spec::{Object, ObjectRef, ServiceRef},
};
use crate::{cluster::Kind, names};

impl Builder<'_> {
    /// Every Middleware, as `<namespace>-<name>`.
    pub(super) fn middlewares(&mut self) {
        for typed in self
            .cluster
            .typed::<Object<Map<String, Value>>>(Kind::Middleware)
        {
            let key = typed.key;
            let id = names::normalize(&names::make_id(&key.namespace, &key.name));
            let built = typed
                .object
                .and_then(|m| self.middleware(&key.namespace, &id, m.spec));
            match built {
                Ok(middleware) => self.out.add_middleware(id, middleware),
                Err(e) => self
                    .out
                    .fail_middleware(&id, format!("middleware {key}: {e}")),
            }
        }
    }

    fn middleware(
        &mut self,
        ns: &str,
        id: &str,
        mut spec: Map<String, Value>,
    ) -> Result<Middleware, String> {
        if let Some(Value::Object(auth)) = spec.get_mut("basicAuth") {
            self.users_from_secret(ns, "basicAuth", auth, true)?;
        }
        if let Some(Value::Object(auth)) = spec.get_mut("digestAuth") {
            self.users_from_secret(ns, "digestAuth", auth, false)?;
        }
        if let Some(Value::Object(auth)) = spec.get_mut("forwardAuth") {
            self.forward_auth_tls(ns, auth)?;
        }
        if let Some(Value::Object(chain)) = spec.get_mut("chain") {
            self.chain(ns, chain)?;
        }
        if let Some(Value::Object(errors)) = spec.get_mut("errors") {
            self.error_page_service(ns, id, errors)?;
        }
        serde_path_to_error::deserialize(Value::Object(spec))
            .map_err(|e| format!("spec.{}: {}", e.path(), e.inner()))
    }

    /// `secret` (a Secret in `ns`) becomes `users`.
    fn users_from_secret(
        &self,
        ns: &str,
        kind: &str,
        auth: &mut Map<String, Value>,
        basic: bool,
    ) -> Result<(), String> {
        let Some(secret) = auth.remove("secret") else {
            return Ok(());
        };
        let name = secret.as_str().unwrap_or_default();
        let data = self
            .backends
            .secret(ns, name)
            .map_err(|e| format!("{kind}.secret: {e}"))?;
        let users = if basic && data.contains_key("username") && data.contains_key("password") {
            // A kubernetes.io/basic-auth Secret: one user, password stored SHA-1 hashed.
            let user = String::from_utf8_lossy(&data["username"]).into_owned();
            vec![format!("{user}:{{SHA}}{}", sha1_base64(&data["password"]))]
        } else {
            let [(_, value)] = data.iter().collect::<Vec<_>>()[..] else {
                return Err(format!(
                    "{kind}.secret: secret {ns}/{name} has {} keys; it must hold exactly one (the users file){}",
                    data.len(),
                    if basic {
                        ", or username and password"
                    } else {
                        ""
                    }
                ));
            };
            String::from_utf8_lossy(value)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        };
        auth.insert("users".into(), Value::from(users));
        Ok(())
    }

    /// `tls.caSecret` and `tls.certSecret` become inline `tls.ca`, `tls.cert`, `tls.key`.
    fn forward_auth_tls(&self, ns: &str, auth: &mut Map<String, Value>) -> Result<(), String> {
        let Some(Value::Object(tls)) = auth.get_mut("tls") else {
            return Ok(());
        };
        if let Some(secret) = tls.remove("caSecret") {
            let ca = self
                .backends
                .ca(ns, secret.as_str().unwrap_or_default())
                .map_err(|e| format!("forwardAuth.tls.caSecret: {e}"))?;
            tls.insert("ca".into(), Value::String(ca));
        }
        if let Some(secret) = tls.remove("certSecret") {
            let (cert, key) = self
                .backends
                .tls_pair(ns, secret.as_str().unwrap_or_default())
                .map_err(|e| format!("forwardAuth.tls.certSecret: {e}"))?;
            tls.insert("cert".into(), Value::String(cert));
            tls.insert("key".into(), Value::String(key));
        }
        Ok(())
    }

    /// `middlewares: [{name, namespace}]` become names.
    fn chain(&self, ns: &str, chain: &mut Map<String, Value>) -> Result<(), String> {
        let Some(refs) = chain.remove("middlewares") else {
            return Ok(());
        };
        let refs: Vec<ObjectRef> = serde_path_to_error::deserialize(refs)
            .map_err(|e| format!("chain.middlewares.{}: {}", e.path(), e.inner()))?;
        let names = refs
            .iter()
            .map(|r| self.middleware_name(ns, r).map(Value::String))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("chain: {e}"))?;
        chain.insert("middlewares".into(), Value::Array(names));
        Ok(())
    }

    /// `service` (a Service reference) becomes the service `<id>-errorpage-service`.
    fn error_page_service(
        &mut self,
        ns: &str,
        id: &str,
        errors: &mut Map<String, Value>,
    ) -> Result<(), String> {
        let Some(service) = errors.remove("service") else {
            return Ok(());
        };
        let r: ServiceRef = serde_path_to_error::deserialize(service)
            .map_err(|e| format!("errors.service.{}: {}", e.path(), e.inner()))?;
        let name = match self
            .name_and_service(ns, &r)
            .map_err(|e| format!("errors.service: {e}"))?
        {
            (_, Some(lb)) => {
                let name = format!("{id}-errorpage-service");
                self.out.add_service(name.clone(), lb);
                name
            }
            (full, None) => full,
        };
        errors.insert("service".into(), Value::String(name));
        Ok(())
    }
}

fn sha1_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha1::digest(data))
}
