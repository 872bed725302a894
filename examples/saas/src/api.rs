//! The HTTP API. Every tenant route gets its tenant from the [`TenantLayer`] and queries with
//! `tenant_query!`; the admin report is the one cross-tenant read.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tenant_query::{tenant_query, tenant_query_as, unscoped_query_as};
use tenant_query_axum::{Tenant, TenantLayer};

use crate::auth::{is_admin, ApiKeyResolver};
use crate::jobs::{self, Job, Task};
use crate::Pool;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub pool: Pool,
    /// The operator's token for `/admin/*`.
    pub admin_token: String,
}

/// The routes: `/health` and `/admin/report` need no tenant, all others do.
pub fn router(state: AppState) -> Router {
    let tenants = TenantLayer::new(ApiKeyResolver::new(state.pool.clone()))
        .skip("/health")
        .skip("/admin/report");
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/customers", get(list_customers).post(create_customer))
        .route("/orders", get(list_orders).post(create_order))
        .route(
            "/orders/{id}",
            get(get_order).put(update_order).delete(delete_order),
        )
        .route("/jobs/flag-large-orders", post(flag_large_orders))
        .route("/admin/report", get(report))
        .layer(tenants)
        .with_state(state)
}

/// A handler's failure.
#[derive(Debug)]
pub enum ApiError {
    /// No row of this tenant has the id (404): also when another tenant's row has it.
    NotFound,
    /// The id is taken (409).
    Conflict,
    /// The order names a customer the tenant does not have (422).
    UnknownCustomer,
    /// Not the operator (403).
    Forbidden,
    /// The database failed (500; logged, not sent).
    Database(sqlx::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => ApiError::Conflict,
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => ApiError::UnknownCustomer,
            _ => ApiError::Database(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = match self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict => (StatusCode::CONFLICT, "conflict"),
            ApiError::UnknownCustomer => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_customer"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Database(error) => {
                tracing::error!(%error, "database");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        (status, Json(serde_json::json!({ "error": error }))).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A customer.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct Customer {
    /// Its id, unique within the tenant.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// An order.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct Order {
    /// Its id, unique within the tenant.
    pub id: i64,
    /// The customer who placed it.
    pub customer_id: i64,
    /// Its total, in cents.
    pub total: i64,
    /// Set by the flag-large-orders job.
    pub flagged: bool,
}

async fn list_customers(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
) -> ApiResult<Json<Vec<Customer>>> {
    let customers = tenant_query_as!(
        Customer,
        tenant,
        "SELECT id, name FROM customers ORDER BY id"
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(customers))
}

async fn create_customer(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Json(customer): Json<Customer>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    tenant_query!(
        tenant,
        "INSERT INTO customers (id, name) VALUES ($1, $2)",
        customer.id,
        &customer.name
    )
    .execute(&state.pool)
    .await?;
    Ok((StatusCode::CREATED, Json(customer)))
}

async fn list_orders(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
) -> ApiResult<Json<Vec<Order>>> {
    let orders = tenant_query_as!(
        Order,
        tenant,
        "SELECT id, customer_id, total, flagged FROM orders ORDER BY id"
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(orders))
}

async fn get_order(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<i64>,
) -> ApiResult<Json<Order>> {
    tenant_query_as!(
        Order,
        tenant,
        "SELECT id, customer_id, total, flagged FROM orders WHERE id = $1",
        id
    )
    .fetch_optional(&state.pool)
    .await?
    .map(Json)
    .ok_or(ApiError::NotFound)
}

/// The body of `POST /orders`.
#[derive(Debug, Serialize, Deserialize)]
pub struct NewOrder {
    /// Its id, unique within the tenant.
    pub id: i64,
    /// One of the tenant's customers.
    pub customer_id: i64,
    /// Its total, in cents.
    pub total: i64,
}

async fn create_order(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Json(order): Json<NewOrder>,
) -> ApiResult<StatusCode> {
    // The customer must be this tenant's: the composite foreign key includes the tenant.
    tenant_query!(
        tenant,
        "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3)",
        order.id,
        order.customer_id,
        order.total
    )
    .execute(&state.pool)
    .await?;
    Ok(StatusCode::CREATED)
}

/// The body of `PUT /orders/{id}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct OrderUpdate {
    /// The new total.
    pub total: i64,
}

async fn update_order(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<i64>,
    Json(update): Json<OrderUpdate>,
) -> ApiResult<StatusCode> {
    let done = tenant_query!(
        tenant,
        "UPDATE orders SET total = $1 WHERE id = $2",
        update.total,
        id
    )
    .execute(&state.pool)
    .await?;
    found(done.rows_affected())
}

async fn delete_order(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let done = tenant_query!(tenant, "DELETE FROM orders WHERE id = $1", id)
        .execute(&state.pool)
        .await?;
    found(done.rows_affected())
}

/// 204 if a row of the tenant was written, else 404.
fn found(rows: u64) -> ApiResult<StatusCode> {
    if rows == 0 {
        Err(ApiError::NotFound)
    } else {
        Ok(StatusCode::NO_CONTENT)
    }
}

/// The body of `POST /jobs/flag-large-orders`.
#[derive(Debug, Serialize, Deserialize)]
pub struct FlagLargeOrders {
    /// The smallest total flagged.
    pub threshold: i64,
}

/// Queues a job for the request's tenant; answers 202 with the job's id.
async fn flag_large_orders(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Json(request): Json<FlagLargeOrders>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let job = Job {
        tenant,
        task: Task::FlagLargeOrders {
            threshold: request.threshold,
        },
    };
    let id = jobs::enqueue(&state.pool, &job).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "job": id }))))
}

/// One line of the admin report.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct TenantReport {
    /// The tenant's slug.
    pub tenant: String,
    /// How many orders it has.
    pub orders: i64,
    /// Their total.
    pub revenue: i64,
    /// How many of them are flagged.
    pub flagged: i64,
}

/// The admin report: the only cross-tenant read, behind the operator's token.
async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    if !is_admin(&headers, &state.admin_token) {
        return Err(ApiError::Forbidden);
    }
    let tenants = unscoped_query_as!(
        TenantReport,
        reason = "the operator's report sums every tenant's orders",
        "SELECT t.slug AS tenant, count(o.id) AS orders,
                CAST(coalesce(sum(o.total), 0) AS BIGINT) AS revenue,
                count(CASE WHEN o.flagged THEN 1 END) AS flagged
         FROM tenants t LEFT JOIN orders o ON o.tenant_id = t.id
         GROUP BY t.id, t.slug ORDER BY t.id"
    )
    .fetch_all(&state.pool)
    .await?;
    let (pending,): (i64,) = unscoped_query_as!(
        (i64,),
        reason = "the operator's report counts every tenant's unfinished jobs",
        "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
    )
    .fetch_one(&state.pool)
    .await?;
    Ok(Json(
        serde_json::json!({ "tenants": tenants, "pending_jobs": pending }),
    ))
}
