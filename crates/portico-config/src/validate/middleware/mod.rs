//! Middleware validation: exactly one kind per middleware, then the kind's own
//! checks (one module per kind).

mod add_prefix;
mod basic_auth;
mod buffering;
mod circuit_breaker;
mod compress;
mod content_type;
mod digest_auth;
mod encoded_characters;
mod errors;
mod forward_auth;
mod grpc_web;
mod headers;
mod in_flight_req;
mod ip_allow_list;
mod pass_tls_client_cert;
mod rate_limit;
mod redirect_regex;
mod redirect_scheme;
mod replace_path;
mod replace_path_regex;
mod retry;
mod strip_prefix;
mod strip_prefix_regex;

use crate::{
    model::{QualifiedName, middleware::MiddlewareSpec},
    raw::routing::Middleware,
};

/// Validates `http.middlewares.<name>` at `path` in `provider`'s configuration.
pub(crate) fn middleware(
    path: &str,
    raw: &Middleware,
    provider: &str,
) -> Result<MiddlewareSpec, Vec<String>> {
    let kinds = [
        ("addPrefix", raw.add_prefix.is_some()),
        ("basicAuth", raw.basic_auth.is_some()),
        ("buffering", raw.buffering.is_some()),
        ("circuitBreaker", raw.circuit_breaker.is_some()),
        ("compress", raw.compress.is_some()),
        ("contentType", raw.content_type.is_some()),
        ("digestAuth", raw.digest_auth.is_some()),
        ("encodedCharacters", raw.encoded_characters.is_some()),
        ("errors", raw.errors.is_some()),
        ("forwardAuth", raw.forward_auth.is_some()),
        ("grpcWeb", raw.grpc_web.is_some()),
        ("headers", raw.headers.is_some()),
        ("inFlightReq", raw.in_flight_req.is_some()),
        ("ipAllowList", raw.ip_allow_list.is_some()),
        ("passTlsClientCert", raw.pass_tls_client_cert.is_some()),
        ("rateLimit", raw.rate_limit.is_some()),
        ("redirectRegex", raw.redirect_regex.is_some()),
        ("redirectScheme", raw.redirect_scheme.is_some()),
        ("replacePath", raw.replace_path.is_some()),
        ("replacePathRegex", raw.replace_path_regex.is_some()),
        ("retry", raw.retry.is_some()),
        ("stripPrefix", raw.strip_prefix.is_some()),
        ("stripPrefixRegex", raw.strip_prefix_regex.is_some()),
        ("chain", raw.chain.is_some()),
        ("ipWhiteList", raw.ip_white_list.is_some()),
        ("plugin", raw.plugin.is_some()),
    ];
    let set: Vec<&str> = kinds
        .iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| *k)
        .collect();
    match set.as_slice() {
        [] => {
            return Err(vec![format!(
                "{path}: a middleware needs exactly one kind (addPrefix, headers, rateLimit, ...)"
            )]);
        }
        [_] => {}
        many => {
            return Err(vec![format!(
                "{path}: a middleware needs exactly one kind, found {many:?}"
            )]);
        }
    }
    match (set[0], true) {
        ("addPrefix", true) if raw.add_prefix.is_some() => add_prefix::validate(
            &format!("{path}.addPrefix"),
            raw.add_prefix.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::AddPrefix),
        ("basicAuth", true) if raw.basic_auth.is_some() => basic_auth::validate(
            &format!("{path}.basicAuth"),
            raw.basic_auth.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::BasicAuth),
        ("buffering", true) if raw.buffering.is_some() => buffering::validate(
            &format!("{path}.buffering"),
            raw.buffering.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::Buffering),
        ("circuitBreaker", true) if raw.circuit_breaker.is_some() => circuit_breaker::validate(
            &format!("{path}.circuitBreaker"),
            raw.circuit_breaker.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::CircuitBreaker),
        ("compress", true) if raw.compress.is_some() => {
            compress::validate(&format!("{path}.compress"), raw.compress.as_ref(), provider)
                .map(MiddlewareSpec::Compress)
        }
        ("contentType", true) if raw.content_type.is_some() => content_type::validate(
            &format!("{path}.contentType"),
            raw.content_type.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::ContentType),
        ("digestAuth", true) if raw.digest_auth.is_some() => digest_auth::validate(
            &format!("{path}.digestAuth"),
            raw.digest_auth.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::DigestAuth),
        ("encodedCharacters", true) if raw.encoded_characters.is_some() => {
            encoded_characters::validate(
                &format!("{path}.encodedCharacters"),
                raw.encoded_characters.as_ref(),
                provider,
            )
            .map(MiddlewareSpec::EncodedCharacters)
        }
        ("errors", true) if raw.errors.is_some() => {
            errors::validate(&format!("{path}.errors"), raw.errors.as_ref(), provider)
                .map(MiddlewareSpec::Errors)
        }
        ("forwardAuth", true) if raw.forward_auth.is_some() => forward_auth::validate(
            &format!("{path}.forwardAuth"),
            raw.forward_auth.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::ForwardAuth),
        ("grpcWeb", true) if raw.grpc_web.is_some() => {
            grpc_web::validate(&format!("{path}.grpcWeb"), raw.grpc_web.as_ref(), provider)
                .map(MiddlewareSpec::GrpcWeb)
        }
        ("headers", true) if raw.headers.is_some() => {
            headers::validate(&format!("{path}.headers"), raw.headers.as_ref(), provider)
                .map(MiddlewareSpec::Headers)
        }
        ("inFlightReq", true) if raw.in_flight_req.is_some() => in_flight_req::validate(
            &format!("{path}.inFlightReq"),
            raw.in_flight_req.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::InFlightReq),
        ("ipAllowList", true) if raw.ip_allow_list.is_some() => ip_allow_list::validate(
            &format!("{path}.ipAllowList"),
            raw.ip_allow_list.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::IpAllowList),
        ("passTlsClientCert", true) if raw.pass_tls_client_cert.is_some() => {
            pass_tls_client_cert::validate(
                &format!("{path}.passTlsClientCert"),
                raw.pass_tls_client_cert.as_ref(),
                provider,
            )
            .map(MiddlewareSpec::PassTlsClientCert)
        }
        ("rateLimit", true) if raw.rate_limit.is_some() => rate_limit::validate(
            &format!("{path}.rateLimit"),
            raw.rate_limit.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::RateLimit),
        ("redirectRegex", true) if raw.redirect_regex.is_some() => redirect_regex::validate(
            &format!("{path}.redirectRegex"),
            raw.redirect_regex.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::RedirectRegex),
        ("redirectScheme", true) if raw.redirect_scheme.is_some() => redirect_scheme::validate(
            &format!("{path}.redirectScheme"),
            raw.redirect_scheme.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::RedirectScheme),
        ("replacePath", true) if raw.replace_path.is_some() => replace_path::validate(
            &format!("{path}.replacePath"),
            raw.replace_path.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::ReplacePath),
        ("replacePathRegex", true) if raw.replace_path_regex.is_some() => {
            replace_path_regex::validate(
                &format!("{path}.replacePathRegex"),
                raw.replace_path_regex.as_ref(),
                provider,
            )
            .map(MiddlewareSpec::ReplacePathRegex)
        }
        ("retry", true) if raw.retry.is_some() => {
            retry::validate(&format!("{path}.retry"), raw.retry.as_ref(), provider)
                .map(MiddlewareSpec::Retry)
        }
        ("stripPrefix", true) if raw.strip_prefix.is_some() => strip_prefix::validate(
            &format!("{path}.stripPrefix"),
            raw.strip_prefix.as_ref(),
            provider,
        )
        .map(MiddlewareSpec::StripPrefix),
        ("stripPrefixRegex", true) if raw.strip_prefix_regex.is_some() => {
            strip_prefix_regex::validate(
                &format!("{path}.stripPrefixRegex"),
                raw.strip_prefix_regex.as_ref(),
                provider,
            )
            .map(MiddlewareSpec::StripPrefixRegex)
        }
        ("chain", true) => {
            let names = raw
                .chain
                .as_ref()
                .and_then(|c| c.middlewares.clone())
                .unwrap_or_default();
            if names.is_empty() {
                return Err(vec![format!(
                    "{path}.chain.middlewares: a chain needs at least one middleware"
                )]);
            }
            Ok(MiddlewareSpec::Chain(
                names
                    .iter()
                    .map(|n| QualifiedName::resolve(n, provider))
                    .collect(),
            ))
        }
        ("ipWhiteList", true) => Err(vec![format!(
            "{path}.ipWhiteList: removed in Traefik v3; use ipAllowList"
        )]),
        (other, _) => Err(vec![format!("{path}.{other}: not supported by Portico")]),
    }
}
