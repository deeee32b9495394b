//! The query-language parser on arbitrary input: it must answer (a value or an error) and never
//! panic; and whatever it accepts must render back to text that parses to the same AST.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_domain::query::{
    parse_expand, parse_fields, parse_list_params, parse_sort, render_expand, render_fields, render_sort,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(Some(fields)) = parse_fields("fields", text) {
        assert_eq!(parse_fields("fields", &render_fields(&fields)).unwrap(), Some(fields));
    }
    if let Ok(sort) = parse_sort("sort", text) {
        assert_eq!(parse_sort("sort", &render_sort(&sort)).unwrap(), sort);
    }
    if let Ok(expand) = parse_expand(text) {
        assert_eq!(parse_expand(&render_expand(&expand)).unwrap(), expand);
    }
    // A whole query string: name=value pairs split on '&'.
    let pairs: Vec<(&str, &str)> = text.split('&').map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
    let _ = parse_list_params(pairs);
});
