//! Properties of the query language over random ASTs and documents.

use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::ast::{ExpandNode, ExpandOptions, FieldPath, Page, Projection, SortKey};
use super::{
    parse_expand, parse_fields, parse_sort, project, render_expand, render_fields, render_sort,
    value_at,
};

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,5}"
}

fn path() -> impl Strategy<Value = FieldPath> {
    vec(name(), 1..4).prop_map(FieldPath)
}

fn paths() -> impl Strategy<Value = Vec<FieldPath>> {
    btree_set(vec(name(), 1..4), 1..6).prop_map(|set| set.into_iter().map(FieldPath).collect())
}

fn projection() -> impl Strategy<Value = Projection> {
    prop_oneof![paths().prop_map(Projection::Include), paths().prop_map(Projection::Exclude)]
}

fn sort() -> impl Strategy<Value = Vec<SortKey>> {
    (btree_set(vec(name(), 1..3), 0..5), vec(any::<bool>(), 5)).prop_map(|(set, dirs)| {
        set.into_iter()
            .zip(dirs)
            .map(|(segments, descending)| SortKey { path: FieldPath(segments), descending })
            .collect()
    })
}

fn options() -> impl Strategy<Value = ExpandOptions> {
    (proptest::option::of(projection()), sort(), 0u64..1000, proptest::option::of(0u64..1000))
        .prop_map(|(fields, sort, skip, limit)| ExpandOptions {
            fields,
            sort,
            page: Page { skip, limit },
        })
}

fn expand_tree() -> impl Strategy<Value = Vec<ExpandNode>> {
    let leaf = btree_set(name(), 0..3).prop_flat_map(|names| {
        let n = names.len();
        (Just(names), vec(options(), n)).prop_map(|(names, opts)| {
            names
                .into_iter()
                .zip(opts)
                .map(|(relation, options)| ExpandNode { relation, options, children: vec![] })
                .collect::<Vec<_>>()
        })
    });
    leaf.prop_recursive(3, 12, 3, |inner| {
        btree_set(name(), 1..3).prop_flat_map(move |names| {
            let n = names.len();
            (Just(names), vec(options(), n), vec(inner.clone(), n)).prop_map(
                |(names, opts, kids)| {
                    names
                        .into_iter()
                        .zip(opts)
                        .zip(kids)
                        .map(|((relation, options), children)| ExpandNode {
                            relation,
                            options,
                            children,
                        })
                        .collect::<Vec<_>>()
                },
            )
        })
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-z]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            vec(("[a-c]", inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Map<String, Value>> {
    vec(("[a-c]", json_value()), 0..5).prop_map(|kv| kv.into_iter().collect())
}

fn small_paths() -> impl Strategy<Value = Vec<FieldPath>> {
    btree_set(vec("[a-c]", 1..3), 1..4).prop_map(|set| set.into_iter().map(FieldPath).collect())
}

proptest! {
    #[test]
    fn fields_round_trip(p in projection()) {
        prop_assert_eq!(parse_fields("fields", &render_fields(&p)).unwrap(), Some(p));
    }

    #[test]
    fn sort_round_trips(keys in sort()) {
        prop_assert_eq!(parse_sort("sort", &render_sort(&keys)).unwrap(), keys);
    }

    #[test]
    fn expand_round_trips(tree in expand_tree().prop_filter("non-empty", |t| !t.is_empty())) {
        prop_assert_eq!(parse_expand(&render_expand(&tree)).unwrap(), tree);
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,40}") {
        let _ = parse_fields("fields", &text);
        let _ = parse_sort("sort", &text);
        let _ = parse_expand(&text);
    }

    /// Included keys are a subset of the requested ones, and a requested top-level name comes
    /// back exactly as it was.
    #[test]
    fn include_keeps_only_requested_keys(doc in document(), paths in small_paths()) {
        let out = project(doc.clone(), &Projection::Include(paths.clone()));
        for key in out.keys() {
            prop_assert!(paths.iter().any(|p| &p.segments()[0] == key), "{} not requested", key);
        }
        for p in paths.iter().filter(|p| p.segments().len() == 1) {
            prop_assert_eq!(out.get(&p.segments()[0]), doc.get(&p.segments()[0]));
        }
    }

    /// Excluded paths are never present, and keys no excluded path mentions are untouched.
    #[test]
    fn exclude_drops_requested_paths_only(doc in document(), paths in small_paths()) {
        let out = project(doc.clone(), &Projection::Exclude(paths.clone()));
        for p in &paths {
            prop_assert!(value_at(&out, p).is_none(), "{} still present", p);
        }
        for (key, value) in &doc {
            if !paths.iter().any(|p| &p.segments()[0] == key) {
                prop_assert_eq!(out.get(key), Some(value));
            }
        }
    }

    /// Projecting a document parsed one level deep, or its text, gives what projecting the whole
    /// does.
    #[test]
    fn lazy_projection_equals_full_projection(doc in document(), paths in small_paths(), exclude in any::<bool>()) {
        let projection = if exclude { Projection::Exclude(paths) } else { Projection::Include(paths) };
        let raw = serde_json::value::to_raw_value(&doc).unwrap();
        let lazy = crate::lazy::LazyDoc::parse(&raw).unwrap();
        let via_lazy: Value = serde_json::from_str(&super::project_lazy(lazy, &projection).to_json()).unwrap();
        let text = super::project_text(raw.get(), &super::Projector::new(&projection)).unwrap();
        let via_text: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&via_lazy, &Value::Object(project(doc, &projection)));
        prop_assert_eq!(via_text, via_lazy);
    }

    #[test]
    fn a_path_is_its_own_rendering(p in path()) {
        let rendered = p.to_string();
        prop_assert_eq!(parse_fields("fields", &rendered).unwrap(), Some(Projection::Include(vec![p])));
    }
}
