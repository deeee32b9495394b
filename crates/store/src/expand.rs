//! `expand`, for every engine: walks the expand tree level by level and asks the engine for each
//! relation's entities in one batched call per level, never one call per item.
//!
//! It works on documents parsed one level deep ([`LazyDoc`]): an expanded entity is turned back
//! into JSON text once, however many parents it is copied into.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;
use serde_json::value::RawValue;
use tessera_domain::ObjectId;
use tessera_domain::ResourceKind;
use tessera_domain::lazy::{LazyDoc, RawDoc, json_array, string_items, string_value};
use tessera_domain::query::{
    ExpandNode, Link, MAX_EXPANDED_OBJECTS, QueryError, SortKey, compare_by_keys, project_lazy,
    relation,
};

use crate::{RelationStore, Result, StoreError};

/// Replaces foreign-key ids in `docs` with the entities they name, as `nodes` asks.
/// Refuses (rather than truncates) a response that would hold more than
/// [`MAX_EXPANDED_OBJECTS`] expanded objects, counting every copy.
pub async fn expand(
    store: &dyn RelationStore, resource: ResourceKind, docs: &mut [LazyDoc], nodes: &[ExpandNode],
) -> Result<()> {
    let mut budget = MAX_EXPANDED_OBJECTS;
    expand_level(store, resource, docs, nodes, &mut budget).await.map(drop)
}

/// An expanded entity, ready to be copied into its parents.
struct Target {
    id: String,
    /// Its JSON text, with its own relations expanded and its `fields` option applied.
    json: String,
    /// Its values for the sort keys of the relation's options.
    keys: Vec<Option<Value>>,
    /// Objects it puts into the response: itself and all that is expanded inside it.
    weight: usize,
}

type Step<'a> = Pin<Box<dyn Future<Output = Result<Vec<usize>>> + Send + 'a>>;

/// Expands one level; answers, for each document, how many objects were placed inside it.
fn expand_level<'a>(
    store: &'a dyn RelationStore, resource: ResourceKind, docs: &'a mut [LazyDoc],
    nodes: &'a [ExpandNode], budget: &'a mut usize,
) -> Step<'a> {
    Box::pin(async move {
        let mut placed = vec![0usize; docs.len()];
        for node in nodes {
            let rel = relation(resource, &node.relation)?;
            match rel.link {
                Link::Many { field } => {
                    let wanted: Vec<Option<Vec<String>>> = docs
                        .iter()
                        .map(|d| {
                            d.get(field)
                                .filter(|j| j.starts_with('['))
                                .map(|r| string_items(Some(r)))
                        })
                        .collect();
                    let ids = distinct_ids(wanted.iter().flatten().flatten());
                    let targets = fetch(store, rel.target, ids, node, budget).await?;
                    for (i, doc) in docs.iter_mut().enumerate() {
                        let Some(ids) = &wanted[i] else { continue };
                        let mut items: Vec<&Target> =
                            ids.iter().filter_map(|id| targets.get(id)).collect();
                        sort_targets(&mut items, &node.options.sort);
                        let items = page(items, node);
                        placed[i] += charge(budget, items.iter().map(|t| t.weight).sum())?;
                        doc.set(field, json_array(items.iter().map(|t| t.json.as_str())));
                    }
                }
                Link::One { field, into } => {
                    let wanted: Vec<Option<String>> =
                        docs.iter().map(|d| string_value(d.get(field))).collect();
                    let ids = distinct_ids(wanted.iter().flatten());
                    let targets = fetch(store, rel.target, ids, node, budget).await?;
                    for (i, doc) in docs.iter_mut().enumerate() {
                        match wanted[i].as_ref().and_then(|id| targets.get(id)) {
                            Some(t) => {
                                placed[i] += charge(budget, t.weight)?;
                                doc.set(into, t.json.clone());
                            }
                            None => doc.set(into, "null".to_owned()),
                        }
                    }
                }
                Link::Referencing { field, into } => {
                    let parents: Vec<Option<ObjectId>> =
                        docs.iter().map(|d| d.id().and_then(|id| id.parse().ok())).collect();
                    let ids = distinct_ids(
                        parents
                            .iter()
                            .flatten()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .iter(),
                    );
                    let rows = store
                        .fetch_referencing(
                            rel.target,
                            field,
                            ids,
                            node.options.sort.clone(),
                            node.options.page,
                            *budget + 1,
                        )
                        .await?;
                    if rows.len() > *budget {
                        return Err(too_many().into());
                    }
                    // Each distinct entity is expanded and written once, whatever its parents.
                    let mut distinct: Vec<(ObjectId, RawDoc)> = Vec::new();
                    let mut index: HashMap<ObjectId, usize> = HashMap::new();
                    let mut by_parent: HashMap<ObjectId, Vec<usize>> = HashMap::new();
                    for row in rows {
                        let at = *index.entry(row.id).or_insert_with(|| {
                            distinct.push((row.id, row.doc));
                            distinct.len() - 1
                        });
                        by_parent.entry(row.parent).or_default().push(at);
                    }
                    let targets = finish(store, rel.target, distinct, node, budget).await?;
                    for (i, doc) in docs.iter_mut().enumerate() {
                        let ats = parents[i]
                            .and_then(|p| by_parent.get(&p))
                            .map_or(&[][..], Vec::as_slice);
                        placed[i] +=
                            charge(budget, ats.iter().map(|&at| targets[at].weight).sum())?;
                        doc.set(into, json_array(ats.iter().map(|&at| targets[at].json.as_str())));
                    }
                }
            }
        }
        Ok(placed)
    })
}

fn parse(raw: &RawValue) -> Result<LazyDoc> {
    LazyDoc::parse(raw)
        .map_err(|e| StoreError::Internal(format!("stored document is not an object: {e}")))
}

/// The distinct ids among `values`, as ObjectIds (strings that are not ids are skipped).
fn distinct_ids<'v>(values: impl Iterator<Item = &'v String>) -> Vec<ObjectId> {
    let mut ids: Vec<ObjectId> = values.filter_map(|v| v.parse().ok()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The entities with these ids, expanded and written, by id.
async fn fetch(
    store: &dyn RelationStore, target: ResourceKind, ids: Vec<ObjectId>, node: &ExpandNode,
    budget: &mut usize,
) -> Result<HashMap<String, Target>> {
    if ids.len() > *budget {
        return Err(too_many().into());
    }
    let raws = if ids.is_empty() { Vec::new() } else { store.fetch_by_ids(target, ids).await? };
    let targets = finish(store, target, raws, node, budget).await?;
    Ok(targets.into_iter().map(|t| (t.id.clone(), t)).collect())
}

/// Expands the entities' own relations, then writes each one out with the node's options.
async fn finish(
    store: &dyn RelationStore, target: ResourceKind, raws: Vec<(ObjectId, RawDoc)>,
    node: &ExpandNode, budget: &mut usize,
) -> Result<Vec<Target>> {
    let options = &node.options;
    if node.children.is_empty() && options.fields.is_none() && options.sort.is_empty() {
        // Nothing to change or to look at: the stored text goes out as it is.
        return Ok(raws
            .into_iter()
            .map(|(id, raw)| Target {
                id: id.to_string(),
                json: String::from(Box::<str>::from(raw)),
                keys: Vec::new(),
                weight: 1,
            })
            .collect());
    }
    let mut docs = raws.iter().map(|(_, raw)| parse(raw)).collect::<Result<Vec<_>>>()?;
    let placed = expand_level(store, target, &mut docs, &node.children, budget).await?;
    Ok(docs
        .into_iter()
        .zip(placed)
        .zip(raws.iter().map(|(id, _)| id.to_string()))
        .map(|((doc, inside), id)| {
            let keys = node.options.sort.iter().map(|k| doc.value_at(&k.path)).collect();
            let doc = match &node.options.fields {
                Some(p) => project_lazy(doc, p),
                None => doc,
            };
            Target { id, json: doc.to_json(), keys, weight: 1 + inside }
        })
        .collect())
}

fn sort_targets(items: &mut [&Target], keys: &[SortKey]) {
    if !keys.is_empty() {
        items.sort_by(|a, b| -> Ordering {
            compare_by_keys(keys, (&a.keys, &a.id), (&b.keys, &b.id))
        });
    }
}

/// The `skip`/`limit` of the relation's options, per parent.
fn page<'t>(items: Vec<&'t Target>, node: &ExpandNode) -> Vec<&'t Target> {
    let skip = usize::try_from(node.options.page.skip).unwrap_or(usize::MAX);
    let limit =
        node.options.page.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    items.into_iter().skip(skip).take(limit).collect()
}

fn charge(budget: &mut usize, n: usize) -> std::result::Result<usize, QueryError> {
    *budget = budget.checked_sub(n).ok_or_else(too_many)?;
    Ok(n)
}

fn too_many() -> QueryError {
    QueryError::TooLarge {
        param: "expand",
        message: format!(
            "the response would hold more than {MAX_EXPANDED_OBJECTS} expanded objects; \
             page the list with 'limit' or the relation with '(limit:n)'"
        ),
    }
}
