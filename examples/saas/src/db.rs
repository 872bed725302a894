//! The demo tenants, and the start-up that creates the schema and them.

use tenant_query::{tenant_query, unscoped_query, unscoped_query_scalar, TenantId};

use crate::backend::JOBS_TABLE;
use crate::Pool;

/// The tables of `tenant-schema.toml` but the job queue's ([`JOBS_TABLE`]). Ids are per
/// tenant, so two tenants can both have an order 1: the primary keys include the tenant.
const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS tenants (
        id BIGINT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        api_key TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS customers (
        tenant_id BIGINT NOT NULL REFERENCES tenants (id),
        id BIGINT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id)
    );
    CREATE TABLE IF NOT EXISTS orders (
        tenant_id BIGINT NOT NULL REFERENCES tenants (id),
        id BIGINT NOT NULL,
        customer_id BIGINT NOT NULL,
        total BIGINT NOT NULL,
        flagged BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
    );
";

/// A demo tenant: its id, slug and API key.
pub struct DemoTenant {
    /// The tenant's id.
    pub id: TenantId,
    /// Its name in URLs and reports.
    pub slug: &'static str,
    /// The bearer token its requests carry.
    pub api_key: &'static str,
}

/// The two tenants created on start. Their customers and orders have the same ids.
pub const DEMO_TENANTS: [DemoTenant; 2] = [
    DemoTenant {
        id: TenantId::new(1),
        slug: "acme",
        api_key: "acme-key",
    },
    DemoTenant {
        id: TenantId::new(2),
        slug: "globex",
        api_key: "globex-key",
    },
];

/// Creates the tables, and the demo tenants with their customers and orders if they are not
/// there yet.
pub async fn prepare(pool: &Pool) -> Result<(), sqlx::Error> {
    // Creating the tables is DDL, which the macros do not take: direct calls, allowed here
    // although this crate bans them (clippy.toml).
    #[allow(clippy::disallowed_methods)]
    sqlx::raw_sql(TABLES).execute(pool).await?;
    #[allow(clippy::disallowed_methods)]
    sqlx::raw_sql(JOBS_TABLE).execute(pool).await?;
    let existing = unscoped_query_scalar!(
        i64,
        reason = "start-up checks whether the demo tenants exist",
        "SELECT count(*) FROM tenants"
    )
    .fetch_one(pool)
    .await?;
    if existing > 0 {
        return Ok(());
    }
    for tenant in &DEMO_TENANTS {
        seed(pool, tenant).await?;
    }
    Ok(())
}

/// One demo tenant, its two customers and three orders (ids 1 to 3, as for the other tenant).
async fn seed(pool: &Pool, tenant: &DemoTenant) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    unscoped_query!(
        reason = "onboarding creates a tenant",
        "INSERT INTO tenants (id, slug, api_key) VALUES ($1, $2, $3)",
        *tenant.id.get(),
        tenant.slug,
        tenant.api_key
    )
    .execute(&mut *tx)
    .await?;
    let id = tenant.id;
    for (customer, name) in [(1_i64, "Ada"), (2, "Grace")] {
        let name = format!("{name} at {}", tenant.slug);
        tenant_query!(
            id,
            "INSERT INTO customers (id, name) VALUES ($1, $2)",
            customer,
            name
        )
        .execute(&mut *tx)
        .await?;
    }
    // Totals differ per tenant, so that a crossed row would show.
    let base = *id.get() * 1000;
    for (order, customer, total) in [(1_i64, 1_i64, 100), (2, 1, 2500), (3, 2, 40)] {
        tenant_query!(
            id,
            "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3)",
            order,
            customer,
            base + total
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
