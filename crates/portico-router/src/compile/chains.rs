//! Resolving a router's middlewares into one flat, ordered list of built layers.

use std::{collections::HashMap, sync::Arc};

use portico_config::model::{QualifiedName, middleware::MiddlewareSpec};

use crate::middleware::HttpLayer;

/// A middleware built from a spec, kept for reuse by the next compilation.
pub(super) struct BuiltMiddleware {
    pub(super) spec: MiddlewareSpec,
    pub(super) layer: HttpLayer,
}

impl std::fmt::Debug for BuiltMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltMiddleware")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// Every middleware of one compilation: built, invalid (with errors), or a chain.
pub(super) struct Middlewares<'a> {
    pub(super) specs:
        &'a std::collections::BTreeMap<QualifiedName, Result<MiddlewareSpec, Vec<String>>>,
    pub(super) built: HashMap<QualifiedName, Result<Arc<BuiltMiddleware>, String>>,
}

impl Middlewares<'_> {
    /// Expands `names` (chains inlined, in order) into layers; the first layer sees
    /// the request first. Errors name the middleware and the reason; a chain that
    /// contains itself is refused with the cycle.
    pub(super) fn resolve(
        &self,
        names: &[QualifiedName],
    ) -> Result<(Vec<HttpLayer>, Vec<Arc<BuiltMiddleware>>), String> {
        let mut layers = Vec::new();
        let mut used = Vec::new();
        let mut stack = Vec::new();
        for name in names {
            self.expand(name, &mut stack, &mut layers, &mut used)?;
        }
        Ok((layers, used))
    }

    fn expand(
        &self,
        name: &QualifiedName,
        stack: &mut Vec<QualifiedName>,
        layers: &mut Vec<HttpLayer>,
        used: &mut Vec<Arc<BuiltMiddleware>>,
    ) -> Result<(), String> {
        if stack.contains(name) {
            let cycle: Vec<&str> = stack
                .iter()
                .chain(std::iter::once(name))
                .map(QualifiedName::as_str)
                .collect();
            return Err(format!("middleware chain cycle: {}", cycle.join(" -> ")));
        }
        match self.specs.get(name) {
            None => Err(format!("middleware {:?} does not exist", name.as_str())),
            Some(Err(errors)) => Err(format!(
                "middleware {:?} is invalid: {}",
                name.as_str(),
                errors.join("; ")
            )),
            Some(Ok(MiddlewareSpec::Chain(members))) => {
                stack.push(name.clone());
                for member in members {
                    self.expand(member, stack, layers, used)?;
                }
                stack.pop();
                Ok(())
            }
            Some(Ok(_)) => match self.built.get(name) {
                Some(Ok(built)) => {
                    layers.push(built.layer.clone());
                    used.push(built.clone());
                    Ok(())
                }
                Some(Err(error)) => Err(format!("middleware {:?}: {error}", name.as_str())),
                None => Err(format!("middleware {:?} was not built", name.as_str())),
            },
        }
    }
}
