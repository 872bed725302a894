//! The `Tenants` extractor over real HTTP on a loopback port: a resolver that reads a
//! comma-separated header of tenant ids, and a pinned set for tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tenant_query::{TenantId, TenantSet};
use tenant_query_axum::{TenantRejection, TenantSetLayer, TenantSetResolver, Tenants};

/// `X-Tenant-Ids: 1,2,3`.
struct CommaSeparated;

impl TenantSetResolver for CommaSeparated {
    type Id = i64;

    async fn resolve(&self, parts: &Parts) -> Result<TenantSet, TenantRejection> {
        let header = parts
            .headers
            .get("x-tenant-ids")
            .ok_or_else(|| TenantRejection::missing("header `x-tenant-ids` is absent"))?;
        let text = header
            .to_str()
            .map_err(|_| TenantRejection::malformed("header `x-tenant-ids` is not text"))?;
        let ids = text
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse().map(TenantId::new))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| TenantRejection::malformed("header `x-tenant-ids` holds a non-integer"))?;
        TenantSet::new(ids).map_err(|e| TenantRejection::missing(e.to_string()))
    }
}

/// Serves `/mine` (the set, comma-separated) behind `layer` on 127.0.0.1; counts the calls that
/// reached the handler.
async fn serve(layer: TenantSetLayer<i64>, calls: &Arc<AtomicUsize>) -> String {
    let calls = Arc::clone(calls);
    let app = Router::new()
        .route(
            "/mine",
            get(move |Tenants(tenants): Tenants| async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let ids: Vec<String> = tenants.iter().map(ToString::to_string).collect();
                ids.join(",")
            }),
        )
        .layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/mine")
}

async fn get_with(url: &str, header: Option<&str>) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(value) = header {
        request = request.header("x-tenant-ids", value);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_resolved_set_reaches_the_handler_and_a_missing_or_empty_one_never_does() {
    let calls = Arc::new(AtomicUsize::new(0));
    let url = serve(TenantSetLayer::new(CommaSeparated), &calls).await;
    assert_eq!(
        get_with(&url, Some("3, 1,3")).await,
        (StatusCode::OK, "1,3".to_owned())
    );

    let (status, body) = get_with(&url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({"error": "tenant_missing", "detail": "header `x-tenant-ids` is absent"})
    );

    let (status, body) = get_with(&url, Some(" , ")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("at least one tenant"), "{body}");

    let (status, _) = get_with(&url, Some("1,x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn tests_pin_the_set() {
    let calls = Arc::new(AtomicUsize::new(0));
    let pinned = TenantSet::new([TenantId::new(9), TenantId::new(4)]).unwrap();
    let url = serve(TenantSetLayer::new(pinned), &calls).await;
    assert_eq!(
        get_with(&url, None).await,
        (StatusCode::OK, "4,9".to_owned())
    );
}

#[tokio::test]
async fn a_router_without_the_layer_is_a_configuration_error() {
    let app: Router = Router::new().route("/mine", get(|Tenants(_): Tenants| async { "" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (status, body) = get_with(&format!("http://{address}/mine"), None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !body.contains("TenantSetLayer"),
        "the cause is logged, not sent: {body}"
    );
}
