//! Kubernetes providers: Traefik's custom resources (`providers.kubernetesCRD`)
//! and Ingress objects (`providers.kubernetesIngress`), turned into the same
//! routing configuration the file provider produces.
//!
//! - [`cluster`]: the objects last seen, by resource, namespace and name, filled
//!   by watchers ([`watch`]) or by manifest files ([`manifests`]).
//! - [`crd`] and [`ingress`]: translation of a [`cluster::Cluster`] into a
//!   [`translation::Translation`] (routers, services, middlewares, TLS, and the
//!   reasons for what could not be translated), with Traefik's names
//!   ([`names`]) and its Service and EndpointSlice resolution ([`backends`]).
//!
//! # Example
//!
//! ```
//! use portico_config::model::KubernetesCrdSpec;
//! use portico_provider_kubernetes::{cluster::Cluster, crd};
//!
//! let mut cluster = Cluster::default();
//! for doc in [
//!     r#"{"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
//!         "metadata": {"name": "app", "namespace": "default"},
//!         "spec": {"routes": [{"match": "Host(`a.test`)", "services": [{"name": "web", "port": 80}]}]}}"#,
//!     r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
//!         "spec": {"ports": [{"name": "http", "port": 80}]}}"#,
//!     r#"{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
//!         "metadata": {"name": "web-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "web"}},
//!         "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
//!         "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": true}}]}"#,
//! ] {
//!     cluster.apply_value(serde_json::from_str(doc).unwrap()).unwrap();
//! }
//! let t = crd::translate(&cluster, &KubernetesCrdSpec::default());
//! let services = t.config.http.unwrap().services.unwrap();
//! let (_, service) = services.iter().next().unwrap();
//! let url = service.load_balancer.as_ref().unwrap().servers.as_ref().unwrap()[0].url.clone();
//! assert_eq!(url.as_deref(), Some("http://127.0.0.1:8080"));
//! ```

pub mod backends;
pub mod cluster;
pub mod crd;
pub mod ingress;
pub mod manifests;
pub mod names;
pub mod selector;
pub mod translation;
pub mod watch;
