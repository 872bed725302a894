// The end-to-end scenarios, shared by the SQLite and PostgreSQL builds of the example. The
// includer names the package `saas` and defines `TestDatabase` (`new`, `url`, `drop`).

use std::time::Duration;

use reqwest::{Client, StatusCode};
use saas::api::{Customer, Order};
use saas::{start, Config, Service};
use serde_json::{json, Value};

const ADMIN: &str = "test-admin-token";
const ACME: &str = "acme-key";
const GLOBEX: &str = "globex-key";

fn config(database: &TestDatabase, worker: bool) -> Config {
    Config {
        database_url: database.url.clone(),
        address: "127.0.0.1:0".parse().unwrap(),
        admin_token: ADMIN.to_owned(),
        worker,
    }
}

/// A client of one running service.
struct Api {
    base: String,
    client: Client,
}

impl Api {
    fn of(service: &Service) -> Self {
        Api {
            base: format!("http://{}", service.address),
            client: Client::new(),
        }
    }

    fn request(
        &self,
        method: reqwest::Method,
        key: Option<&str>,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    async fn orders(&self, key: &str) -> Vec<Order> {
        let response = self
            .request(reqwest::Method::GET, Some(key), "/orders")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn status(
        &self,
        method: reqwest::Method,
        key: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> StatusCode {
        let mut request = self.request(method, key, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap().status()
    }

    async fn report(&self) -> Value {
        let response = self
            .client
            .get(format!("{}/admin/report", self.base))
            .header("x-admin-token", ADMIN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Waits until the job queue is empty.
    async fn jobs_done(&self) {
        for _ in 0..250 {
            if self.report().await["pending_jobs"] == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the job queue did not drain in 5 s");
    }
}

/// The demo totals: tenant 1's orders are 1100, 3500, 1040; tenant 2's 2100, 4500, 2040.
fn totals(orders: &[Order]) -> Vec<i64> {
    orders.iter().map(|order| order.total).collect()
}

#[tokio::test]
async fn each_tenant_sees_only_its_own_rows() {
    let Some(database) = TestDatabase::new().await else {
        return;
    };
    let service = start(config(&database, false)).await.unwrap();
    let api = Api::of(&service);
    assert_eq!(totals(&api.orders(ACME).await), [1100, 3500, 1040]);
    assert_eq!(totals(&api.orders(GLOBEX).await), [2100, 4500, 2040]);
    let customers: Vec<Customer> = api
        .request(reqwest::Method::GET, Some(GLOBEX), "/customers")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<_> = customers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Ada at globex", "Grace at globex"]);
    service.stop().await;
    database.drop().await;
}

#[tokio::test]
async fn requests_without_a_tenant_are_rejected() {
    let Some(database) = TestDatabase::new().await else {
        return;
    };
    let service = start(config(&database, false)).await.unwrap();
    let api = Api::of(&service);
    let get = reqwest::Method::GET;
    assert_eq!(
        api.status(get.clone(), None, "/orders", None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.status(get.clone(), Some("stolen"), "/orders", None)
            .await,
        StatusCode::UNAUTHORIZED
    );
    let body: Value = api
        .request(get.clone(), None, "/orders/1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!({"error": "tenant_missing", "detail": "header `authorization` is absent"})
    );
    let malformed = api
        .client
        .get(format!("{}/orders", api.base))
        .header("authorization", "Basic YWNtZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        api.status(get.clone(), None, "/health", None).await,
        StatusCode::OK
    );
    // The admin report needs the operator's token, and a tenant's key is not it.
    assert_eq!(
        api.status(get.clone(), None, "/admin/report", None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.status(get, Some(ACME), "/admin/report", None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(api.report().await["tenants"][1]["tenant"], "globex");
    service.stop().await;
    database.drop().await;
}

#[tokio::test]
async fn a_tenant_cannot_touch_the_others_orders_by_id() {
    use reqwest::Method;
    let Some(database) = TestDatabase::new().await else {
        return;
    };
    let service = start(config(&database, false)).await.unwrap();
    let api = Api::of(&service);
    let order = json!({"id": 10, "customer_id": 1, "total": 777});
    assert_eq!(
        api.status(Method::POST, Some(ACME), "/orders", Some(order.clone()))
            .await,
        StatusCode::CREATED
    );
    assert_eq!(
        api.status(Method::POST, Some(ACME), "/orders", Some(order))
            .await,
        StatusCode::CONFLICT
    );

    // A customer id of the other tenant only: globex has customers 1 and 2.
    let foreign = json!({"id": 11, "customer_id": 3, "total": 1});
    assert_eq!(
        api.status(
            Method::POST,
            Some(ACME),
            "/customers",
            Some(json!({"id": 3, "name": "Eve"}))
        )
        .await,
        StatusCode::CREATED
    );
    assert_eq!(
        api.status(Method::POST, Some(GLOBEX), "/orders", Some(foreign))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    assert_eq!(
        api.status(Method::GET, Some(GLOBEX), "/orders/10", None)
            .await,
        StatusCode::NOT_FOUND
    );
    let update = json!({"total": 1});
    assert_eq!(
        api.status(
            Method::PUT,
            Some(GLOBEX),
            "/orders/10",
            Some(update.clone())
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.status(Method::DELETE, Some(GLOBEX), "/orders/10", None)
            .await,
        StatusCode::NOT_FOUND
    );
    let mine: Order = api
        .request(Method::GET, Some(ACME), "/orders/10")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.total, 777);

    // Order 1 exists for both: each tenant's writes reach only its own.
    assert_eq!(
        api.status(Method::PUT, Some(GLOBEX), "/orders/1", Some(update))
            .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.status(Method::DELETE, Some(GLOBEX), "/orders/3", None)
            .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(totals(&api.orders(GLOBEX).await), [1, 4500]);
    assert_eq!(totals(&api.orders(ACME).await), [1100, 3500, 1040, 777]);
    service.stop().await;
    database.drop().await;
}

#[tokio::test]
async fn a_job_runs_for_the_tenant_that_queued_it() {
    let Some(database) = TestDatabase::new().await else {
        return;
    };
    let service = start(config(&database, true)).await.unwrap();
    let api = Api::of(&service);
    let request = json!({"threshold": 0}); // every order of the tenant
    let status = api
        .status(
            reqwest::Method::POST,
            Some(ACME),
            "/jobs/flag-large-orders",
            Some(request),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    api.jobs_done().await;
    assert!(api.orders(ACME).await.iter().all(|order| order.flagged));
    assert!(api.orders(GLOBEX).await.iter().all(|order| !order.flagged));
    service.stop().await;
    database.drop().await;
}

#[tokio::test]
async fn a_queued_job_keeps_its_tenant_across_a_restart() {
    let Some(database) = TestDatabase::new().await else {
        return;
    };
    let service = start(config(&database, false)).await.unwrap();
    let api = Api::of(&service);
    let request = json!({"threshold": 3000});
    let status = api
        .status(
            reqwest::Method::POST,
            Some(GLOBEX),
            "/jobs/flag-large-orders",
            Some(request),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(api.report().await["pending_jobs"], 1);
    service.stop().await;

    let service = start(config(&database, true)).await.unwrap();
    let api = Api::of(&service);
    api.jobs_done().await;
    let flagged = |orders: Vec<Order>| -> Vec<i64> {
        orders.iter().filter(|o| o.flagged).map(|o| o.id).collect()
    };
    assert_eq!(flagged(api.orders(GLOBEX).await), [2]);
    assert_eq!(flagged(api.orders(ACME).await), Vec::<i64>::new());
    service.stop().await;
    database.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_of_alternating_tenants_never_cross() {
    let Some(database) = TestDatabase::new().await else {
        return;
    };
    let service = start(config(&database, false)).await.unwrap();
    let api = std::sync::Arc::new(Api::of(&service));
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let api = std::sync::Arc::clone(&api);
            tokio::spawn(async move {
                let (key, expected) = if i % 2 == 0 {
                    (ACME, [1100, 3500, 1040])
                } else {
                    (GLOBEX, [2100, 4500, 2040])
                };
                assert_eq!(totals(&api.orders(key).await), expected, "request {i}");
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    service.stop().await;
    database.drop().await;
}
