//! Typed values out of query strings, with the error envelope when a value is malformed.

use serde::Deserialize;
use tessera_domain::{ObjectId, ResourceKind};
use utoipa::IntoParams;

use crate::http::common::error::{ApiError, Code};

/// An optional id parameter (`roleId=...`).
pub fn id_param(name: &str, value: Option<&str>) -> Result<Option<ObjectId>, ApiError> {
    value.map(|v| v.parse().map_err(|_| invalid(name, "must be a 24-hex-digit id"))).transpose()
}

/// An optional comma-separated id list (`ids=a,b`).
pub fn id_list_param(name: &str, value: Option<&str>) -> Result<Option<Vec<ObjectId>>, ApiError> {
    value
        .map(|v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        invalid(name, "must be a comma-separated list of 24-hex-digit ids")
                    })
                })
                .collect()
        })
        .transpose()
}

/// An optional boolean parameter: `true` or `false`.
pub fn bool_param(name: &str, value: Option<&str>) -> Result<Option<bool>, ApiError> {
    // As Sisense (and Python clients, which send `True`) write them.
    match value.map(str::trim) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(Some(false)),
        Some(_) => Err(invalid(name, "must be true or false (or 1 or 0)")),
    }
}

/// The query of a bulk delete: `?ids=a,b`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulkIds {
    /// Comma-separated ids, every one of which must name an entity.
    #[param(required = true)]
    pub ids: Option<String>,
}

/// The ids of a bulk delete: required, and each one must name an entity (a malformed id names
/// none, so it is "not found", like a malformed id in a path).
pub fn bulk_ids(
    kind: ResourceKind, name: &str, value: Option<&str>,
) -> Result<Vec<ObjectId>, ApiError> {
    let value = value.filter(|v| !v.is_empty()).ok_or_else(|| invalid(name, "is required"))?;
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| ApiError::not_found(kind, s)))
        .collect()
}

/// An id in a path: a malformed one names no entity, so it is a 404 (as the seed's example shows).
pub fn path_id(kind: ResourceKind, value: &str) -> Result<ObjectId, ApiError> {
    value.parse().map_err(|_| ApiError::not_found(kind, value))
}

fn invalid(name: &str, what: &str) -> ApiError {
    ApiError::new(Code::InvalidQuery, format!("Query parameter '{name}' {what}"))
}
