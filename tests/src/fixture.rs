//! The fixture: schema, manifest and rows shared by every dialect.
//!
//! Three tenants (1, 2, 3) own rows whose ids overlap (every scoped table's key starts with
//! the tenant column), tenant 4 exists but owns nothing, and rows of one tenant point at ids
//! that exist only in another tenant's data (a membership of tenant 1 naming organization 3,
//! orders whose customer belongs to another tenant, items of orders that only tenant 3 has).
//! Nullable foreign-key columns make outer joins produce NULL rows.

use tenant_query_core::Dialect;

/// The tenants whose view of the data every case is checked for.
pub const TENANTS: [i64; 4] = [1, 2, 3, 4];

/// One SQL value of the fixture, or a bind argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// A 64-bit integer.
    Int(i64),
    /// A string.
    Text(String),
    /// SQL NULL.
    Null,
}

impl Val {
    /// A text value.
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }

    /// An integer, or NULL for `None`.
    pub fn opt(v: Option<i64>) -> Val {
        v.map_or(Val::Null, Val::Int)
    }

    /// The value as an SQL literal. Fixture strings never contain quotes.
    pub fn literal(&self) -> String {
        match self {
            Val::Int(i) => i.to_string(),
            Val::Text(s) => {
                assert!(!s.contains('\''), "fixture strings never contain quotes");
                format!("'{s}'")
            }
            Val::Null => "NULL".to_owned(),
        }
    }
}

/// The type of a fixture column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// A 64-bit integer.
    Int,
    /// A short string (usable in keys on MySQL).
    Text,
}

/// One column of a fixture table.
#[derive(Debug, Clone)]
pub struct Column {
    /// The column name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColType,
    /// Whether it accepts NULL.
    pub nullable: bool,
}

/// One fixture table with its rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table name.
    pub name: &'static str,
    /// The columns in definition order (the order `SELECT *` returns them in).
    pub columns: Vec<Column>,
    /// The tenant column of a scoped table; `None` for a global table.
    pub tenant_column: Option<&'static str>,
    /// Whether rows with a NULL tenant column are shared by every tenant
    /// (`scope = "tenant_or_global"`).
    pub shared: bool,
    /// The primary key.
    pub primary_key: Vec<&'static str>,
    /// Further unique keys. Some deliberately leave out the tenant column.
    pub unique: Vec<Vec<&'static str>>,
    /// The rows of every tenant.
    pub rows: Vec<Vec<Val>>,
}

impl Table {
    /// The position of the tenant column in `columns`.
    pub fn tenant_index(&self) -> Option<usize> {
        let tc = self.tenant_column?;
        self.columns.iter().position(|c| c.name == tc)
    }

    /// The rows the tenant copy for `tenant` holds: the tenant's own rows of a scoped
    /// table (and the shared ones of a `tenant_or_global` table), every row of a global one.
    pub fn rows_for(&self, tenant: i64) -> Vec<Vec<Val>> {
        match self.tenant_index() {
            None => self.rows.clone(),
            Some(i) => self
                .rows
                .iter()
                .filter(|r| r[i] == Val::Int(tenant) || (self.shared && r[i] == Val::Null))
                .cloned()
                .collect(),
        }
    }

    /// The rows the copy of a tenant set holds: the rows of every tenant of `tenants` of a
    /// scoped table (and the shared ones of a `tenant_or_global` table), every row of a global
    /// one.
    pub fn rows_for_set(&self, tenants: &[i64]) -> Vec<Vec<Val>> {
        match self.tenant_index() {
            None => self.rows.clone(),
            Some(i) => self
                .rows
                .iter()
                .filter(|r| match r[i] {
                    Val::Int(t) => tenants.contains(&t),
                    Val::Null => self.shared,
                    Val::Text(_) => false,
                })
                .cloned()
                .collect(),
        }
    }

    /// `CREATE TABLE` for `dialect`. In a tenant copy (`copy_of = Some(T)`) the tenant column
    /// defaults to `T`, so that an original INSERT that leaves it out stamps `T` the way the
    /// rewritten one does. The full database has no default: a missing stamp fails loudly.
    pub fn create_sql(&self, dialect: Dialect, copy_of: Option<i64>) -> String {
        let mut parts: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                let ty = match (c.ty, dialect) {
                    (ColType::Int, Dialect::Sqlite) => "INTEGER",
                    (ColType::Int, _) => "BIGINT",
                    (ColType::Text, Dialect::MySql) => "VARCHAR(64)",
                    (ColType::Text, _) => "TEXT",
                };
                let null = if c.nullable { "NULL" } else { "NOT NULL" };
                let default = match copy_of {
                    Some(t) if Some(c.name) == self.tenant_column => format!(" DEFAULT {t}"),
                    _ => String::new(),
                };
                format!("{} {ty} {null}{default}", c.name)
            })
            .collect();
        parts.push(format!("PRIMARY KEY ({})", self.primary_key.join(", ")));
        for key in &self.unique {
            parts.push(format!("UNIQUE ({})", key.join(", ")));
        }
        let engine = if dialect == Dialect::MySql {
            " ENGINE=InnoDB"
        } else {
            ""
        };
        format!("CREATE TABLE {} ({}){engine}", self.name, parts.join(", "))
    }

    /// One multi-row `INSERT` of `rows`, or `None` when there are none.
    pub fn insert_sql(&self, rows: &[Vec<Val>]) -> Option<String> {
        if rows.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        let values: Vec<String> = rows
            .iter()
            .map(|r| {
                let lits: Vec<String> = r.iter().map(Val::literal).collect();
                format!("({})", lits.join(", "))
            })
            .collect();
        Some(format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.name,
            names.join(", "),
            values.join(", ")
        ))
    }
}

/// The manifest describing the fixture schema for `dialect`, with every table's unique keys
/// (its primary key first), so that upserts on tables whose keys all hold the tenant column
/// are accepted.
///
/// The databases' fixture has a manifest of its own, derived from its tables: the engine
/// cases' manifest (`tenant-query-core/tests/cases/tenant-schema.toml`) describes tables
/// without rows (declared columns, a schema-qualified table) that the databases do not have.
/// `tenant_query_assurance::schema::Schema::manifest_toml` writes the same text for a
/// generator schema; the assurance library cannot use this crate (its fuzz targets build
/// without sqlx), so the few lines stay twice.
pub fn manifest_toml(dialect: Dialect) -> String {
    let mut text = format!("dialect = \"{dialect}\"\ntenant_column = \"tenant_id\"\n");
    for table in tables() {
        text.push_str(&format!("\n[tables.{}]\n", table.name));
        match table.tenant_column {
            None => text.push_str("scope = \"global\"\n"),
            Some(tc) => {
                let scope = if table.shared {
                    "tenant_or_global"
                } else {
                    "tenant"
                };
                text.push_str(&format!("scope = \"{scope}\"\n"));
                if tc != "tenant_id" {
                    text.push_str(&format!("tenant_column = \"{tc}\"\n"));
                }
            }
        }
        let keys: Vec<String> = std::iter::once(&table.primary_key)
            .chain(&table.unique)
            .map(|k| format!("{k:?}"))
            .collect();
        text.push_str(&format!("unique = [{}]\n", keys.join(", ")));
    }
    text
}

fn col(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        nullable: false,
    }
}

fn null_col(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        nullable: true,
    }
}

/// How many rows of each kind tenant `t` owns (tenants 1 to 3).
fn users_of(t: i64) -> i64 {
    3 + t
}
fn orgs_of(t: i64) -> i64 {
    1 + t
}
fn customers_of(t: i64) -> i64 {
    2 + t
}
fn orders_of(t: i64) -> i64 {
    3 + 2 * t
}

/// Every fixture table with its rows, in creation order.
pub fn tables() -> Vec<Table> {
    use ColType::{Int, Text};
    let owners = [1i64, 2, 3];

    let tenants = Table {
        name: "tenants",
        columns: vec![
            col("id", Int),
            col("name", Text),
            null_col("home_country", Text),
        ],
        tenant_column: None,
        shared: false,
        primary_key: vec!["id"],
        unique: vec![],
        rows: [
            (1, "acme", Some("DE")),
            (2, "globex", Some("FR")),
            (3, "initech", Some("XX")),
            (4, "empty", None),
        ]
        .into_iter()
        .map(|(id, name, home)| {
            vec![
                Val::Int(id),
                Val::text(name),
                home.map_or(Val::Null, Val::text),
            ]
        })
        .collect(),
    };

    let countries = Table {
        name: "countries",
        columns: vec![col("country_code", Text), col("country_name", Text)],
        tenant_column: None,
        shared: false,
        primary_key: vec!["country_code"],
        unique: vec![],
        rows: [
            ("DE", "Germany"),
            ("FR", "France"),
            ("US", "United States"),
            ("JP", "Japan"),
        ]
        .into_iter()
        .map(|(c, n)| vec![Val::text(c), Val::text(n)])
        .collect(),
    };

    let mut users = Table {
        name: "users",
        columns: vec![
            col("tenant_id", Int),
            col("id", Int),
            col("name", Text),
            null_col("country_code", Text),
            null_col("manager_id", Int),
        ],
        tenant_column: Some("tenant_id"),
        shared: false,
        primary_key: vec!["tenant_id", "id"],
        unique: vec![],
        rows: vec![],
    };
    let countries_cycle = [Some("DE"), Some("FR"), None, Some("US"), Some("XX")];
    for t in owners {
        for id in 1..=users_of(t) {
            // Tenant 1's user 4 reports to user 5, who exists only in tenants 2 and 3.
            let manager = match (t, id) {
                (_, 1) => None,
                (1, 4) => Some(5),
                _ => Some(id - 1),
            };
            users.rows.push(vec![
                Val::Int(t),
                Val::Int(id),
                Val::text(format!("u{t}-{id}")),
                countries_cycle[((id + t) % 5) as usize].map_or(Val::Null, Val::text),
                Val::opt(manager),
            ]);
        }
    }

    let mut organizations = Table {
        name: "organizations",
        columns: vec![
            col("tenant_id", Int),
            col("id", Int),
            col("name", Text),
            null_col("parent_id", Int),
        ],
        tenant_column: Some("tenant_id"),
        shared: false,
        primary_key: vec!["tenant_id", "id"],
        unique: vec![],
        rows: vec![],
    };
    for t in owners {
        for id in 1..=orgs_of(t) {
            // Tenant 1's organization 2 has a parent that only tenants 2 and 3 have.
            let parent = match (t, id) {
                (_, 1) => None,
                (1, 2) => Some(3),
                _ => Some(id - 1),
            };
            organizations.rows.push(vec![
                Val::Int(t),
                Val::Int(id),
                Val::text(format!("o{t}-{id}")),
                Val::opt(parent),
            ]);
        }
    }

    let mut memberships = Table {
        name: "memberships",
        columns: vec![
            col("tenant_id", Int),
            col("user_id", Int),
            col("org_id", Int),
            col("role", Text),
        ],
        tenant_column: Some("tenant_id"),
        shared: false,
        primary_key: vec!["tenant_id", "user_id", "org_id"],
        unique: vec![],
        rows: vec![],
    };
    for t in owners {
        // The last user of each tenant belongs to no organization.
        for user in 1..users_of(t) {
            let org = user % orgs_of(t) + 1;
            let role = if user == 1 { "owner" } else { "member" };
            memberships.rows.push(vec![
                Val::Int(t),
                Val::Int(user),
                Val::Int(org),
                Val::text(role),
            ]);
        }
    }
    // Planted cross-tenant links: organization 3 exists only in tenants 2 and 3; user 6
    // only in tenant 3.
    for (t, user, org) in [(1, 1, 3), (2, 6, 1), (3, 2, 4)] {
        memberships.rows.push(vec![
            Val::Int(t),
            Val::Int(user),
            Val::Int(org),
            Val::text("guest"),
        ]);
    }

    let mut customers = Table {
        name: "customers",
        columns: vec![
            col("tenant_id", Int),
            col("id", Int),
            col("name", Text),
            col("email", Text),
            null_col("country_code", Text),
        ],
        tenant_column: Some("tenant_id"),
        shared: false,
        primary_key: vec!["tenant_id", "id"],
        // Unique across all tenants: an upsert keyed on it can meet another tenant's row.
        unique: vec![vec!["email"]],
        rows: vec![],
    };
    let customer_countries = [Some("DE"), None, Some("FR"), Some("JP"), Some("US")];
    for t in owners {
        for id in 1..=customers_of(t) {
            customers.rows.push(vec![
                Val::Int(t),
                Val::Int(id),
                Val::text(format!("c{t}-{id}")),
                Val::text(format!("c{t}_{id}@example.test")),
                customer_countries[((id * t) % 5) as usize].map_or(Val::Null, Val::text),
            ]);
        }
    }

    let mut orders = Table {
        name: "orders",
        columns: vec![
            col("tenant_id", Int),
            col("id", Int),
            null_col("customer_id", Int),
            col("total", Int),
            col("status", Text),
        ],
        tenant_column: Some("tenant_id"),
        shared: false,
        primary_key: vec!["tenant_id", "id"],
        unique: vec![],
        rows: vec![],
    };
    let statuses = ["new", "paid", "shipped"];
    for t in owners {
        for id in 1..=orders_of(t) {
            // Some customers exist only in another tenant (tenant 1's customer 4, tenant 2's
            // customer 5), some nowhere, and every fifth order has none.
            let customer = match (t, id) {
                (_, id) if id % 5 == 0 => None,
                (2, 7) => Some(5),
                _ => Some((id - 1) % (customers_of(t) + 1) + 1),
            };
            orders.rows.push(vec![
                Val::Int(t),
                Val::Int(id),
                Val::opt(customer),
                Val::Int((id * 7 + t * 5) % 50 + 10),
                Val::text(statuses[((id + t) % 3) as usize]),
            ]);
        }
    }

    let mut order_items = Table {
        name: "order_items",
        columns: vec![
            col("tenant_id", Int),
            col("order_id", Int),
            col("line_no", Int),
            col("product", Text),
            col("qty", Int),
            col("price", Int),
        ],
        tenant_column: Some("tenant_id"),
        shared: false,
        primary_key: vec!["tenant_id", "order_id", "line_no"],
        unique: vec![],
        rows: vec![],
    };
    for t in owners {
        for order in (1..=orders_of(t)).filter(|o| o % 4 != 0) {
            for line in 1..=((order + t) % 3 + 1) {
                order_items.rows.push(vec![
                    Val::Int(t),
                    Val::Int(order),
                    Val::Int(line),
                    Val::text(format!("p{}", (order * line) % 4)),
                    Val::Int((order + line) % 3 + 1),
                    Val::Int(line * 5 + t),
                ]);
            }
        }
    }
    // Tenant 1 has an item of order 9, which only tenant 3 has.
    order_items.rows.push(vec![
        Val::Int(1),
        Val::Int(9),
        Val::Int(1),
        Val::text("p9"),
        Val::Int(2),
        Val::Int(7),
    ]);

    let mut audit_log = Table {
        name: "audit_log",
        columns: vec![
            col("org_id", Int),
            col("id", Int),
            col("action", Text),
            null_col("user_id", Int),
        ],
        // The per-table override: this table's tenant column is `org_id`.
        tenant_column: Some("org_id"),
        shared: false,
        primary_key: vec!["org_id", "id"],
        unique: vec![],
        rows: vec![],
    };
    let actions = ["login", "logout", "update"];
    for t in owners {
        for id in 1..=(t + 2) {
            let user = if id == 2 { None } else { Some(id * 2 - 1) };
            audit_log.rows.push(vec![
                Val::Int(t),
                Val::Int(id),
                Val::text(actions[(id % 3) as usize]),
                Val::opt(user),
            ]);
        }
    }

    vec![
        tenants,
        countries,
        settings(),
        users,
        organizations,
        memberships,
        customers,
        orders,
        order_items,
        audit_log,
    ]
}

/// Global defaults (NULL tenant) that tenants 1 and 2 override in part; tenant 3 adds a
/// setting of its own, tenant 4 has none and sees only the defaults. Its key cannot hold the
/// nullable tenant column, so ids are unique across tenants.
fn settings() -> Table {
    use ColType::{Int, Text};
    let rows = [
        (None, 1, "currency", "USD"),
        (None, 2, "theme", "light"),
        (None, 3, "locale", "en"),
        (Some(1), 11, "currency", "EUR"),
        (Some(1), 12, "theme", "dark"),
        (Some(2), 21, "theme", "blue"),
        (Some(2), 22, "beta", "on"),
        (Some(3), 31, "beta", "off"),
    ];
    Table {
        name: "settings",
        columns: vec![
            null_col("tenant_id", Int),
            col("id", Int),
            col("name", Text),
            col("value", Text),
        ],
        tenant_column: Some("tenant_id"),
        shared: true,
        primary_key: vec!["id"],
        unique: vec![vec!["tenant_id", "name"]],
        rows: rows
            .into_iter()
            .map(|(t, id, name, value)| {
                vec![Val::opt(t), Val::Int(id), Val::text(name), Val::text(value)]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_parses_for_every_dialect() {
        for d in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite] {
            let m = tenant_query_core::Manifest::from_toml_str(&manifest_toml(d), "fixture")
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(m.dialect(), d);
            assert_eq!(
                m.table("audit_log").unwrap().tenant_column.as_deref(),
                Some("org_id")
            );
            assert!(!m.table("countries").unwrap().is_scoped());
        }
    }

    #[test]
    fn ids_overlap_and_links_cross_tenants() {
        let tables = tables();
        let orders = tables.iter().find(|t| t.name == "orders").unwrap();
        let customers = tables.iter().find(|t| t.name == "customers").unwrap();
        for t in [1, 2, 3] {
            assert!(orders.rows_for(t).iter().any(|r| r[1] == Val::Int(1)));
        }
        // Some order's customer is missing in its own tenant but present in another.
        let dangling_elsewhere = orders.rows.iter().any(|o| {
            let has = |t: &Val| customers.rows.iter().any(|c| &c[0] == t && c[1] == o[2]);
            o[2] != Val::Null && !has(&o[0]) && [1, 2, 3].iter().any(|t| has(&Val::Int(*t)))
        });
        assert!(dangling_elsewhere);
        assert!(tables
            .iter()
            .all(|t| t.rows_for(4).is_empty() || t.tenant_column.is_none() || t.shared));
    }
}
