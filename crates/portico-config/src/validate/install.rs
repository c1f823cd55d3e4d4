//! Install (static) configuration validation.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use ipnet::IpNet;
use portico_rules::Syntax;

use super::ValidationError;
use crate::{
    model::{
        EntryPointHttp, EntryPointSpec, EntryPointTls, FileProviderSpec, ForwardedHeadersSpec,
        InstallModel, LifeCycle, ListenAddress, LogFormat, LogSpec, ProvidersSpec, Redirect,
        RespondingTimeouts, TlsDomain, TransportSpec,
    },
    raw::{self, install as ri},
};

/// Validates an install configuration, applying Traefik's defaults.
///
/// Without any entrypoint, Traefik's implicit `http` entrypoint on `:80` is created.
///
/// # Example
///
/// ```
/// use portico_config::{raw::InstallConfig, validate};
///
/// let model = validate::install(&InstallConfig::default()).unwrap();
/// assert_eq!(model.entry_points["http"].address.to_string(), ":80");
/// ```
pub fn install(raw: &raw::InstallConfig) -> Result<InstallModel, Vec<ValidationError>> {
    let mut v = Validator::default();
    let mut model = InstallModel::default();

    match &raw.entry_points {
        Some(eps) if !eps.is_empty() => {
            for (name, ep) in eps {
                if let Some(spec) = v.entry_point(name, ep) {
                    model.entry_points.insert(name.clone(), spec);
                }
            }
        }
        _ => {
            let spec = EntryPointSpec::new("http", ListenAddress::AllInterfaces { port: 80 });
            model.entry_points.insert("http".to_owned(), spec);
        }
    }
    v.redirections(raw, &mut model);
    if let Some(p) = &raw.providers {
        model.providers = v.providers(p);
    }
    if let Some(log) = &raw.log {
        model.log = v.log(log);
    }
    if let Some(st) = &raw.servers_transport {
        model.servers_transport = v.servers_transport(st);
    }
    model.watch_static = raw.portico.as_ref().and_then(|p| p.watch).unwrap_or(false);
    if let Some(core) = &raw.core {
        match core
            .default_rule_syntax
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("v3") => {}
            Some("v2") => model.default_rule_syntax = Syntax::V2,
            Some(other) => v.error(
                "core.defaultRuleSyntax",
                format!("unknown syntax {other:?} (expected v3 or v2)"),
            ),
        }
    }

    let unsupported: [(&str, bool); 11] = [
        ("tcpServersTransport", raw.tcp_servers_transport.is_some()),
        ("api", raw.api.is_some()),
        ("ping", raw.ping.is_some()),
        ("metrics", raw.metrics.is_some()),
        ("accessLog", raw.access_log.is_some()),
        ("tracing", raw.tracing.is_some()),
        ("hostResolver", raw.host_resolver.is_some()),
        ("experimental", raw.experimental.is_some()),
        ("spiffe", raw.spiffe.is_some()),
        ("ocsp", raw.ocsp.is_some()),
        (
            "global.notAppendXForwardedFor",
            raw.global
                .as_ref()
                .is_some_and(|g| g.not_append_xforwarded_for.is_some()),
        ),
    ];
    for (key, present) in unsupported {
        if present {
            v.warn(key, "not supported by this Portico version; ignored");
        }
    }

    let report = super::acme::Report {
        errors: &mut v.errors,
        warnings: &mut v.warnings,
    };
    model.certificate_resolvers = super::acme::resolvers(raw, &model.entry_points, report);
    model.warnings = v.warnings;
    if v.errors.is_empty() {
        Ok(model)
    } else {
        Err(v.errors)
    }
}

#[derive(Default)]
struct Validator {
    errors: Vec<ValidationError>,
    warnings: Vec<String>,
}

impl Validator {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ValidationError::new(path, message));
    }

    fn warn(&mut self, path: &str, message: &str) {
        self.warnings.push(format!("{path}: {message}"));
    }

    /// A timeout: `None` when unset (use the default), `Some(None)` for 0 (no limit).
    fn timeout(&mut self, path: &str, d: Option<&raw::Duration>) -> Option<Option<Duration>> {
        let d = d?;
        if d.as_nanos() < 0 {
            self.error(path, format!("negative duration {:?}", d.text()));
            return None;
        }
        Some(d.as_std().filter(|d| !d.is_zero()))
    }

    fn entry_point(&mut self, name: &str, ep: &ri::EntryPoint) -> Option<EntryPointSpec> {
        let base = format!("entryPoints.{name}");
        let address = match ep.address.as_deref() {
            None => {
                self.error(format!("{base}.address"), "address is required");
                None
            }
            Some(text) => match ListenAddress::parse(text) {
                Ok(a) => Some(a),
                Err(e) => {
                    self.error(format!("{base}.address"), e.to_string());
                    None
                }
            },
        };
        let mut spec = EntryPointSpec::new(
            name,
            address
                .clone()
                .unwrap_or(ListenAddress::AllInterfaces { port: 0 }),
        );
        spec.as_default = ep.as_default.unwrap_or(false);
        spec.reuse_port = ep.reuse_port.unwrap_or(false);
        spec.allow_acme_bypass = ep.allow_acme_by_pass.unwrap_or(false);

        if let Some(transport) = &ep.transport {
            if let Some(rt) = &transport.responding_timeouts {
                let defaults = RespondingTimeouts::default();
                let p = format!("{base}.transport.respondingTimeouts");
                spec.timeouts = RespondingTimeouts {
                    read: self
                        .timeout(&format!("{p}.readTimeout"), rt.read_timeout.as_ref())
                        .unwrap_or(defaults.read),
                    write: self
                        .timeout(&format!("{p}.writeTimeout"), rt.write_timeout.as_ref())
                        .unwrap_or(defaults.write),
                    idle: self
                        .timeout(&format!("{p}.idleTimeout"), rt.idle_timeout.as_ref())
                        .unwrap_or(defaults.idle),
                };
            }
            if let Some(lc) = &transport.life_cycle {
                let defaults = LifeCycle::default();
                let p = format!("{base}.transport.lifeCycle");
                spec.life_cycle = LifeCycle {
                    request_accept_grace: self
                        .timeout(
                            &format!("{p}.requestAcceptGraceTimeout"),
                            lc.request_accept_grace_timeout.as_ref(),
                        )
                        .map(Option::unwrap_or_default)
                        .unwrap_or(defaults.request_accept_grace),
                    grace: self
                        .timeout(&format!("{p}.graceTimeOut"), lc.grace_time_out.as_ref())
                        .map(Option::unwrap_or_default)
                        .unwrap_or(defaults.grace),
                };
            }
            if transport.keep_alive_max_requests.is_some()
                || transport.keep_alive_max_time.is_some()
            {
                self.warn(
                    &format!("{base}.transport.keepAliveMax*"),
                    "not supported by this Portico version; ignored",
                );
            }
        }
        if let Some(fh) = &ep.forwarded_headers {
            spec.forwarded_headers = ForwardedHeadersSpec {
                insecure: fh.insecure.unwrap_or(false),
                trusted_ips: self.networks(
                    &format!("{base}.forwardedHeaders.trustedIPs"),
                    fh.trusted_ips.as_deref(),
                ),
            };
            if fh.connection.is_some()
                || fh.not_append_xforwarded_for.is_some()
                || fh.add_xforwarded_scheme_headers.is_some()
            {
                self.warn(&format!("{base}.forwardedHeaders"), "connection, notAppendXForwardedFor and addXForwardedSchemeHeaders are not supported by this Portico version; ignored");
            }
        }
        if let Some(http) = &ep.http {
            spec.http = self.entry_point_http(&base, http);
            spec.tls = http.tls.as_ref().map(|tls| EntryPointTls {
                options: tls.options.clone().filter(|o| !o.is_empty()),
                cert_resolver: tls.cert_resolver.clone().filter(|r| !r.is_empty()),
                domains: tls
                    .domains
                    .iter()
                    .flatten()
                    .map(|d| TlsDomain {
                        main: d.main.clone().unwrap_or_default(),
                        sans: d.sans.clone().unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        if let Some(h2) = ep.http2.as_ref().and_then(|h| h.max_concurrent_streams) {
            match u32::try_from(h2) {
                Ok(n) if n > 0 => spec.http.max_concurrent_streams = n,
                _ => self.error(
                    format!("{base}.http2.maxConcurrentStreams"),
                    format!("must be greater than 0, got {h2}"),
                ),
            }
        }
        for (key, present) in [
            ("proxyProtocol", ep.proxy_protocol.is_some()),
            ("http3", ep.http3.is_some()),
            ("udp", ep.udp.is_some()),
            ("observability", ep.observability.is_some()),
        ] {
            if present {
                self.warn(
                    &format!("{base}.{key}"),
                    "not supported by this Portico version; ignored",
                );
            }
        }
        address.map(|_| spec)
    }

    /// `http.redirections.entryPoint` of every entrypoint, once all addresses are
    /// known (`to` names another entrypoint, or is `:port`).
    fn redirections(&mut self, raw: &raw::InstallConfig, model: &mut InstallModel) {
        for (name, ep) in raw.entry_points.iter().flatten() {
            let Some(to) = ep
                .http
                .as_ref()
                .and_then(|h| h.redirections.as_ref())
                .and_then(|r| r.entry_point.as_ref())
            else {
                continue;
            };
            let path = format!("entryPoints.{name}.http.redirections.entryPoint");
            let mut target_name = None;
            let port = match to.to.as_deref().map(str::trim) {
                None | Some("") => {
                    self.error(
                        format!("{path}.to"),
                        "to is required (an entrypoint name or :port)",
                    );
                    continue;
                }
                Some(target) => match target.strip_prefix(':') {
                    Some(port) => match port.parse::<u16>() {
                        Ok(port) if port > 0 => port,
                        _ => {
                            self.error(format!("{path}.to"), format!("invalid port {target:?}"));
                            continue;
                        }
                    },
                    None => match model.entry_points.get(target) {
                        Some(spec) => {
                            target_name = Some(target.to_owned());
                            spec.address.port()
                        }
                        None => {
                            self.error(
                                format!("{path}.to"),
                                format!("entrypoint {target:?} does not exist"),
                            );
                            continue;
                        }
                    },
                },
            };
            let scheme = to
                .scheme
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "https".to_owned());
            if let Some(spec) = model.entry_points.get_mut(name) {
                spec.redirect = Some(Redirect {
                    port,
                    entry_point: target_name,
                    scheme,
                    permanent: to.permanent.unwrap_or(true),
                    priority: to.priority.unwrap_or(i64::MAX - 1),
                });
            }
        }
    }

    fn entry_point_http(&mut self, base: &str, http: &ri::EntryPointHttp) -> EntryPointHttp {
        let mut out = EntryPointHttp::default();
        out.sanitize_path = http.sanitize_path.unwrap_or(out.sanitize_path);
        out.encode_query_semicolons = http.encode_query_semicolons.unwrap_or(false);
        if let Some(max) = http.max_header_bytes {
            match usize::try_from(max) {
                Ok(n) if n > 0 => out.max_header_bytes = n,
                _ => self.error(
                    format!("{base}.http.maxHeaderBytes"),
                    format!("must be greater than 0, got {max}"),
                ),
            }
        }
        out.middlewares = http.middlewares.clone().unwrap_or_default();
        for (key, present) in [
            ("encodedCharacters", http.encoded_characters.is_some()),
            (
                "underscoreHeadersStrategy",
                http.underscore_headers_strategy.is_some(),
            ),
        ] {
            if present {
                self.warn(
                    &format!("{base}.http.{key}"),
                    "not supported by this Portico version; ignored",
                );
            }
        }
        out
    }

    fn networks(&mut self, path: &str, items: Option<&[String]>) -> Vec<IpNet> {
        let mut out = Vec::new();
        for (i, item) in items.unwrap_or_default().iter().enumerate() {
            let item = item.trim();
            let parsed = item
                .parse::<IpNet>()
                .map(|n| n.trunc())
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from));
            match parsed {
                Ok(net) => out.push(net),
                Err(_) => self.error(
                    format!("{path}[{i}]"),
                    format!("invalid IP or CIDR {item:?}"),
                ),
            }
        }
        out
    }

    fn providers(&mut self, p: &ri::Providers) -> ProvidersSpec {
        let mut out = ProvidersSpec::default();
        if let Some(throttle) = self.timeout(
            "providers.providersThrottleDuration",
            p.providers_throttle_duration.as_ref(),
        ) {
            out.throttle = throttle.unwrap_or_default();
        }
        if let Some(file) = &p.file {
            let nonempty = |s: &Option<String>| {
                s.as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(PathBuf::from)
            };
            let filename = nonempty(&file.filename);
            let directory = nonempty(&file.directory);
            match (&filename, &directory) {
                (None, None) => self.error("providers.file", "set filename or directory"),
                (Some(_), Some(_)) => {
                    self.error("providers.file", "set filename or directory, not both")
                }
                _ => {}
            }
            out.file = Some(FileProviderSpec {
                filename,
                directory,
                watch: file.watch.unwrap_or(true),
            });
        }
        if let Some(crd) = &p.kubernetes_crd {
            out.kubernetes_crd = Some(self.kubernetes_crd(crd));
        }
        if let Some(ingress) = &p.kubernetes_ingress {
            out.kubernetes_ingress = Some(self.kubernetes_ingress(ingress));
        }
        let unsupported = [
            ("docker", p.docker.is_some()),
            ("swarm", p.swarm.is_some()),
            ("kubernetesGateway", p.kubernetes_gateway.is_some()),
            (
                "kubernetesIngressNGINX",
                p.kubernetes_ingress_nginx.is_some(),
            ),
            ("knative", p.knative.is_some()),
            ("rest", p.rest.is_some()),
            ("consulCatalog", p.consul_catalog.is_some()),
            ("nomad", p.nomad.is_some()),
            ("ecs", p.ecs.is_some()),
            ("consul", p.consul.is_some()),
            ("etcd", p.etcd.is_some()),
            ("zooKeeper", p.zoo_keeper.is_some()),
            ("redis", p.redis.is_some()),
            ("http", p.http.is_some()),
            ("plugin", p.plugin.is_some()),
        ];
        for (key, present) in unsupported {
            if present {
                self.warn(
                    &format!("providers.{key}"),
                    "provider not supported by this Portico version; ignored",
                );
            }
        }
        out
    }

    fn log(&mut self, log: &ri::Log) -> LogSpec {
        let mut out = LogSpec::default();
        if let Some(level) = &log.level {
            match level.trim().to_ascii_lowercase().as_str() {
                "trace" | "debug" | "info" | "warn" | "warning" | "error" => {
                    out.level = level.trim().to_ascii_lowercase();
                }
                "fatal" | "panic" => out.level = "error".to_owned(),
                _ => self.error("log.level", format!("unknown level {level:?} (expected TRACE, DEBUG, INFO, WARN, ERROR, FATAL or PANIC)")),
            }
        }
        if let Some(format) = &log.format {
            match format.trim().to_ascii_lowercase().as_str() {
                "common" => out.format = LogFormat::Common,
                "json" => out.format = LogFormat::Json,
                _ => self.error(
                    "log.format",
                    format!("unknown format {format:?} (expected common or json)"),
                ),
            }
        }
        out.file_path = log
            .file_path
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        if log.max_size.is_some()
            || log.max_age.is_some()
            || log.max_backups.is_some()
            || log.compress.is_some()
        {
            self.warn("log", "rotation (maxSize, maxAge, maxBackups, compress) is not supported; use logrotate with copytruncate");
        }
        out
    }

    fn servers_transport(&mut self, st: &ri::ServersTransport) -> TransportSpec {
        let mut out = TransportSpec::default();
        if let Some(ft) = &st.forwarding_timeouts {
            let p = "serversTransport.forwardingTimeouts";
            if let Some(d) = self.timeout(&format!("{p}.dialTimeout"), ft.dial_timeout.as_ref()) {
                out.dial_timeout = d;
            }
            if let Some(d) = self.timeout(
                &format!("{p}.responseHeaderTimeout"),
                ft.response_header_timeout.as_ref(),
            ) {
                out.response_header_timeout = d;
            }
            if let Some(d) = self.timeout(
                &format!("{p}.idleConnTimeout"),
                ft.idle_conn_timeout.as_ref(),
            ) {
                out.idle_conn_timeout = d;
            }
        }
        if let Some(max) = st.max_idle_conns_per_host {
            match usize::try_from(max) {
                // Go's http.Transport uses 2 when the setting is zero.
                Ok(0) => out.max_idle_conns_per_host = 2,
                Ok(n) => out.max_idle_conns_per_host = n,
                Err(_) => self.error(
                    "serversTransport.maxIdleConnsPerHost",
                    format!("must not be negative, got {max}"),
                ),
            }
        }
        if st.insecure_skip_verify.is_some() || st.root_cas.is_some() || st.spiffe.is_some() {
            self.warn("serversTransport", "TLS to backends (insecureSkipVerify, rootCAs, spiffe) is not supported by this Portico version; ignored");
        }
        out
    }
}

mod kubernetes;

#[cfg(test)]
mod tests;
