//! The extractor and the layer over real HTTP on a loopback port.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tenant_query::TenantId;
use tenant_query_axum::{
    BoxError, HeaderResolver, SubdomainResolver, Tenant, TenantLayer, TenantRejection,
    TenantResolver,
};

/// Serves `app` on 127.0.0.1 and returns its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// `/whoami` answers the tenant's id and counts the calls that reached it.
fn whoami(calls: &Arc<AtomicUsize>) -> Router {
    let calls = Arc::clone(calls);
    Router::new()
        .route(
            "/whoami",
            get(move |Tenant(tenant): Tenant| async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                tenant.to_string()
            }),
        )
        .route("/health", get(|| async { "ok" }))
}

async fn get_with(url: &str, header: Option<&str>) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(value) = header {
        request = request.header("x-tenant-id", value);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn header_tenant_reaches_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base =
        serve(whoami(&calls).layer(TenantLayer::new(HeaderResolver::<i64>::default()))).await;
    assert_eq!(
        get_with(&format!("{base}/whoami"), Some("42")).await,
        (StatusCode::OK, "42".to_owned())
    );
    assert_eq!(
        get_with(&format!("{base}/whoami"), Some(" 7 ")).await,
        (StatusCode::OK, "7".to_owned())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn missing_and_malformed_tenants_never_reach_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base =
        serve(whoami(&calls).layer(TenantLayer::new(HeaderResolver::<i64>::default()))).await;
    let url = format!("{base}/whoami");

    let (status, body) = get_with(&url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(&body),
        json!({"error": "tenant_missing", "detail": "header `x-tenant-id` is absent"})
    );

    for (value, detail) in [
        (
            "abc",
            "header `x-tenant-id` is not a tenant id: invalid digit found in string",
        ),
        ("", "header `x-tenant-id` is empty"),
        (
            "99999999999999999999",
            "header `x-tenant-id` is not a tenant id: number too large to fit in target type",
        ),
    ] {
        let (status, body) = get_with(&url, Some(value)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{value:?}");
        assert_eq!(
            json_of(&body),
            json!({"error": "tenant_malformed", "detail": detail})
        );
    }

    let response = reqwest::Client::new()
        .get(&url)
        .header("x-tenant-id", "1")
        .header("x-tenant-id", "2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(&response.text().await.unwrap()),
        json!({"error": "tenant_malformed", "detail": "header `x-tenant-id` is sent more than once"})
    );

    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// Fails with an error whose text must not reach the client.
struct Broken;

impl TenantResolver for Broken {
    type Id = i64;

    async fn resolve(&self, _parts: &Parts) -> Result<TenantId, TenantRejection> {
        Err(TenantRejection::failed(
            "password=hunter2 rejected by db.internal:5432",
        ))
    }
}

#[tokio::test]
async fn a_failing_resolver_is_a_500_that_leaks_nothing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base = serve(whoami(&calls).layer(TenantLayer::new(Broken))).await;
    let (status, body) = get_with(&format!("{base}/whoami"), Some("1")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(json_of(&body), json!({"error": "tenant_resolution_failed"}));
    assert!(!body.contains("hunter2") && !body.contains("db.internal"));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn skipped_paths_need_no_tenant() {
    let calls = Arc::new(AtomicUsize::new(0));
    let layer = TenantLayer::new(HeaderResolver::<i64>::default()).skip("/health");
    let base = serve(whoami(&calls).layer(layer)).await;
    assert_eq!(
        get_with(&format!("{base}/health"), None).await,
        (StatusCode::OK, "ok".to_owned())
    );
    let (status, _) = get_with(&format!("{base}/whoami"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A skipped route that asks for a tenant resolves it on demand.
    let layer = TenantLayer::new(HeaderResolver::<i64>::default()).skip("/whoami");
    let base = serve(whoami(&calls).layer(layer)).await;
    assert_eq!(
        get_with(&format!("{base}/whoami"), Some("5")).await,
        (StatusCode::OK, "5".to_owned())
    );
    let (status, _) = get_with(&format!("{base}/whoami"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn skip_matches_route_patterns() {
    let app = Router::new()
        .route("/public/{page}", get(|| async { "public" }))
        .layer(TenantLayer::new(HeaderResolver::<i64>::default()).skip("/public/{page}"));
    let base = serve(app).await;
    assert_eq!(
        get_with(&format!("{base}/public/about"), None).await,
        (StatusCode::OK, "public".to_owned())
    );
}

#[tokio::test]
async fn on_demand_resolves_only_for_handlers_that_ask() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = whoami(&calls)
        .route(
            "/maybe",
            get(|tenant: Option<Tenant>| async move {
                tenant.map_or("anonymous".to_owned(), |Tenant(t)| t.to_string())
            }),
        )
        .layer(TenantLayer::on_demand(HeaderResolver::<i64>::default()));
    let base = serve(app).await;
    assert_eq!(
        get_with(&format!("{base}/health"), None).await,
        (StatusCode::OK, "ok".to_owned())
    );
    let (status, _) = get_with(&format!("{base}/whoami"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get_with(&format!("{base}/maybe"), None).await,
        (StatusCode::OK, "anonymous".to_owned())
    );
    assert_eq!(
        get_with(&format!("{base}/maybe"), Some("3")).await,
        (StatusCode::OK, "3".to_owned())
    );
    let (status, _) = get_with(&format!("{base}/maybe"), Some("x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_pinned_tenant_replaces_the_resolver() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base = serve(whoami(&calls).layer(TenantLayer::pinned(TenantId::new(9_i64)))).await;
    assert_eq!(
        get_with(&format!("{base}/whoami"), None).await,
        (StatusCode::OK, "9".to_owned())
    );
    assert_eq!(
        get_with(&format!("{base}/whoami"), Some("1")).await,
        (StatusCode::OK, "9".to_owned())
    );
}

#[tokio::test]
async fn without_a_layer_the_extractor_is_a_logged_500() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base = serve(whoami(&calls)).await;
    let (status, body) = get_with(&format!("{base}/whoami"), Some("1")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(json_of(&body), json!({"error": "tenant_resolution_failed"}));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_of_two_tenants_never_cross() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base =
        serve(whoami(&calls).layer(TenantLayer::new(HeaderResolver::<i64>::default()))).await;
    let client = reqwest::Client::new();
    let requests = (0..100).map(|i| {
        let tenant = if i % 2 == 0 { "1" } else { "2" };
        let request = client
            .get(format!("{base}/whoami"))
            .header("x-tenant-id", tenant)
            .send();
        async move {
            let body = request.await.unwrap().text().await.unwrap();
            (tenant, body)
        }
    });
    let handles: Vec<_> = requests.map(tokio::spawn).collect();
    for handle in handles {
        let (sent, answered) = handle.await.unwrap();
        assert_eq!(sent, answered);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 100);
}

async fn slug_lookup(slug: String) -> Result<Option<TenantId>, BoxError> {
    match slug.as_str() {
        "acme" => Ok(Some(TenantId::new(1))),
        "globex" => Ok(Some(TenantId::new(2))),
        "down" => Err("lookup database at db.internal unreachable".into()),
        _ => Ok(None),
    }
}

#[tokio::test]
async fn subdomains_map_to_tenants() {
    let calls = Arc::new(AtomicUsize::new(0));
    let resolver = SubdomainResolver::new("example.com", slug_lookup);
    let base = serve(whoami(&calls).layer(TenantLayer::new(resolver))).await;
    let url = format!("{base}/whoami");
    let with_host = |host: &'static str| {
        let request = reqwest::Client::new().get(&url).header("host", host).send();
        async move {
            let response = request.await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    assert_eq!(
        with_host("acme.example.com").await,
        (StatusCode::OK, "1".to_owned())
    );
    assert_eq!(
        with_host("GLOBEX.Example.com:8080").await,
        (StatusCode::OK, "2".to_owned())
    );

    let (status, body) = with_host("nobody.example.com").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(&body),
        json!({"error": "tenant_missing", "detail": "no tenant has the subdomain `nobody`"})
    );
    let (status, _) = with_host("example.com").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for host in ["acme.evil.com", "a.acme.example.com", "x_y.example.com"] {
        let (status, _) = with_host(host).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{host}");
    }
    let (status, body) = with_host("down.example.com").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("db.internal"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_closure_resolves_the_tenant_from_a_path_segment() {
    let from_path =
        tenant_query_axum::resolver_fn(|parts: &Parts| -> Result<TenantId, TenantRejection> {
            let mut segments = parts.uri.path().split('/').skip(1);
            match (segments.next(), segments.next()) {
                (Some("t"), Some(id)) => id.parse().map(TenantId::new).map_err(|_| {
                    TenantRejection::malformed("the tenant segment is not an integer")
                }),
                _ => Err(TenantRejection::missing(
                    "the path does not start with /t/<tenant>",
                )),
            }
        });
    let app = Router::new()
        .route(
            "/t/{tenant}/whoami",
            get(|Tenant(t): Tenant| async move { t.to_string() }),
        )
        .layer(TenantLayer::new(from_path));
    let base = serve(app).await;
    assert_eq!(
        get_with(&format!("{base}/t/12/whoami"), None).await,
        (StatusCode::OK, "12".to_owned())
    );
    let (status, body) = get_with(&format!("{base}/t/x/whoami"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(&body),
        json!({"error": "tenant_malformed", "detail": "the tenant segment is not an integer"})
    );
}

/// What an authentication middleware leaves in the extensions after verifying a token.
#[derive(Clone)]
struct Claims {
    org: String,
}

/// Reads the tenant from the verified claims; a request without claims has no tenant.
struct FromClaims;

impl TenantResolver for FromClaims {
    type Id = String;

    async fn resolve(&self, parts: &Parts) -> Result<TenantId<String>, TenantRejection> {
        let claims = parts.extensions.get::<Claims>();
        let claims = claims.ok_or_else(|| TenantRejection::missing("no verified token"))?;
        Ok(TenantId::new(claims.org.clone()))
    }
}

#[tokio::test]
async fn a_resolver_reads_the_claims_of_a_verified_token() {
    // Stands for the authentication layer: "verifies" `Bearer org:<name>` into `Claims`.
    async fn authenticate(
        mut request: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        let org = request
            .headers()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer org:"))
            .map(str::to_owned);
        if let Some(org) = org {
            request.extensions_mut().insert(Claims { org });
        }
        next.run(request).await
    }
    let app = Router::new()
        .route(
            "/whoami",
            get(|Tenant(t): Tenant<String>| async move { t.into_inner() }),
        )
        .layer(TenantLayer::new(FromClaims))
        .layer(axum::middleware::from_fn(authenticate)); // the outer layer runs first
    let base = serve(app).await;
    let url = format!("{base}/whoami");
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth("org:acme")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "acme");
    let (status, body) = get_with(&url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(&body),
        json!({"error": "tenant_missing", "detail": "no verified token"})
    );
}

#[tokio::test]
async fn without_a_host_header_the_subdomain_comes_from_the_uri() {
    use axum::body::Body;
    use tower::ServiceExt;

    let calls = Arc::new(AtomicUsize::new(0));
    let resolver = SubdomainResolver::new("example.com", slug_lookup);
    let app = whoami(&calls).layer(TenantLayer::new(resolver));
    // An HTTP/2 request has an authority in its URI and may have no Host header.
    let request = axum::http::Request::get("https://globex.example.com/whoami")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 64)
        .await
        .unwrap();
    assert_eq!(&body[..], b"2");

    let request = axum::http::Request::get("/whoami")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = axum::body::to_bytes(response.into_body(), 256)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({"error": "tenant_missing", "detail": "the request names no host"})
    );
}
