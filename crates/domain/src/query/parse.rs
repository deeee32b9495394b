//! Text to AST. Every error names the parameter and what is wrong with it.

use super::ast::{ExpandNode, ExpandOptions, FieldPath, ListParams, Projection, SortKey};
use super::{
    MAX_EXPAND_DEPTH, MAX_EXPAND_NODES, MAX_FIELDS, MAX_PARAM_LEN, MAX_PATH_SEGMENTS,
    MAX_SORT_KEYS, QueryError,
};

/// The special fields of a query string, from its decoded `(name, value)` pairs. Other names
/// (the resource's filters, clients' own additions) are left alone. The HTTP layer joins a
/// repeated parameter into one comma list first (as Sisense reads `fields=a&fields=b`); pairs
/// that still name a special field twice are an error rather than a guess.
pub fn parse_list_params<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<ListParams, QueryError> {
    let mut params = ListParams::default();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        let param: &'static str = match name {
            "fields" => "fields",
            "sort" => "sort",
            "limit" => "limit",
            "skip" => "skip",
            "expand" => "expand",
            _ => continue,
        };
        if seen.contains(&param) {
            return Err(QueryError::invalid(param, "given more than once"));
        }
        seen.push(param);
        if value.len() > MAX_PARAM_LEN {
            return Err(QueryError::too_large(
                param,
                format!("longer than {MAX_PARAM_LEN} characters"),
            ));
        }
        match param {
            "fields" => params.fields = parse_fields("fields", value)?,
            "sort" => params.sort = parse_sort("sort", value)?,
            "limit" => params.page.limit = Some(parse_u64("limit", value)?),
            "skip" => params.page.skip = parse_u64("skip", value)?,
            _ => params.expand = parse_expand(value)?,
        }
    }
    Ok(params)
}

/// A non-negative integer.
pub fn parse_u64(param: &'static str, value: &str) -> Result<u64, QueryError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::invalid(param, format!("'{value}' is not a non-negative integer")));
    }
    value.parse().map_err(|_| QueryError::invalid(param, format!("'{value}' is too large")))
}

fn parse_path(param: &'static str, text: &str) -> Result<FieldPath, QueryError> {
    let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
    if segments.len() > MAX_PATH_SEGMENTS {
        return Err(QueryError::too_large(
            param,
            format!("'{text}' has more than {MAX_PATH_SEGMENTS} parts"),
        ));
    }
    for s in &segments {
        let mut chars = s.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(QueryError::invalid(
                param,
                format!(
                    "'{text}' is not a field path (names of letters, digits and _, joined by '.')"
                ),
            ));
        }
    }
    Ok(FieldPath(segments))
}

/// `fields`: `a,b.c` includes, `-a,-b` excludes; an empty value selects nothing in particular.
pub fn parse_fields(param: &'static str, value: &str) -> Result<Option<Projection>, QueryError> {
    if value.is_empty() {
        return Ok(None);
    }
    let items: Vec<&str> = value.split(',').collect();
    if items.len() > MAX_FIELDS {
        return Err(QueryError::too_large(param, format!("more than {MAX_FIELDS} fields")));
    }
    let excluding = items[0].starts_with('-');
    let mut paths = Vec::with_capacity(items.len());
    for item in items {
        let (negated, path) = match item.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        if negated != excluding {
            return Err(QueryError::invalid(
                param,
                "cannot mix included and excluded fields (use all 'name' or all '-name')",
            ));
        }
        let path = parse_path(param, path)?;
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    Ok(Some(if excluding { Projection::Exclude(paths) } else { Projection::Include(paths) }))
}

/// `sort`: `name` ascending, `-name` descending (`+name` also ascending).
pub fn parse_sort(param: &'static str, value: &str) -> Result<Vec<SortKey>, QueryError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<&str> = value.split(',').collect();
    if items.len() > MAX_SORT_KEYS {
        return Err(QueryError::too_large(param, format!("more than {MAX_SORT_KEYS} sort keys")));
    }
    let mut keys: Vec<SortKey> = Vec::with_capacity(items.len());
    for item in items {
        let (descending, path) = match item.as_bytes().first() {
            Some(b'-') => (true, &item[1..]),
            Some(b'+') => (false, &item[1..]),
            _ => (false, item),
        };
        let path = parse_path(param, path)?;
        if keys.iter().any(|k| k.path == path) {
            return Err(QueryError::invalid(param, format!("'{path}' appears twice")));
        }
        keys.push(SortKey { path, descending });
    }
    Ok(keys)
}

/// `expand`: relations, dotted for nesting, each with optional `(option;option)`.
pub fn parse_expand(value: &str) -> Result<Vec<ExpandNode>, QueryError> {
    let mut roots: Vec<ExpandNode> = Vec::new();
    let mut explicit: Vec<Vec<String>> = Vec::new();
    let mut count = 0;
    for item in split_top_level(value)? {
        let (path, options) = match item.find('(') {
            Some(open) => {
                let Some(inner) = item[open + 1..].strip_suffix(')') else {
                    return Err(QueryError::invalid(
                        "expand",
                        format!("'{item}': options must end the item with ')'"),
                    ));
                };
                (&item[..open], parse_options(item, inner)?)
            }
            None => (item, ExpandOptions::default()),
        };
        let path = parse_path("expand", path)?;
        let names = path.0;
        if names.len() > MAX_EXPAND_DEPTH {
            return Err(QueryError::too_large(
                "expand",
                format!("nesting deeper than {MAX_EXPAND_DEPTH}"),
            ));
        }
        if explicit.contains(&names) {
            return Err(QueryError::invalid(
                "expand",
                format!("'{}' is given more than once", names.join(".")),
            ));
        }
        let mut level = &mut roots;
        for (depth, name) in names.iter().enumerate() {
            let at = match level.iter().position(|n| &n.relation == name) {
                Some(at) => at,
                None => {
                    count += 1;
                    level.push(ExpandNode {
                        relation: name.clone(),
                        options: ExpandOptions::default(),
                        children: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            if depth + 1 == names.len() {
                level[at].options = options.clone();
            }
            level = &mut level[at].children;
        }
        explicit.push(names);
        if count > MAX_EXPAND_NODES {
            return Err(QueryError::too_large(
                "expand",
                format!("more than {MAX_EXPAND_NODES} relations"),
            ));
        }
    }
    Ok(roots)
}

/// Splits on the commas that are not inside parentheses.
fn split_top_level(value: &str) -> Result<Vec<&str>, QueryError> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in value.char_indices() {
        match c {
            '(' if depth == 0 => depth = 1,
            '(' => {
                return Err(QueryError::invalid("expand", "options cannot contain parentheses"));
            }
            ')' if depth == 1 => depth = 0,
            ')' => return Err(QueryError::invalid("expand", "unbalanced ')'")),
            ',' if depth == 0 => {
                items.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(QueryError::invalid("expand", "unclosed '('"));
    }
    items.push(&value[start..]);
    if items.iter().any(|i| i.is_empty()) {
        return Err(QueryError::invalid("expand", "empty item"));
    }
    Ok(items)
}

fn parse_options(item: &str, inner: &str) -> Result<ExpandOptions, QueryError> {
    let mut options = ExpandOptions::default();
    let mut seen = Vec::new();
    for option in inner.split(';') {
        let Some((name, value)) = option.split_once(':') else {
            return Err(QueryError::invalid(
                "expand",
                format!("'{item}': option '{option}' is not name:value"),
            ));
        };
        if seen.contains(&name) {
            return Err(QueryError::invalid(
                "expand",
                format!("'{item}': option '{name}' is given twice"),
            ));
        }
        seen.push(name);
        match name {
            "fields" => options.fields = parse_fields("expand", value)?,
            "sort" => options.sort = parse_sort("expand", value)?,
            "limit" => options.page.limit = Some(parse_u64("expand", value)?),
            "skip" => options.page.skip = parse_u64("expand", value)?,
            _ => {
                return Err(QueryError::invalid(
                    "expand",
                    format!("'{item}': unknown option '{name}' (fields, sort, limit, skip)"),
                ));
            }
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Page;

    fn path(s: &str) -> FieldPath {
        FieldPath(s.split('.').map(str::to_owned).collect())
    }

    #[test]
    fn fields_include_exclude_and_mixing() {
        assert_eq!(
            parse_fields("fields", "firstName,email").unwrap(),
            Some(Projection::Include(vec![path("firstName"), path("email")]))
        );
        assert_eq!(
            parse_fields("fields", "-hash").unwrap(),
            Some(Projection::Exclude(vec![path("hash")]))
        );
        assert_eq!(
            parse_fields("fields", "preferences.localeId").unwrap(),
            Some(Projection::Include(vec![path("preferences.localeId")]))
        );
        assert!(matches!(
            parse_fields("fields", "firstName,-lastName"),
            Err(QueryError::Invalid { .. })
        ));
        assert!(matches!(
            parse_fields("fields", "-firstName,lastName"),
            Err(QueryError::Invalid { .. })
        ));
        for bad in ["a,,b", "a.", ".a", "a b", "1a", "a-b", "-"] {
            assert!(parse_fields("fields", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sort_keys() {
        assert_eq!(
            parse_sort("sort", "lastName,-created,+email").unwrap(),
            vec![
                SortKey { path: path("lastName"), descending: false },
                SortKey { path: path("created"), descending: true },
                SortKey { path: path("email"), descending: false },
            ]
        );
        assert!(parse_sort("sort", "a,-a").is_err());
        assert!(matches!(
            parse_sort("sort", "a,b,c,d,e,f,g,h,i"),
            Err(QueryError::TooLarge { .. })
        ));
    }

    #[test]
    fn limit_and_skip_are_non_negative_integers() {
        assert_eq!(parse_u64("limit", "0").unwrap(), 0);
        assert_eq!(parse_u64("limit", "10").unwrap(), 10);
        for bad in ["-1", "", "1.5", "ten", "+3", " 3", "99999999999999999999999"] {
            assert!(parse_u64("limit", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expand_with_options_and_nesting() {
        let tree =
            parse_expand("groups(fields:name;sort:-name;limit:5),groups.users(fields:email),role")
                .unwrap();
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].relation, "groups");
        assert_eq!(tree[0].options.fields, Some(Projection::Include(vec![path("name")])));
        assert_eq!(tree[0].options.sort, vec![SortKey { path: path("name"), descending: true }]);
        assert_eq!(tree[0].options.page, Page { skip: 0, limit: Some(5) });
        assert_eq!(tree[0].children[0].relation, "users");
        assert_eq!(
            tree[0].children[0].options.fields,
            Some(Projection::Include(vec![path("email")]))
        );
        assert_eq!(tree[1].relation, "role");
    }

    #[test]
    fn a_nested_item_implies_its_parents() {
        let tree = parse_expand("groups.users").unwrap();
        assert_eq!(tree[0].relation, "groups");
        assert_eq!(tree[0].options, ExpandOptions::default());
        assert_eq!(tree[0].children[0].relation, "users");
        assert!(
            parse_expand("groups.users,groups(fields:name)").unwrap()[0].options.fields.is_some()
        );
    }

    #[test]
    fn expand_errors() {
        for bad in [
            "",
            "groups(",
            "groups)",
            "groups(fields:name",
            "groups(limit)",
            "groups(color:red)",
            "groups(limit:-1)",
            "groups,groups",
            "groups((x))",
            "groups(fields:a;fields:b)",
            "a.b.c.d.e.f.g",
        ] {
            assert!(parse_expand(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn special_fields_given_twice_are_refused_and_others_ignored() {
        assert!(parse_list_params([("limit", "1"), ("limit", "2")]).is_err());
        let p = parse_list_params([("trc", "x"), ("limit", "10"), ("skip", "20"), ("email", "a")])
            .unwrap();
        assert_eq!(p.page, Page { skip: 20, limit: Some(10) });
    }
}
