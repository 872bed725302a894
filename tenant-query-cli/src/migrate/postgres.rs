//! PostgreSQL: a PL/pgSQL loop for the backfill, `ALTER TABLE` for the keys, and the exact
//! definitions from the catalogue on the way down.

use super::catalogue::{postgres_actions, Extra};
use super::plan::{Plan, TablePlan};
use super::render::{constraint_name, Keyset};

/// A `DO` block that stamps the rows batch by batch, each batch found from the last key of the
/// previous one. It runs inside the migration's transaction: the batches bound each statement,
/// not the time the stamped rows stay locked (until the migration commits); no table lock
/// beyond `ROW EXCLUSIVE` is taken.
pub fn backfill(plan: &Plan, table: &TablePlan) -> String {
    let keyset = Keyset {
        plan,
        table,
        prefix: "tq_",
    };
    let name = plan.quote(&table.name);
    let mut declare = String::new();
    for (i, column) in table.relation.primary_key.iter().enumerate() {
        let column_type = format!("{name}.{}%TYPE", plan.quote(column));
        declare.push_str(&format!(
            "    tq_last_{n} {column_type};\n    tq_next_{n} {column_type};\n",
            n = i + 1
        ));
    }
    let assign: String = (1..=table.relation.primary_key.len())
        .map(|i| format!(" tq_last_{i} := tq_next_{i};"))
        .collect();
    format!(
        "DO $tq$\nDECLARE\n{declare}BEGIN\n    \
         SELECT {key} INTO {last} FROM {name} ORDER BY {key} LIMIT 1;\n    \
         IF NOT FOUND THEN RETURN; END IF;\n    {first}\n    LOOP\n        \
         SELECT {key} INTO {next} FROM ({batch}) AS tq_batch ORDER BY {desc} LIMIT 1;\n        \
         EXIT WHEN NOT FOUND;\n        {range}\n       {assign}\n    END LOOP;\nEND\n$tq$;\n",
        key = keyset.key(),
        last = keyset.vars("last"),
        next = keyset.vars("next"),
        first = keyset.stamp_first(),
        batch = keyset.batch(),
        desc = keyset.key_desc(),
        range = keyset.stamp_range(),
    )
}

/// The keys migration: up, down.
pub fn keys(plan: &Plan, extras: &[Extra]) -> (String, String) {
    let (mut up, mut down) = (
        super::render::KEYS_HEADER.to_owned(),
        super::render::KEYS_HEADER.to_owned(),
    );
    let mut down_last = String::new();
    for table in &plan.tables {
        let (name, column) = (plan.quote(&table.name), plan.quote(&table.column));
        up.push_str(&format!(
            "ALTER TABLE {name} ALTER COLUMN {column} SET NOT NULL, ALTER COLUMN {column} \
             DROP DEFAULT;\n"
        ));
        down_last.push_str(&format!(
            "ALTER TABLE {name} ALTER COLUMN {column} DROP NOT NULL, ALTER COLUMN {column} \
             SET DEFAULT {};\n",
            plan.default_id()
        ));
    }
    let pairs: Vec<_> = plan.tables.iter().zip(extras).collect();
    for table in &plan.tables {
        for fk in &table.foreign_keys {
            let (name, key) = (plan.quote(&table.name), plan.quote(&fk.key.name));
            up.push_str(&format!("ALTER TABLE {name} DROP CONSTRAINT {key};\n"));
            down.push_str(&format!("ALTER TABLE {name} DROP CONSTRAINT {key};\n"));
        }
    }
    let mut down_keys = String::new();
    for (table, extra) in &pairs {
        let (u, d) = table_keys(plan, table, extra);
        up.push_str(&u);
        down_keys.push_str(&d);
    }
    down.push_str(&down_keys);
    for (table, extra) in &pairs {
        let name = plan.quote(&table.name);
        for fk in &table.foreign_keys {
            let definition = extra
                .definitions
                .get(&fk.key.name)
                .cloned()
                .unwrap_or_default();
            up.push_str(&format!(
                "ALTER TABLE {name} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}){};\n",
                plan.quote(&fk.key.name),
                plan.with_tenant(&table.column, &fk.key.columns),
                plan.quote(&fk.target),
                plan.with_tenant(&fk.target_column, &fk.target_columns),
                postgres_actions(&definition),
            ));
            down.push_str(&format!(
                "ALTER TABLE {name} ADD CONSTRAINT {} {definition};\n",
                plan.quote(&fk.key.name)
            ));
        }
    }
    let (registry_up, registry_down) = registry_keys(plan);
    up.push_str(&registry_up);
    (up, format!("{registry_down}{down}{down_last}"))
}

/// The foreign key from each tenant column to the registry: up, down.
fn registry_keys(plan: &Plan) -> (String, String) {
    let (mut up, mut down) = (String::new(), String::new());
    for table in &plan.tables {
        let name = plan.quote(&table.name);
        let key = plan.quote(&constraint_name(&table.name, "tenant_fkey"));
        up.push_str(&format!(
            "ALTER TABLE {name} ADD CONSTRAINT {key} FOREIGN KEY ({}) REFERENCES {} ({});\n",
            plan.quote(&table.column),
            plan.quote(&plan.registry),
            plan.quote("id")
        ));
        down.push_str(&format!("ALTER TABLE {name} DROP CONSTRAINT {key};\n"));
    }
    (up, down)
}

/// The primary key and the unique keys of one table, with the tenant column first: up, down.
fn table_keys(plan: &Plan, table: &TablePlan, extra: &Extra) -> (String, String) {
    let name = plan.quote(&table.name);
    let pk_name = extra
        .primary_key_name
        .clone()
        .unwrap_or_else(|| constraint_name(&table.name, "pkey"));
    let pk = plan.quote(&pk_name);
    let mut up = format!(
        "ALTER TABLE {name} DROP CONSTRAINT {pk}, ADD CONSTRAINT {pk} PRIMARY KEY ({});\n",
        plan.with_tenant(&table.column, &table.relation.primary_key)
    );
    let mut down = format!(
        "ALTER TABLE {name} DROP CONSTRAINT {pk}, ADD CONSTRAINT {pk} {};\n",
        extra.definitions.get(&pk_name).cloned().unwrap_or_default()
    );
    let schema = table.name.rsplit_once('.').map(|(s, _)| format!("{s}."));
    for key in &table.unique_keys {
        let columns = plan.with_tenant(&table.column, &key.columns);
        let quoted = plan.quote(&key.name);
        if let Some(definition) = extra.definitions.get(&key.name) {
            up.push_str(&format!(
                "ALTER TABLE {name} DROP CONSTRAINT {quoted}, ADD CONSTRAINT {quoted} UNIQUE ({columns});\n"
            ));
            down.push_str(&format!(
                "ALTER TABLE {name} DROP CONSTRAINT {quoted}, ADD CONSTRAINT {quoted} {definition};\n"
            ));
        } else {
            let index = plan.quote(&format!(
                "{}{}",
                schema.clone().unwrap_or_default(),
                key.name
            ));
            let definition = extra
                .indexes
                .iter()
                .find(|(n, _)| *n == key.name)
                .and_then(|(_, d)| d.clone())
                .unwrap_or_default();
            up.push_str(&format!(
                "DROP INDEX {index};\nCREATE UNIQUE INDEX {quoted} ON {name} ({columns});\n"
            ));
            down.push_str(&format!("DROP INDEX {index};\n{definition};\n"));
        }
    }
    (up, down)
}
