//! The special fields of GET (`fields`, `sort`, `limit`, `skip`, `expand`) on the way in, and
//! `expand` and `fields` applied to what the store returned on the way out.

use axum::extract::FromRequestParts;
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tessera_domain::ResourceKind;
use tessera_domain::lazy::{LazyDoc, RawDoc, json_array};
use tessera_domain::query::{
    ListParams, Projection, Projector, QueryError, parse_list_params, project_lazy, project_text,
    project_text_into,
};
use tessera_store::{ListPage, ListRequest};

use crate::http::common::error::{ApiError, ApiResult, Code};
use crate::http::common::extract::query_pairs;
use crate::state::AppState;

/// The special fields of a GET, parsed; plus whether the client asked for a total count
/// (`Prefer: count=exact`).
pub struct Special {
    pub params: ListParams,
    pub count: bool,
}

impl FromRequestParts<AppState> for Special {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let pairs = query_pairs(parts.uri.query())?;
        let params = parse_list_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let count = parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim().eq_ignore_ascii_case("count=exact"));
        Ok(Special { params, count })
    }
}

impl Special {
    /// The list request for `filter`, with these special fields' sort and page, counted when
    /// the client asked.
    pub fn list<F>(&self, filter: F) -> ListRequest<F> {
        ListRequest {
            filter,
            sort: self.params.sort.clone(),
            page: self.params.page,
            count: self.count,
        }
    }

    /// Refuses relations `resource` does not have, before any work is done.
    pub fn check(&self, resource: ResourceKind) -> ApiResult<&ListParams> {
        resource.check_expand(&self.params.expand)?;
        Ok(&self.params)
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        let code = match e {
            QueryError::Invalid { .. } => Code::InvalidQuery,
            QueryError::TooLarge { .. } => Code::QueryTooLarge,
        };
        ApiError::new(code, e.to_string())
    }
}

/// The JSON text of the documents as the special fields ask: expanded, projected. Documents
/// that need neither go out exactly as stored, unparsed.
pub async fn shape(
    state: &AppState, resource: ResourceKind, raws: Vec<RawDoc>, params: &ListParams,
) -> ApiResult<Vec<String>> {
    match (&params.fields, params.expand.is_empty()) {
        (None, true) => {
            return Ok(raws.into_iter().map(|r| String::from(Box::<str>::from(r))).collect());
        }
        (Some(projection), true) => {
            let projector = Projector::new(projection);
            return raws
                .iter()
                .map(|r| project_text(r.get(), &projector))
                .collect::<Result<_, _>>()
                .map_err(not_an_object);
        }
        _ => {}
    }
    let mut docs = raws
        .iter()
        .map(|r| LazyDoc::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(not_an_object)?;
    if !params.expand.is_empty() {
        tessera_store::expand(state.store.as_ref(), resource, &mut docs, &params.expand).await?;
    }
    Ok(docs
        .into_iter()
        .map(|d| match &params.fields {
            Some(p) => project_lazy(d, p).to_json(),
            None => d.to_json(),
        })
        .collect())
}

/// A JSON response from JSON text.
pub fn json_text(body: String) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// One shaped entity.
pub async fn shape_one(
    state: &AppState, resource: ResourceKind, raw: RawDoc, params: &ListParams,
) -> ApiResult<Response> {
    let mut docs = shape(state, resource, vec![raw], params).await?;
    Ok(json_text(docs.remove(0)))
}

/// A stored document that does not parse as an object: the store's fault, not the caller's.
fn not_an_object(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("stored document is not an object: {e}"))
}

/// The array of the documents' projections, each written straight into it from the stored text.
fn projected_array(raws: &[RawDoc], projection: &Projection) -> ApiResult<String> {
    let projector = Projector::new(projection);
    let mut out = String::with_capacity(raws.iter().map(|r| r.get().len()).sum::<usize>() / 2 + 2);
    out.push('[');
    for (i, raw) in raws.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        project_text_into(raw.get(), &projector, &mut out).map_err(not_an_object)?;
    }
    out.push(']');
    Ok(out)
}

/// A list response: the JSON array, and `X-Total-Count` when the count was asked for.
pub async fn list_response(
    state: &AppState, resource: ResourceKind, page: ListPage, params: &ListParams,
) -> ApiResult<Response> {
    let body = match (&params.fields, params.expand.is_empty()) {
        (Some(projection), true) => projected_array(&page.items, projection)?,
        _ => {
            json_array(shape(state, resource, page.items, params).await?.iter().map(String::as_str))
        }
    };
    let mut response = json_text(body);
    if let Some(total) = page.total {
        let headers = response.headers_mut();
        headers.insert("x-total-count", HeaderValue::from(total));
        headers.insert("preference-applied", HeaderValue::from_static("count=exact"));
    }
    Ok(response)
}
