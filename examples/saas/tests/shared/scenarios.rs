// The end-to-end scenarios, shared by the SQLite and PostgreSQL builds of the example. The
// includer names the package `saas` and defines `TestDatabase` (`new`, `url`, `drop`).

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use saas::api::{Customer, Order};
use saas::{start, Config, Service};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const ADMIN: &str = "test-admin-token";
const ACME: &str = "acme-key";
const GLOBEX: &str = "globex-key";

/// The service on a database of its own, and a client of it.
struct Running {
    database: TestDatabase,
    service: Service,
    api: Api,
}

impl Running {
    /// `None` if the database is unreachable (and the test skips).
    async fn start(worker: bool) -> Option<Self> {
        let database = TestDatabase::new().await?;
        let (service, api) = serve(&database, worker).await;
        Some(Running {
            database,
            service,
            api,
        })
    }

    async fn stop(self) {
        self.service.stop().await;
        self.database.drop().await;
    }
}

async fn serve(database: &TestDatabase, worker: bool) -> (Service, Api) {
    let config = Config {
        database_url: database.url.clone(),
        address: "127.0.0.1:0".parse().unwrap(),
        admin_token: ADMIN.to_owned(),
        worker,
    };
    let service = start(config).await.unwrap();
    let api = Api {
        base: format!("http://{}", service.address),
        client: Client::new(),
    };
    (service, api)
}

/// A client of one running service.
struct Api {
    base: String,
    client: Client,
}

impl Api {
    fn request(&self, method: Method, key: Option<&str>, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// The status of `method path` as the tenant of `key`, with `body` as JSON.
    async fn status(
        &self,
        method: Method,
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

    /// `GET path` as the tenant of `key`, which must answer 200 with JSON.
    async fn get<T: DeserializeOwned>(&self, key: Option<&str>, path: &str) -> T {
        let response = self.request(Method::GET, key, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    async fn orders(&self, key: &str) -> Vec<Order> {
        self.get(Some(key), "/orders").await
    }

    async fn report(&self) -> Value {
        let request = self.request(Method::GET, None, "/admin/report");
        let response = request.header("x-admin-token", ADMIN).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Queues a flag-large-orders job as the tenant of `key`.
    async fn queue_job(&self, key: &str, threshold: i64) {
        let body = json!({ "threshold": threshold });
        let status = self.status(
            Method::POST,
            Some(key),
            "/jobs/flag-large-orders",
            Some(body),
        );
        assert_eq!(status.await, StatusCode::ACCEPTED);
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

/// The ids of the flagged orders.
fn flagged(orders: &[Order]) -> Vec<i64> {
    orders
        .iter()
        .filter(|order| order.flagged)
        .map(|order| order.id)
        .collect()
}

#[tokio::test]
async fn each_tenant_sees_only_its_own_rows() {
    let Some(running) = Running::start(false).await else {
        return;
    };
    let api = &running.api;
    assert_eq!(totals(&api.orders(ACME).await), [1100, 3500, 1040]);
    assert_eq!(totals(&api.orders(GLOBEX).await), [2100, 4500, 2040]);
    let customers: Vec<Customer> = api.get(Some(GLOBEX), "/customers").await;
    let names: Vec<_> = customers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Ada at globex", "Grace at globex"]);
    running.stop().await;
}

#[tokio::test]
async fn requests_without_a_tenant_are_rejected() {
    let Some(running) = Running::start(false).await else {
        return;
    };
    let api = &running.api;
    for key in [None, Some("stolen")] {
        assert_eq!(
            api.status(Method::GET, key, "/orders", None).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = api
        .request(Method::GET, None, "/orders/1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "tenant_missing", "detail": "header `authorization` is absent"})
    );
    let basic = api
        .request(Method::GET, None, "/orders")
        .header("authorization", "Basic YWNtZQ==");
    assert_eq!(
        basic.send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.status(Method::GET, None, "/health", None).await,
        StatusCode::OK
    );
    // The admin report needs the operator's token, and a tenant's key is not it.
    for key in [None, Some(ACME)] {
        assert_eq!(
            api.status(Method::GET, key, "/admin/report", None).await,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(api.report().await["tenants"][1]["tenant"], "globex");
    running.stop().await;
}

#[tokio::test]
async fn a_tenant_cannot_touch_the_others_orders_by_id() {
    let Some(running) = Running::start(false).await else {
        return;
    };
    let api = &running.api;
    let order = json!({"id": 10, "customer_id": 1, "total": 777});
    let created = api.status(Method::POST, Some(ACME), "/orders", Some(order.clone()));
    assert_eq!(created.await, StatusCode::CREATED);
    let again = api.status(Method::POST, Some(ACME), "/orders", Some(order));
    assert_eq!(again.await, StatusCode::CONFLICT);

    // Customer 3 is acme's only: globex cannot order for it.
    let eve = json!({"id": 3, "name": "Eve"});
    let created = api.status(Method::POST, Some(ACME), "/customers", Some(eve));
    assert_eq!(created.await, StatusCode::CREATED);
    let foreign = json!({"id": 11, "customer_id": 3, "total": 1});
    let refused = api.status(Method::POST, Some(GLOBEX), "/orders", Some(foreign));
    assert_eq!(refused.await, StatusCode::UNPROCESSABLE_ENTITY);

    let update = json!({"total": 1});
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(update.clone())),
        (Method::DELETE, None),
    ] {
        let status = api
            .status(method.clone(), Some(GLOBEX), "/orders/10", body)
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{method} another tenant's order"
        );
    }
    let mine: Order = api.get(Some(ACME), "/orders/10").await;
    assert_eq!(mine.total, 777);

    // Orders 1 and 3 exist for both: each tenant's writes reach only its own.
    let updated = api.status(Method::PUT, Some(GLOBEX), "/orders/1", Some(update));
    assert_eq!(updated.await, StatusCode::NO_CONTENT);
    let deleted = api.status(Method::DELETE, Some(GLOBEX), "/orders/3", None);
    assert_eq!(deleted.await, StatusCode::NO_CONTENT);
    assert_eq!(totals(&api.orders(GLOBEX).await), [1, 4500]);
    assert_eq!(totals(&api.orders(ACME).await), [1100, 3500, 1040, 777]);
    running.stop().await;
}

#[tokio::test]
async fn a_job_runs_for_the_tenant_that_queued_it() {
    let Some(running) = Running::start(true).await else {
        return;
    };
    let api = &running.api;
    api.queue_job(ACME, 0).await; // every order of the tenant
    api.jobs_done().await;
    assert_eq!(flagged(&api.orders(ACME).await), [1, 2, 3]);
    assert_eq!(flagged(&api.orders(GLOBEX).await), Vec::<i64>::new());
    running.stop().await;
}

#[tokio::test]
async fn a_queued_job_keeps_its_tenant_across_a_restart() {
    let Some(running) = Running::start(false).await else {
        return;
    };
    running.api.queue_job(GLOBEX, 3000).await;
    assert_eq!(running.api.report().await["pending_jobs"], 1);
    running.service.stop().await;

    let (service, api) = serve(&running.database, true).await;
    api.jobs_done().await;
    assert_eq!(flagged(&api.orders(GLOBEX).await), [2]);
    assert_eq!(flagged(&api.orders(ACME).await), Vec::<i64>::new());
    Running {
        service,
        api,
        ..running
    }
    .stop()
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_of_alternating_tenants_never_cross() {
    let Some(running) = Running::start(false).await else {
        return;
    };
    let api = Arc::new(running.api);
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let api = Arc::clone(&api);
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
    running.service.stop().await;
    running.database.drop().await;
}
