//! `expand`, for every engine: walks the expand tree level by level and asks the engine for each
//! relation's entities in one batched call per level, never one call per item.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;
use tessera_domain::query::{
    ExpandNode, ExpandOptions, Link, MAX_EXPANDED_OBJECTS, QueryError, Resource, project, relation,
    sort_documents,
};
use tessera_domain::{Document, ObjectId};

use crate::{Result, Store};

/// Replaces foreign-key ids in `docs` with the entities they name, as `nodes` asks.
/// Refuses (rather than truncates) a response that would hold more than
/// [`MAX_EXPANDED_OBJECTS`] expanded objects.
pub async fn expand(
    store: &dyn Store,
    resource: Resource,
    docs: &mut [Document],
    nodes: &[ExpandNode],
) -> Result<()> {
    let mut budget = MAX_EXPANDED_OBJECTS;
    expand_level(store, resource, docs, nodes, &mut budget).await
}

type Step<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

fn expand_level<'a>(
    store: &'a dyn Store,
    resource: Resource,
    docs: &'a mut [Document],
    nodes: &'a [ExpandNode],
    budget: &'a mut usize,
) -> Step<'a> {
    Box::pin(async move {
        for node in nodes {
            let rel = relation(resource, &node.relation)?;
            match rel.link {
                Link::Many { field } => {
                    let ids = ids_in(docs.iter().flat_map(|d| {
                        d.get(field).and_then(Value::as_array).into_iter().flatten()
                    }));
                    let targets = fetch(store, rel.target, ids, node, budget).await?;
                    for doc in docs.iter_mut() {
                        let Some(Value::Array(ids)) = doc.get(field) else {
                            continue;
                        };
                        let items: Vec<Document> = ids
                            .iter()
                            .filter_map(|id| targets.get(id.as_str()?).cloned())
                            .collect();
                        let items = shape_list(items, rel.target, node, budget)?;
                        doc.insert(field.to_owned(), items);
                    }
                }
                Link::One { field, into } => {
                    let ids = ids_in(docs.iter().filter_map(|d| d.get(field)));
                    let targets = fetch(store, rel.target, ids, node, budget).await?;
                    for doc in docs.iter_mut() {
                        let target = doc
                            .get(field)
                            .and_then(Value::as_str)
                            .and_then(|id| targets.get(id));
                        let value = match target {
                            Some(t) => {
                                charge(budget, weight(t, rel.target, &node.children))?;
                                Value::Object(project_opt(t.clone(), &node.options))
                            }
                            None => Value::Null,
                        };
                        doc.insert(into.to_owned(), value);
                    }
                }
                Link::Referencing { field, into } => {
                    let parents = ids_in(docs.iter().filter_map(|d| d.get("_id")));
                    let rows = store
                        .fetch_referencing(
                            rel.target,
                            field,
                            parents,
                            node.options.sort.clone(),
                            node.options.page,
                            *budget + 1,
                        )
                        .await?;
                    charge(budget, rows.len())?;
                    // Children are expanded once per distinct entity, however many parents share it.
                    let mut distinct: Vec<Document> = Vec::new();
                    let mut index: HashMap<String, usize> = HashMap::new();
                    let mut by_parent: HashMap<ObjectId, Vec<usize>> = HashMap::new();
                    for (parent, doc) in rows {
                        let id = doc
                            .get("_id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        let at = *index.entry(id).or_insert_with(|| {
                            distinct.push(doc);
                            distinct.len() - 1
                        });
                        by_parent.entry(parent).or_default().push(at);
                    }
                    expand_level(store, rel.target, &mut distinct, &node.children, budget).await?;
                    let weights: Vec<usize> = distinct
                        .iter()
                        .map(|d| weight(d, rel.target, &node.children))
                        .collect();
                    for doc in docs.iter_mut() {
                        let parent = doc
                            .get("_id")
                            .and_then(Value::as_str)
                            .and_then(|s| s.parse::<ObjectId>().ok());
                        let ats = parent
                            .and_then(|p| by_parent.get(&p))
                            .map_or(&[][..], Vec::as_slice);
                        // Each row was charged once above; what its own expansions hold, here.
                        charge(budget, ats.iter().map(|&at| weights[at] - 1).sum())?;
                        let items = ats
                            .iter()
                            .map(|&at| {
                                Value::Object(project_opt(distinct[at].clone(), &node.options))
                            })
                            .collect();
                        doc.insert(into.to_owned(), Value::Array(items));
                    }
                }
            }
        }
        Ok(())
    })
}

/// The distinct ids among `values` (strings that are not ids are skipped).
fn ids_in<'v>(values: impl Iterator<Item = &'v Value>) -> Vec<ObjectId> {
    let mut ids: Vec<ObjectId> = values.filter_map(|v| v.as_str()?.parse().ok()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The entities with these ids, their own relations expanded, by id.
async fn fetch(
    store: &dyn Store,
    target: Resource,
    ids: Vec<ObjectId>,
    node: &ExpandNode,
    budget: &mut usize,
) -> Result<HashMap<String, Document>> {
    if ids.len() > *budget {
        return Err(too_many().into());
    }
    let mut fetched = if ids.is_empty() {
        Vec::new()
    } else {
        store.fetch_by_ids(target, ids).await?
    };
    expand_level(store, target, &mut fetched, &node.children, budget).await?;
    Ok(fetched
        .into_iter()
        .filter_map(|d| Some((d.get("_id")?.as_str()?.to_owned(), d)))
        .collect())
}

/// One parent's list of expanded entities: sorted, paged and projected as the options say.
fn shape_list(
    mut items: Vec<Document>,
    target: Resource,
    node: &ExpandNode,
    budget: &mut usize,
) -> Result<Value> {
    let options = &node.options;
    sort_documents(&mut items, &options.sort);
    let skip = usize::try_from(options.page.skip).unwrap_or(usize::MAX);
    let limit = options
        .page
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let items: Vec<Document> = items.into_iter().skip(skip).take(limit).collect();
    charge(
        budget,
        items
            .iter()
            .map(|d| weight(d, target, &node.children))
            .sum(),
    )?;
    Ok(Value::Array(
        items
            .into_iter()
            .map(|d| Value::Object(project_opt(d, options)))
            .collect(),
    ))
}

/// How many objects an expanded entity puts into the response: itself and everything expanded
/// inside it (an entity shared by many parents is copied into each, and counts each time).
fn weight(doc: &Document, resource: Resource, nodes: &[ExpandNode]) -> usize {
    let mut total = 1;
    for node in nodes {
        let Ok(rel) = relation(resource, &node.relation) else {
            continue;
        };
        let key = match rel.link {
            Link::Many { field } => field,
            Link::One { into, .. } | Link::Referencing { into, .. } => into,
        };
        let nested: Vec<&Document> = match doc.get(key) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
            Some(Value::Object(one)) => vec![one],
            _ => Vec::new(),
        };
        total += nested
            .iter()
            .map(|d| weight(d, rel.target, &node.children))
            .sum::<usize>();
    }
    total
}

fn project_opt(doc: Document, options: &ExpandOptions) -> Document {
    match &options.fields {
        Some(p) => project(doc, p),
        None => doc,
    }
}

fn charge(budget: &mut usize, n: usize) -> std::result::Result<(), QueryError> {
    *budget = budget.checked_sub(n).ok_or_else(too_many)?;
    Ok(())
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
