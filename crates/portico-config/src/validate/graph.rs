//! References between services, checked on the merged model of every provider:
//! unknown or invalid services and transports, reference cycles, and the services
//! that depend on a failed one.

use std::collections::{BTreeMap, VecDeque};

use crate::model::{QualifiedName, RoutingModel, ServiceSpec};

/// Checks the references of every valid service of the merged `model`, and turns
/// the services that cannot be built into errors:
///
/// - a service naming a service or a `serversTransport` that does not exist, or
///   that is invalid, fails with an error naming the reference;
/// - every service in a reference cycle fails (`... reference cycle a@file ->
///   b@file -> a@file`);
/// - then every service that depends, directly or not, on a failed service fails
///   too, naming the dependency and the root cause.
///
/// References may cross providers (`name@provider`), so this runs once the models
/// of every provider are merged with [`RoutingModel::extend`], before the routing
/// table is compiled. The result is deterministic (map order) and running it again
/// changes nothing.
///
/// # Example
///
/// ```
/// use portico_config::{parse_routing, Format, validate};
///
/// let raw = parse_routing(
///     "http:\n  services:\n    a:\n      failover:\n        service: b\n        fallback: gone\n    b:\n      weighted:\n        services:\n          - name: a\n",
///     Format::Yaml,
///     "dynamic.yaml",
/// ).unwrap();
/// let mut model = validate::routing("file", &raw, &Default::default());
/// validate::service_graph(&mut model);
/// let a = model.services.values().next().unwrap().as_ref().unwrap_err();
/// assert!(a.iter().any(|e| e.ends_with("unknown service gone@file")));
/// assert!(a.iter().any(|e| e.ends_with("reference cycle a@file -> b@file -> a@file")));
/// ```
pub fn service_graph(model: &mut RoutingModel) {
    let names: Vec<QualifiedName> = model.services.keys().cloned().collect();
    let index: BTreeMap<&QualifiedName, usize> =
        names.iter().enumerate().map(|(i, q)| (q, i)).collect();
    let n = names.len();
    let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); n];
    let mut new_errors: Vec<Vec<String>> = vec![Vec::new(); n];
    // The first error of each failed service: what dependents report.
    let mut reason: Vec<Option<String>> = vec![None; n];
    // The service whose failure a failed service inherits (itself at the root).
    let mut root: Vec<Option<usize>> = vec![None; n];

    for (i, (name, result)) in model.services.iter().enumerate() {
        let spec = match result {
            Ok(spec) => spec,
            Err(errors) => {
                root[i] = Some(i);
                reason[i] = Some(errors.first().cloned().unwrap_or_default());
                continue;
            }
        };
        let base = format!("http.services.{}.{}", name.name(), spec.kind());
        if let ServiceSpec::LoadBalancer(lb) = spec
            && let Some(t) = &lb.servers_transport
        {
            let path = format!("{base}.serversTransport");
            match model.servers_transports.get(t) {
                None => new_errors[i].push(format!("{path}: unknown serversTransport {t}")),
                Some(Err(e)) => new_errors[i].push(format!(
                    "{path}: serversTransport {t} is invalid ({})",
                    e.first().map_or("", String::as_str)
                )),
                Some(Ok(_)) => {}
            }
        }
        for (suffix, target) in references(spec) {
            let path = format!("{base}.{suffix}");
            match index.get(target) {
                Some(&j) => edges[i].push(Edge { path, target: j }),
                None => new_errors[i].push(format!("{path}: unknown service {target}")),
            }
        }
    }

    for component in cyclic_components(&edges) {
        for &member in &component {
            if let Some((first, cycle)) = shortest_cycle(member, &component, &edges) {
                let chain: Vec<&str> = cycle.iter().map(|&k| names[k].as_str()).collect();
                new_errors[member].push(format!(
                    "{}: reference cycle {}",
                    edges[member][first].path,
                    chain.join(" -> ")
                ));
            }
        }
    }
    for (i, (cause, errors)) in root.iter_mut().zip(&new_errors).enumerate() {
        if cause.is_none() && !errors.is_empty() {
            *cause = Some(i);
            reason[i] = errors.first().cloned();
        }
    }

    propagate(&names, &edges, &mut root, &reason, &mut new_errors);

    for (i, name) in names.iter().enumerate() {
        if new_errors[i].is_empty() {
            continue;
        }
        if let Some(slot) = model.services.get_mut(name)
            && slot.is_ok()
        {
            *slot = Err(std::mem::take(&mut new_errors[i]));
        }
    }
}

/// A reference from a service to a known service.
#[derive(Clone, Debug)]
struct Edge {
    /// The full key path of the reference.
    path: String,
    /// The referenced service's index.
    target: usize,
}

/// The service references of `spec`, each with its key path below the kind.
fn references(spec: &ServiceSpec) -> Vec<(String, &QualifiedName)> {
    fn listed(services: &[(QualifiedName, u32)]) -> Vec<(String, &QualifiedName)> {
        services
            .iter()
            .enumerate()
            .map(|(i, (q, _))| (format!("services[{i}].name"), q))
            .collect()
    }
    match spec {
        ServiceSpec::LoadBalancer(_) => Vec::new(),
        ServiceSpec::Weighted(w) => listed(&w.services),
        ServiceSpec::HighestRandomWeight(h) => listed(&h.services),
        ServiceSpec::Mirroring(m) => std::iter::once(("service".to_owned(), &m.service))
            .chain(
                m.mirrors
                    .iter()
                    .enumerate()
                    .map(|(i, (q, _))| (format!("mirrors[{i}].name"), q)),
            )
            .collect(),
        ServiceSpec::Failover(f) => vec![
            ("service".to_owned(), &f.service),
            ("fallback".to_owned(), &f.fallback),
        ],
    }
}

/// Strongly connected components that hold a cycle (more than one member, or one
/// referencing itself), members sorted; Tarjan's algorithm, without recursion.
fn cyclic_components(edges: &[Vec<Edge>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut order = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for start in 0..n {
        if order[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0)];
        order[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(edge) = edges[v].get(*e) {
                *e += 1;
                let w = edge.target;
                if order[w] == usize::MAX {
                    order[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = component.len() > 1 || edges[v].iter().any(|e| e.target == v);
                if cyclic {
                    component.sort_unstable();
                    out.push(component);
                }
            }
        }
    }
    out.sort();
    out
}

/// The shortest cycle from `start` back to itself inside `component` (breadth
/// first, edges in configuration order): the index of its first edge in
/// `edges[start]`, and the services on it, `start` first and last.
fn shortest_cycle(
    start: usize,
    component: &[usize],
    edges: &[Vec<Edge>],
) -> Option<(usize, Vec<usize>)> {
    let inside = |k: usize| component.binary_search(&k).is_ok();
    // For each service reached: the service it was reached from.
    let mut from: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for edge in &edges[v] {
            let w = edge.target;
            if w == start {
                let mut cycle = vec![start, v];
                let mut at = v;
                while at != start {
                    at = *from.get(&at)?;
                    cycle.push(at);
                }
                cycle.reverse();
                let second = cycle.get(1).copied()?;
                let first = edges[start].iter().position(|e| e.target == second)?;
                return Some((first, cycle));
            }
            if inside(w) && !from.contains_key(&w) {
                from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

/// Fails every service that depends on a failed one, dependencies first (an
/// iterative depth-first walk; what is left once cycles failed is acyclic).
fn propagate(
    names: &[QualifiedName],
    edges: &[Vec<Edge>],
    root: &mut [Option<usize>],
    reason: &[Option<String>],
    new_errors: &mut [Vec<String>],
) {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let n = names.len();
    let mut state: Vec<u8> = (0..n)
        .map(|i| if root[i].is_some() { DONE } else { NEW })
        .collect();
    for start in 0..n {
        if state[start] != NEW {
            continue;
        }
        state[start] = OPEN;
        let mut work = vec![(start, 0)];
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(edge) = edges[v].get(*e) {
                *e += 1;
                if state[edge.target] == NEW {
                    state[edge.target] = OPEN;
                    work.push((edge.target, 0));
                }
                continue;
            }
            work.pop();
            state[v] = DONE;
            for edge in &edges[v] {
                let Some(cause) = root[edge.target] else {
                    continue;
                };
                let dep = &names[edge.target];
                let why = reason[cause].as_deref().unwrap_or_default();
                new_errors[v].push(if cause == edge.target {
                    format!("{}: service {dep} is invalid ({why})", edge.path)
                } else {
                    format!(
                        "{}: service {dep} is invalid (through {}: {why})",
                        edge.path, names[cause]
                    )
                });
                root[v].get_or_insert(cause);
            }
        }
    }
}

#[cfg(test)]
mod tests;
