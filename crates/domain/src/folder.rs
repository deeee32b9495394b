//! Folders: what makes a folder document valid, the rule that keeps the folder tree a tree, and
//! the nested view of folders and dashboards (`structure=tree`, navver).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::document::{MAX_NAME_LEN, expect_object, optional_id, required_str};
use crate::{Document, ObjectId, ValidationError};

/// Fields of a folder the server owns.
pub const FOLDER_MANAGED: &[&str] = &["oid", "_id", "created", "lastUpdated"];

/// A validated folder document.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderDraft {
    pub doc: Document,
    pub parent: Option<ObjectId>,
    /// The owner the document names; `None` leaves it to the server (the caller on create).
    pub owner: Option<ObjectId>,
}

/// Validates a folder document: `name` (required), `parentId` (a folder id or null), `owner`
/// (a user id); other fields are kept as sent.
pub fn parse_folder(body: Value) -> Result<FolderDraft, ValidationError> {
    let mut doc = expect_object(body)?;
    for key in FOLDER_MANAGED {
        doc.shift_remove(*key);
    }
    required_str(&doc, "name", MAX_NAME_LEN)?;
    let parent = optional_id(&doc, "parentId")?;
    let owner = optional_id(&doc, "owner")?;
    doc.entry("parentId").or_insert(Value::Null);
    Ok(FolderDraft { doc, parent, owner })
}

/// Whether giving `folder` the parent `new_parent` would make it its own ancestor, where
/// `parent_of` is the tree as it stands.
pub fn would_cycle(
    folder: ObjectId, new_parent: Option<ObjectId>, parent_of: &HashMap<ObjectId, ObjectId>,
) -> bool {
    let mut seen = HashSet::new();
    let mut at = new_parent;
    while let Some(p) = at {
        if p == folder || !seen.insert(p) {
            return true;
        }
        at = parent_of.get(&p).copied();
    }
    false
}

/// The folder ids under `roots` (themselves included), at any depth.
pub fn descendants(
    roots: &[ObjectId], parent_of: &HashMap<ObjectId, ObjectId>,
) -> HashSet<ObjectId> {
    let mut children: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
    for (child, parent) in parent_of {
        children.entry(*parent).or_default().push(*child);
    }
    let mut out: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = roots.to_vec();
    while let Some(f) = stack.pop() {
        if out.insert(f) {
            stack.extend(children.get(&f).into_iter().flatten());
        }
    }
    out
}

/// The nested view: each folder with its sub-`folders` and its `dashboards`, in the order given.
/// Folders whose parent is not among `folders` are roots. Answers the roots, and the dashboards
/// that are in none of the folders.
pub fn tree(folders: Vec<Document>, dashboards: Vec<Document>) -> (Vec<Value>, Vec<Value>) {
    let oid = |d: &Document| d.get("oid").and_then(Value::as_str).map(str::to_owned);
    let known: HashSet<String> = folders.iter().filter_map(oid).collect();
    let mut child_folders: HashMap<String, Vec<Document>> = HashMap::new();
    let mut roots = Vec::new();
    for f in folders {
        match f.get("parentId").and_then(Value::as_str) {
            Some(p) if known.contains(p) => child_folders.entry(p.to_owned()).or_default().push(f),
            _ => roots.push(f),
        }
    }
    let mut child_dashboards: HashMap<String, Vec<Value>> = HashMap::new();
    let mut loose = Vec::new();
    for d in dashboards {
        match d.get("parentFolder").and_then(Value::as_str) {
            Some(p) if known.contains(p) => {
                child_dashboards.entry(p.to_owned()).or_default().push(Value::Object(d))
            }
            _ => loose.push(Value::Object(d)),
        }
    }
    fn build(
        mut folder: Document, child_folders: &mut HashMap<String, Vec<Document>>,
        child_dashboards: &mut HashMap<String, Vec<Value>>,
    ) -> Value {
        let id = folder.get("oid").and_then(Value::as_str).unwrap_or_default().to_owned();
        let subs = child_folders.remove(&id).unwrap_or_default();
        let nested = subs.into_iter().map(|f| build(f, child_folders, child_dashboards)).collect();
        folder.insert("folders".into(), Value::Array(nested));
        folder.insert(
            "dashboards".into(),
            Value::Array(child_dashboards.remove(&id).unwrap_or_default()),
        );
        Value::Object(folder)
    }
    let roots =
        roots.into_iter().map(|f| build(f, &mut child_folders, &mut child_dashboards)).collect();
    (roots, loose)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(n: u8) -> ObjectId {
        format!("{n:024x}").parse().unwrap()
    }

    #[test]
    fn cycles_are_found() {
        // 1 <- 2 <- 3 (3's parent is 2, 2's parent is 1).
        let tree: HashMap<_, _> = [(id(2), id(1)), (id(3), id(2))].into();
        assert!(would_cycle(id(1), Some(id(3)), &tree));
        assert!(would_cycle(id(1), Some(id(1)), &tree));
        assert!(would_cycle(id(2), Some(id(3)), &tree));
        assert!(!would_cycle(id(3), Some(id(1)), &tree));
        assert!(!would_cycle(id(1), None, &tree));
        assert!(!would_cycle(id(4), Some(id(3)), &tree));
        assert_eq!(descendants(&[id(2)], &tree), [id(2), id(3)].into_iter().collect());
    }

    #[test]
    fn tree_nests_folders_and_dashboards() {
        let f = |o: &str, p: Option<&str>| {
            json!({"oid": o, "name": o, "parentId": p}).as_object().unwrap().clone()
        };
        let d = |o: &str, p: Option<&str>| {
            json!({"oid": o, "parentFolder": p}).as_object().unwrap().clone()
        };
        let (roots, loose) = tree(
            vec![f("a", None), f("b", Some("a")), f("c", Some("gone"))],
            vec![d("x", Some("b")), d("y", None), d("z", Some("hidden"))],
        );
        assert_eq!(
            Value::Array(roots),
            json!([
                {"oid": "a", "name": "a", "parentId": null, "folders": [
                    {"oid": "b", "name": "b", "parentId": "a", "folders": [],
                     "dashboards": [{"oid": "x", "parentFolder": "b"}]}
                ], "dashboards": []},
                {"oid": "c", "name": "c", "parentId": "gone", "folders": [], "dashboards": []}
            ])
        );
        assert_eq!(
            Value::Array(loose),
            json!([{"oid": "y", "parentFolder": null}, {"oid": "z", "parentFolder": "hidden"}])
        );
    }

    #[test]
    fn folder_documents() {
        let f = parse_folder(json!({"oid": "x", "name": "Sales", "parentId": null})).unwrap();
        assert_eq!(Value::Object(f.doc), json!({"name": "Sales", "parentId": null}));
        assert!(parse_folder(json!({"name": ""})).is_err());
        assert!(parse_folder(json!({"name": "a", "parentId": "nope"})).is_err());
        assert!(parse_folder(json!({"name": "a", "owner": 5})).is_err());
        assert!(parse_folder(json!([])).is_err());
    }
}
