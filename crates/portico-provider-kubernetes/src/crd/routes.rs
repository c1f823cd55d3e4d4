//! IngressRoutes: one router per route, named like Traefik's
//! (`crd/kubernetes_http.go loadIngressRouteConfiguration`).

use portico_config::raw::routing::{Router, RouterTls, Service, Weighted};

use super::{
    Builder,
    spec::{IngressRouteSpec, IngressRouteTls, Object, ObjectRef, Route},
};
use crate::{cluster::Kind, names};

impl Builder<'_> {
    /// Every IngressRoute's routes.
    pub(super) fn ingress_routes(&mut self) {
        for typed in self
            .cluster
            .typed::<Object<IngressRouteSpec>>(Kind::IngressRoute)
        {
            let key = &typed.key;
            let ingress_route = match typed.object {
                Ok(ir) => ir,
                Err(e) => {
                    // No route can be named: report against the object's own name.
                    let name = names::normalize(&names::make_id(&key.namespace, &key.name));
                    self.out
                        .fail_router(&name, format!("ingressroute {key}: {e}"));
                    continue;
                }
            };
            if !self.in_class(
                &ingress_route.metadata,
                ingress_route.spec.ingress_class_name.as_deref(),
            ) {
                continue;
            }
            let ns = key.namespace.as_str();
            if let Some(tls) = &ingress_route.spec.tls {
                self.secret_certificate(ns, &key.name, tls);
                if let Some(store) = tls.store.as_ref().filter(|s| s.name != "default") {
                    self.out.warnings.push(format!(
                        "ingressroute {key}: tls.store {:?}: only the default TLSStore is used",
                        store.name
                    ));
                }
            }
            for route in &ingress_route.spec.routes {
                let name = names::route_key(ns, &key.name, &route.rule);
                match self.route(ns, &ingress_route.spec, route, &name) {
                    Ok(router) => self.out.add_router(name, router),
                    Err(e) => self
                        .out
                        .fail_router(&name, format!("ingressroute {key}: {e}")),
                }
            }
        }
    }

    fn route(
        &mut self,
        ns: &str,
        spec: &IngressRouteSpec,
        route: &Route,
        name: &str,
    ) -> Result<Router, String> {
        match route.kind.as_deref() {
            None | Some("" | "Rule") => {}
            Some(other) => {
                return Err(format!(
                    "route {:?}: unsupported kind {other:?}",
                    route.rule
                ));
            }
        }
        let middlewares = route
            .middlewares
            .iter()
            .map(|m| self.middleware_name(ns, m))
            .collect::<Result<Vec<_>, _>>()?;
        let service = match route.services.as_slice() {
            [] => name.to_owned(),
            [one] => {
                let (full, service) = self.name_and_service(ns, &one.service)?;
                match service {
                    Some(lb) => {
                        self.out.add_service(name.to_owned(), lb);
                        name.to_owned()
                    }
                    None => full,
                }
            }
            several => {
                let services = self.weighted_services(ns, several)?;
                self.out.add_service(
                    name.to_owned(),
                    Service {
                        weighted: Some(Weighted {
                            services: Some(services),
                            ..Weighted::default()
                        }),
                        ..Service::default()
                    },
                );
                name.to_owned()
            }
        };
        let tls = spec
            .tls
            .as_ref()
            .map(|tls| self.router_tls(ns, tls))
            .transpose()?;
        Ok(Router {
            entry_points: (!spec.entry_points.is_empty()).then(|| spec.entry_points.clone()),
            middlewares: (!middlewares.is_empty()).then_some(middlewares),
            service: Some(service),
            rule: Some(route.rule.clone()),
            rule_syntax: route.syntax.clone(),
            priority: route.priority.filter(|p| *p != 0),
            tls,
            observability: route.observability.clone(),
            parent_refs: None,
        })
    }

    /// A middleware reference from an object in `ns`: `name@provider` as given,
    /// else `<namespace>-<name>` when the namespace is allowed.
    pub(super) fn middleware_name(&self, ns: &str, m: &ObjectRef) -> Result<String, String> {
        if m.name.contains('@') {
            return Ok(m.name.clone());
        }
        let target = m
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(ns);
        if !self.namespace_allowed(ns, target) {
            return Err(format!(
                "middleware {target}/{} is not in the IngressRoute namespace {ns}",
                m.name
            ));
        }
        Ok(names::normalize(&names::make_id(target, &m.name)))
    }

    fn router_tls(&self, ns: &str, tls: &IngressRouteTls) -> Result<RouterTls, String> {
        let options = match &tls.options {
            Some(o) if !o.name.is_empty() => Some(self.tls_option_name(ns, o)?),
            _ => None,
        };
        Ok(RouterTls {
            options,
            cert_resolver: tls.cert_resolver.clone().filter(|r| !r.is_empty()),
            domains: tls.domains.clone(),
        })
    }

    /// A TLSOption reference: `name@provider` as given, `default` as the global
    /// default, else `<namespace>-<name>`.
    fn tls_option_name(&self, ns: &str, o: &ObjectRef) -> Result<String, String> {
        if o.name.contains('@') || o.name == "default" {
            return Ok(o.name.clone());
        }
        let target = o
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(ns);
        if !self.namespace_allowed(ns, target) {
            return Err(format!(
                "TLSOption {target}/{} is not in the IngressRoute namespace {ns}",
                o.name
            ));
        }
        Ok(names::normalize(&names::make_id(target, &o.name)))
    }
}
