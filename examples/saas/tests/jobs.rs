//! The job queue through the library, on SQLite: interrupted jobs are run again, for their
//! tenant; unreadable payloads fail without running.

use saas_example::jobs::{self, Job, Task};
use saas_example::{backend, db, Pool};
use tenant_query::{tenant_query_as, unscoped_query, unscoped_query_scalar, TenantId};

async fn database() -> Pool {
    let pool = backend::connect("sqlite::memory:").await.unwrap();
    db::prepare(&pool).await.unwrap();
    pool
}

async fn flagged(pool: &Pool, tenant: TenantId) -> Vec<i64> {
    let rows: Vec<(i64,)> = tenant_query_as!(
        (i64,),
        tenant,
        "SELECT id FROM orders WHERE flagged ORDER BY id"
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

async fn states(pool: &Pool) -> String {
    unscoped_query_scalar!(
        String,
        reason = "the test reads the whole queue",
        "SELECT group_concat(state, ',') FROM jobs"
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_job_interrupted_while_running_runs_again_for_its_tenant() {
    let pool = database().await;
    let acme = db::DEMO_TENANTS[0].id;
    let globex = db::DEMO_TENANTS[1].id;
    let job = Job {
        tenant: globex,
        task: Task::FlagLargeOrders { threshold: 0 },
    };
    jobs::enqueue(&pool, &job).await.unwrap();
    // As if the process had stopped while running it.
    unscoped_query!(
        reason = "the test interrupts the job",
        "UPDATE jobs SET state = 'running'"
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(
        !jobs::run_next(&pool).await.unwrap(),
        "a running job is not claimed twice"
    );

    jobs::requeue_interrupted(&pool).await.unwrap();
    assert!(jobs::run_next(&pool).await.unwrap());
    assert_eq!(states(&pool).await, "done");
    assert_eq!(flagged(&pool, globex).await, [1, 2, 3]);
    assert_eq!(flagged(&pool, acme).await, Vec::<i64>::new());
}

#[tokio::test]
async fn a_payload_without_a_tenant_fails_and_runs_nothing() {
    let pool = database().await;
    for payload in [
        r#"{"task":{"kind":"flag_large_orders","threshold":0}}"#,
        r#"{"tenant":null,"task":{"kind":"flag_large_orders","threshold":0}}"#,
    ] {
        unscoped_query!(
            reason = "the test queues a broken job",
            "INSERT INTO jobs (payload) VALUES ($1)",
            payload
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    assert!(jobs::run_next(&pool).await.unwrap());
    assert!(jobs::run_next(&pool).await.unwrap());
    assert!(!jobs::run_next(&pool).await.unwrap());
    assert_eq!(states(&pool).await, "failed,failed");
    for tenant in &db::DEMO_TENANTS {
        assert_eq!(flagged(&pool, tenant.id).await, Vec::<i64>::new());
    }
}

#[test]
fn the_payload_carries_the_tenant_as_its_inner_value() {
    let job = Job {
        tenant: TenantId::new(2),
        task: Task::FlagLargeOrders { threshold: 5 },
    };
    assert_eq!(
        serde_json::to_string(&job).unwrap(),
        r#"{"tenant":2,"task":{"kind":"flag_large_orders","threshold":5}}"#
    );
}
