//! Services of services: `weighted`, `mirroring`, `failover`,
//! `highestRandomWeight`.

use crate::{
    model::{
        FailoverErrorsSpec, FailoverSpec, HighestRandomWeightSpec, MirroringSpec, QualifiedName,
        WeightedSpec, middleware::errors::StatusRanges,
    },
    raw::routing::{Failover, HighestRandomWeight, Mirroring, Weighted, WeightedService},
};

use super::{health, reference, weight};

pub(super) fn weighted(
    path: &str,
    raw: &Weighted,
    service: &QualifiedName,
    errors: &mut Vec<String>,
) -> WeightedSpec {
    WeightedSpec {
        services: weighted_services(
            &format!("{path}.services"),
            raw.services.as_deref(),
            service.provider(),
            errors,
        ),
        sticky: raw
            .sticky
            .as_ref()
            .and_then(|s| health::sticky(&format!("{path}.sticky"), s, service, errors)),
        health_check: raw.health_check.is_some(),
    }
}

pub(super) fn highest_random_weight(
    path: &str,
    raw: &HighestRandomWeight,
    provider: &str,
    errors: &mut Vec<String>,
) -> HighestRandomWeightSpec {
    HighestRandomWeightSpec {
        services: weighted_services(
            &format!("{path}.services"),
            raw.services.as_deref(),
            provider,
            errors,
        ),
        health_check: raw.health_check.is_some(),
    }
}

pub(super) fn mirroring(
    path: &str,
    raw: &Mirroring,
    provider: &str,
    errors: &mut Vec<String>,
) -> Option<MirroringSpec> {
    let service = reference(
        &format!("{path}.service"),
        raw.service.as_deref(),
        provider,
        errors,
    );
    let mut mirrors = Vec::new();
    for (i, mirror) in raw.mirrors.iter().flatten().enumerate() {
        let p = format!("{path}.mirrors[{i}]");
        let name = reference(
            &format!("{p}.name"),
            mirror.name.as_deref(),
            provider,
            errors,
        );
        let percent = match mirror.percent.map(u8::try_from) {
            None => 0,
            Some(Ok(n)) if n <= 100 => n,
            _ => {
                errors.push(format!(
                    "{p}.percent: must be between 0 and 100, found {}",
                    mirror.percent.unwrap_or_default()
                ));
                0
            }
        };
        if let Some(name) = name {
            mirrors.push((name, percent));
        }
    }
    Some(MirroringSpec {
        service: service?,
        mirrors,
        mirror_body: raw.mirror_body.unwrap_or(true),
        max_body_size: raw.max_body_size.and_then(|n| u64::try_from(n).ok()),
        health_check: raw.health_check.is_some(),
    })
}

pub(super) fn failover(
    path: &str,
    raw: &Failover,
    provider: &str,
    errors: &mut Vec<String>,
) -> Option<FailoverSpec> {
    let service = reference(
        &format!("{path}.service"),
        raw.service.as_deref(),
        provider,
        errors,
    );
    let fallback = reference(
        &format!("{path}.fallback"),
        raw.fallback.as_deref(),
        provider,
        errors,
    );
    let on_errors = raw.errors.as_ref().map(|e| {
        let status = match StatusRanges::parse(e.status.as_deref().unwrap_or_default()) {
            Ok(ranges) => ranges
                .ranges()
                .iter()
                .map(|&(low, high)| low..=high)
                .collect(),
            Err(message) => {
                errors.push(format!("{path}.errors.status: {message}"));
                Vec::new()
            }
        };
        FailoverErrorsSpec {
            status,
            max_request_body_bytes: e.max_request_body_bytes.and_then(|n| u64::try_from(n).ok()),
        }
    });
    Some(FailoverSpec {
        service: service?,
        fallback: fallback?,
        health_check: raw.health_check.is_some(),
        errors: on_errors,
    })
}

/// `services[]` of `weighted` and `highestRandomWeight`.
fn weighted_services(
    path: &str,
    raw: Option<&[WeightedService]>,
    provider: &str,
    errors: &mut Vec<String>,
) -> Vec<(QualifiedName, u32)> {
    let mut out = Vec::new();
    for (i, entry) in raw.unwrap_or_default().iter().enumerate() {
        let name = reference(
            &format!("{path}[{i}].name"),
            entry.name.as_deref(),
            provider,
            errors,
        );
        let weight = weight(&format!("{path}[{i}].weight"), entry.weight, errors);
        if let Some(name) = name {
            out.push((name, weight));
        }
    }
    out
}
