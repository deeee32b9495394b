//! `/api/v1/folders` and `/api/v1/navver`: each user's folder tree, flat or nested with the
//! dashboards it holds.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::document::expect_object;
use tessera_domain::folder::parse_folder;
use tessera_domain::merge_patch::patched;
use tessera_domain::{Document, ResourceKind};
use tessera_store::FolderFilter;
use utoipa::IntoParams;

use crate::http::common::acting::Acting;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult, Code, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::navigation::nested;
use crate::http::common::params::{bool_param, bulk_ids, id_param, path_id};
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{AdminAccess, IdPath, IfMatch, IfNoneMatch, SpecialFields};
use crate::http::doc::responses::{Folders, ListErrors, NotModified, ReadErrors, WriteErrors};
use crate::http::doc::schemas::{Folder, FolderPatch, Navigation, NewFolder};

/// The shape and filters of `GET /api/v1/folders`.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `flat` (the default): a list; `tree`: the root folders, each with nested `folders` and
    /// `dashboards`.
    #[param(pattern = "^(flat|tree)$")]
    structure: Option<String>,
    /// The whole name, case-insensitive (flat only).
    name: Option<String>,
    /// Children of this folder (its oid); `null` for root folders (flat only).
    parent_id: Option<String>,
}

/// List folders
///
/// The caller's folders (every user's, for an administrator with `adminAccess=true`), flat or
/// as a tree, with the special fields.
#[utoipa::path(get, operation_id = "listFolders", path = "/api/v1/folders", tag = "folders", params(ListQuery, AdminAccess, SpecialFields), responses((status = 200, description = "The caller's folders", body = Vec<Folder>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Acting { state, actor }: Acting, Query(q): Query<ListQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Folder)?;
    match q.structure.as_deref() {
        None | Some("flat") => {}
        Some("tree") => {
            let (roots, _) = nested(&state, &actor).await?;
            return Ok(Json(roots).into_response());
        }
        Some(other) => {
            return Err(ApiError::new(
                Code::InvalidQuery,
                format!("Query parameter 'structure' must be flat or tree, not '{other}'"),
            ));
        }
    }
    let filter = FolderFilter {
        name: q.name,
        parent: match q.parent_id.as_deref() {
            None => None,
            Some("" | "null") => Some(None),
            Some(p) => Some(id_param("parentId", Some(p))?),
        },
    };
    let page = state.store.list_folders(&actor, special.list(filter)).await?;
    list_response(&state, ResourceKind::Folder, page, params).await
}

/// Get the navigation tree
///
/// The caller's folder tree with its dashboards, and the dashboards in no folder: what the
/// web app's side panel shows.
#[utoipa::path(get, operation_id = "getNavigation", path = "/api/v1/navver", tag = "folders", params(AdminAccess), responses((status = 200, description = "The caller's folder tree with its dashboards, and the dashboards in no folder", body = Navigation), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn navigation(Acting { state, actor }: Acting) -> ApiResult<Json<Value>> {
    let (folders, dashboards) = nested(&state, &actor).await?;
    Ok(Json(json!({ "folders": folders, "dashboards": dashboards })))
}

/// Create a folder
///
/// Owned by the caller; `parentId` must be a folder of the caller's.
#[utoipa::path(post, operation_id = "createFolder", path = "/api/v1/folders", tag = "folders", request_body = NewFolder, responses((status = 201, description = "Created, owned by the caller", body = Folder), WriteErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    Acting { state, actor }: Acting, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let draft = parse_folder(body)?;
    let doc = state.store.create_folder(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// Get a folder
///
/// A folder of the caller's (any, for an administrator with `adminAccess=true`).
#[utoipa::path(get, operation_id = "getFolder", path = "/api/v1/folders/{id}", tag = "folders", params(IdPath, IfNoneMatch, AdminAccess, SpecialFields), responses((status = 200, description = "The folder", body = Folder), NotModified, ReadErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Acting { state, actor }: Acting, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Folder)?;
    let id = path_id(ResourceKind::Folder, &key)?;
    let doc = state.store.get_folder(&actor, id).await?.found(ResourceKind::Folder, key)?;
    shape_one(&state, ResourceKind::Folder, doc, params).await
}

/// Change a folder
///
/// Rename it, move it (`parentId`; never into itself or a folder inside it: 409), or give it
/// to another user (`owner`: administrators, `adminAccess` not needed, as pysisense never
/// sends it).
#[utoipa::path(patch, operation_id = "patchFolder", path = "/api/v1/folders/{id}", tag = "folders", params(IdPath, IfMatch, AdminAccess), request_body = FolderPatch, responses((status = 200, description = "Changed", body = Folder), WriteErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    Acting { state, actor }: Acting, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = path_id(ResourceKind::Folder, &key)?;
    let patch = expect_object(body)?;
    // Giving a folder away is an administrator's act on someone else's folder.
    let actor = if patch.contains_key("owner") { actor.with_admin_rights() } else { actor };
    let patch = Value::Object(patch);
    let edit = move |current: Document| {
        precondition.check(&current)?;
        parse_folder(patched(current, &patch))
    };
    let doc = state.store.update_folder(&actor, id, Box::new(edit)).await?;
    Ok(Json(doc))
}

/// Whether a delete takes what the folder holds with it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Cascade {
    /// `true`: also delete every folder and dashboard under it. Without it, a folder that holds
    /// anything is refused (409).
    #[param(value_type = Option<bool>)]
    cascade: Option<String>,
}

/// Delete a folder
///
/// A folder that holds folders or dashboards is refused (409) unless `cascade=true`, which
/// deletes everything under it.
#[utoipa::path(delete, operation_id = "deleteFolder", path = "/api/v1/folders/{id}", tag = "folders", params(IdPath, IfMatch, Cascade, AdminAccess), responses((status = 204, description = "Deleted"), WriteErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Acting { state, actor }: Acting, PathKey(key): PathKey, Query(q): Query<Cascade>,
    Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    let id = path_id(ResourceKind::Folder, &key)?;
    let cascade = bool_param("cascade", q.cascade.as_deref())?.unwrap_or(false);
    state.store.delete_folders(&actor, vec![id], cascade, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The folders a bulk delete takes.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct BulkQuery {
    /// Comma-separated oids, every one of which must name a folder the caller may delete.
    #[param(required = true)]
    folder_ids: Option<String>,
    /// `true`: also delete everything under them.
    #[param(value_type = Option<bool>)]
    cascade: Option<String>,
}

/// Delete folders in bulk
///
/// All or none: one the caller may not delete, or that does not exist, and none is deleted.
#[utoipa::path(delete, operation_id = "deleteFoldersBulk", path = "/api/v1/folders/bulk", tag = "folders", params(BulkQuery, AdminAccess), responses((status = 204, description = "Deleted, all of them; or none, when one fails"), WriteErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_bulk(
    Acting { state, actor }: Acting, Query(q): Query<BulkQuery>,
) -> ApiResult<StatusCode> {
    let ids = bulk_ids(ResourceKind::Folder, "folderIds", q.folder_ids.as_deref())?;
    let cascade = bool_param("cascade", q.cascade.as_deref())?.unwrap_or(false);
    state.store.delete_folders(&actor, ids, cascade, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
