//! Building services, reusing those whose definition did not change.

use std::{collections::HashMap, sync::Arc};

use portico_config::model::{QualifiedName, ServiceSpec};
use portico_core::{BoxHttpService, box_http_service};
use portico_proxy::{Forwarder, LoadBalancer, Target, Transport};

/// A service built from a spec, kept for reuse by the next compilation.
#[derive(Debug)]
pub(super) struct BuiltService {
    pub(super) spec: ServiceSpec,
    pub(super) service: BoxHttpService,
}

/// Builds `spec`, or takes the previous build of `name` when its spec is equal.
pub(super) fn build(
    name: &QualifiedName,
    spec: &ServiceSpec,
    transport: &Transport,
    previous: &mut HashMap<QualifiedName, Arc<BuiltService>>,
) -> Result<Arc<BuiltService>, Vec<String>> {
    if let Some(old) = previous.remove(name)
        && &old.spec == spec
    {
        return Ok(old);
    }
    let service = match spec {
        ServiceSpec::LoadBalancer(lb) => {
            let mut servers = Vec::with_capacity(lb.servers.len());
            let mut errors = Vec::new();
            for (i, server) in lb.servers.iter().enumerate() {
                match Target::parse(&server.url) {
                    Ok(target) => servers.push((
                        Arc::new(target.with_preserve_path(server.preserve_path)),
                        server.weight,
                    )),
                    Err(e) => errors.push(format!("loadBalancer.servers[{i}].url: {e}")),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            let forwarder = Forwarder::new(transport.clone()).pass_host_header(lb.pass_host_header);
            box_http_service(LoadBalancer::new(servers, forwarder))
        }
    };
    Ok(Arc::new(BuiltService {
        spec: spec.clone(),
        service,
    }))
}
