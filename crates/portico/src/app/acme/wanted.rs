//! Which certificates the routers of a configuration want from which resolver, and
//! what they cannot get.

use portico_acme::domains_for_router;
use portico_config::model::{InstallModel, RoutingModel};
use portico_router::RuntimeStatus;

use super::Wanted;

/// What routers of `model` want from which resolver: their `tls.certResolver` (or
/// their entrypoint's `http.tls.certResolver`), for their `tls.domains` or, without
/// any, the hosts of their rule.
///
/// What cannot be obtained is left out and written into the router's `status`
/// (the router keeps serving, with whatever certificate the store picks, as
/// Traefik's does): a resolver that does not exist, a wildcard without DNS-01, a
/// name ACME refuses.
pub(crate) fn wanted(
    model: &RoutingModel,
    install: &InstallModel,
    status: &mut RuntimeStatus,
) -> Wanted {
    let mut wanted = Wanted::new();
    for (name, router) in &model.routers {
        let Ok(router) = router else { continue };
        let entry_points: Vec<&String> = match &router.entry_points {
            Some(eps) => eps.iter().collect(),
            None => install
                .entry_points
                .values()
                .filter(|e| e.as_default)
                .map(|e| &e.name)
                .collect(),
        };
        let mut picks = Vec::new();
        if let Some(tls) = &router.tls
            && let Some(resolver) = &tls.cert_resolver
        {
            picks.push(("tls.certResolver".to_owned(), resolver, tls.domains.clone()));
        }
        for ep in entry_points {
            if let Some(ep_tls) = install.entry_points.get(ep).and_then(|e| e.tls.as_ref())
                && let Some(resolver) = &ep_tls.cert_resolver
            {
                let domains = router
                    .tls
                    .as_ref()
                    .filter(|t| !t.domains.is_empty())
                    .map_or_else(|| ep_tls.domains.clone(), |t| t.domains.clone());
                let key = format!("entryPoints.{ep}.http.tls.certResolver");
                picks.push((key, resolver, domains));
            }
        }
        let mut problems = Vec::new();
        for (key, resolver, domains) in picks {
            let Some(spec) = install.certificate_resolvers.get(resolver) else {
                problems.push(format!(
                    "{key}: certificate resolver {resolver:?} does not exist; no certificate is obtained for this router"
                ));
                continue;
            };
            let dns01 = spec.dns_challenge.is_some();
            for certificate in domains_for_router(&domains, &router.rule.hosts()) {
                match certificate.check(dns01) {
                    Ok(_) => {
                        wanted
                            .entry(resolver.clone())
                            .or_default()
                            .insert(certificate);
                    }
                    Err(e) => problems.push(format!(
                        "{key}: certificate resolver {resolver:?} cannot obtain a certificate for {certificate}: {e}"
                    )),
                }
            }
        }
        if !problems.is_empty()
            && let Some(state) = status.routers.get_mut(&name.to_string())
        {
            state.errors.extend(problems);
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use portico_acme::CertDomains;
    use portico_config::{Format, parse_install, parse_routing, validate};
    use portico_router::{RouterStatus, RuntimeStatus};

    use super::wanted;

    const INSTALL: &str = "entryPoints:\n  web:\n    address: ':80'\n  websecure:\n    address: ':443'\n    http:\n      tls:\n        certResolver: dns\n        domains: [{main: ep.example.com}]\ncertificatesResolvers:\n  le:\n    acme:\n      httpChallenge: {entryPoint: web}\n  dns:\n    acme:\n      dnsChallenge: {provider: exec}\n";

    fn run(routers: &str) -> (super::Wanted, RuntimeStatus) {
        let install = validate::install(
            &parse_install(INSTALL, Format::Yaml, "static.yaml").expect("install parses"),
        )
        .expect("install is valid");
        let yaml = format!(
            "http:\n  routers:\n{routers}  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:9000\n"
        );
        let raw = parse_routing(&yaml, Format::Yaml, "dynamic.yaml").expect("routing parses");
        let model = validate::routing("file", &raw, &Default::default());
        let mut status = RuntimeStatus::default();
        for name in model.routers.keys() {
            status
                .routers
                .insert(name.to_string(), RouterStatus::default());
        }
        let wanted = wanted(&model, &install, &mut status);
        (wanted, status)
    }

    fn certs(names: &[(&str, &[&str])]) -> std::collections::BTreeSet<CertDomains> {
        names
            .iter()
            .map(|(main, sans)| CertDomains::new(*main, sans.iter().copied()))
            .collect()
    }

    #[test]
    fn router_and_entrypoint_resolvers_collect_their_domains() {
        let (wanted, status) = run(
            "    a:\n      rule: Host(`a.example.com`) || Host(`b.example.com`)\n      entryPoints: [web]\n      service: s\n      tls: {certResolver: le}\n    w:\n      rule: Host(`x.example.com`)\n      entryPoints: [websecure]\n      service: s\n      tls: {certResolver: dns, domains: [{main: '*.example.com'}]}\n    e:\n      rule: Host(`e.example.com`)\n      entryPoints: [websecure]\n      service: s\n",
        );
        assert_eq!(
            wanted["le"],
            certs(&[("a.example.com", &["b.example.com"])])
        );
        // `w` names `dns` itself (wildcard allowed: DNS-01); `e` inherits the
        // entrypoint's resolver and domains.
        assert_eq!(
            wanted["dns"],
            certs(&[("*.example.com", &[]), ("ep.example.com", &[])])
        );
        assert!(status.problems().is_empty(), "{:?}", status.problems());
    }

    #[test]
    fn what_cannot_be_obtained_is_reported_on_the_router() {
        let (wanted, status) = run(
            "    ghost:\n      rule: Host(`g.example.com`)\n      entryPoints: [web]\n      service: s\n      tls: {certResolver: nope}\n    wild:\n      rule: Host(`x.example.com`)\n      entryPoints: [web]\n      service: s\n      tls: {certResolver: le, domains: [{main: '*.example.com'}]}\n",
        );
        assert!(wanted.is_empty(), "{wanted:?}");
        assert_eq!(
            status.routers["ghost@file"].errors,
            [
                "tls.certResolver: certificate resolver \"nope\" does not exist; no certificate is obtained for this router"
            ]
        );
        assert_eq!(
            status.routers["wild@file"].errors,
            [
                "tls.certResolver: certificate resolver \"le\" cannot obtain a certificate for *.example.com: wildcard domain \"*.example.com\" needs the DNS-01 challenge (dnsChallenge)"
            ]
        );
    }
}
