//! MySQL and MariaDB: a stored procedure, created, called and dropped, for the backfill, and
//! `ALTER TABLE` for the keys. MySQL commits each DDL statement: a failed migration is not
//! rolled back (see the README).

use super::catalogue::Extra;
use super::plan::{base, Plan, TablePlan};
use super::render::{constraint_name, Keyset};

/// A procedure that stamps the rows batch by batch, each batch found from the last key of the
/// previous one (kept in session variables).
pub fn backfill(plan: &Plan, table: &TablePlan) -> String {
    let keyset = Keyset {
        plan,
        table,
        prefix: "@tq_",
    };
    let name = plan.quote(&table.name);
    let procedure = plan.quote(&format!("tq_backfill_{}", base(&table.name)));
    let assign = (1..=table.relation.primary_key.len())
        .map(|i| format!("@tq_last_{i} = @tq_next_{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "DROP PROCEDURE IF EXISTS {procedure};\nCREATE PROCEDURE {procedure}()\nBEGIN\n    \
         DECLARE tq_rows BIGINT DEFAULT 0;\n    \
         SELECT COUNT(*) INTO tq_rows FROM (SELECT 1 FROM {name} LIMIT 1) AS tq_any;\n    \
         IF tq_rows > 0 THEN\n        \
         SELECT {key} INTO {last} FROM {name} ORDER BY {key} LIMIT 1;\n        {first}\n        \
         tq_batches: LOOP\n            \
         SELECT COUNT(*) INTO tq_rows FROM ({batch}) AS tq_batch;\n            \
         IF tq_rows = 0 THEN LEAVE tq_batches; END IF;\n            \
         SELECT {key} INTO {next} FROM ({batch}) AS tq_batch ORDER BY {desc} LIMIT 1;\n            \
         {range}\n            SET {assign};\n        END LOOP;\n    END IF;\nEND;\n\
         CALL {procedure}();\nDROP PROCEDURE {procedure};\n",
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
    let (mut down_fks, mut down_keys, mut down_last) =
        (String::new(), String::new(), String::new());
    for table in &plan.tables {
        let (name, column) = (plan.quote(&table.name), plan.quote(&table.column));
        let sql_type = plan.id_sql_type();
        up.push_str(&format!(
            "ALTER TABLE {name} MODIFY {column} {sql_type} NOT NULL;\n"
        ));
        down_last.push_str(&format!(
            "ALTER TABLE {name} MODIFY {column} {sql_type} NULL DEFAULT {};\n",
            plan.default_id()
        ));
        for fk in &table.foreign_keys {
            let key = plan.quote(&fk.key.name);
            up.push_str(&format!("ALTER TABLE {name} DROP FOREIGN KEY {key};\n"));
            let tq = plan.quote(&format!("tq_{}", fk.key.name));
            down.push_str(&format!(
                "ALTER TABLE {name} DROP FOREIGN KEY {tq};\nALTER TABLE {name} DROP INDEX {tq};\n"
            ));
        }
    }
    for (table, extra) in plan.tables.iter().zip(extras) {
        let (u, d) = table_keys(plan, table, extra);
        up.push_str(&u);
        down_keys.push_str(&d);
    }
    for (table, extra) in plan.tables.iter().zip(extras) {
        let name = plan.quote(&table.name);
        for fk in &table.foreign_keys {
            let actions = extra
                .definitions
                .get(&fk.key.name)
                .cloned()
                .unwrap_or_default();
            let (tq, columns) = (
                plan.quote(&format!("tq_{}", fk.key.name)),
                plan.with_tenant(&table.column, &fk.key.columns),
            );
            up.push_str(&format!(
                "ALTER TABLE {name} ADD INDEX {tq} ({columns}), ADD CONSTRAINT {tq} FOREIGN KEY \
                 ({columns}) REFERENCES {} ({}){actions};\n",
                plan.quote(&fk.target),
                plan.with_tenant(&fk.target_column, &fk.target_columns),
            ));
            down_fks.push_str(&format!(
                "ALTER TABLE {name} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}){actions};\n",
                plan.quote(&fk.key.name),
                plan.columns(&fk.key.columns),
                plan.quote(&fk.target),
                plan.columns(&fk.target_columns),
            ));
        }
    }
    let mut down_registry = String::new();
    for table in &plan.tables {
        let name = plan.quote(&table.name);
        let key = plan.quote(&constraint_name(&table.name, "tenant_fkey"));
        up.push_str(&format!(
            "ALTER TABLE {name} ADD CONSTRAINT {key} FOREIGN KEY ({}) REFERENCES {} ({});\n",
            plan.quote(&table.column),
            plan.quote(&plan.registry),
            plan.quote("id")
        ));
        down_registry.push_str(&format!("ALTER TABLE {name} DROP FOREIGN KEY {key};\n"));
    }
    (
        up,
        format!("{down_registry}{down}{down_keys}{down_fks}{down_last}"),
    )
}

/// The primary key and the unique keys of one table, with the tenant column first: up, down.
/// An `AUTO_INCREMENT` column keeps an index that starts with it, as InnoDB requires.
fn table_keys(plan: &Plan, table: &TablePlan, extra: &Extra) -> (String, String) {
    let name = plan.quote(&table.name);
    let pk = &table.relation.primary_key;
    let mut up = format!(
        "ALTER TABLE {name} DROP PRIMARY KEY, ADD PRIMARY KEY ({})",
        plan.with_tenant(&table.column, pk)
    );
    let mut down = format!(
        "ALTER TABLE {name} DROP PRIMARY KEY, ADD PRIMARY KEY ({})",
        plan.columns(pk)
    );
    if let Some(auto) = &extra.auto_increment {
        let index = plan.quote(&format!("tq_{auto}"));
        up.push_str(&format!(", ADD INDEX {index} ({})", plan.quote(auto)));
        down.push_str(&format!(", DROP INDEX {index}"));
    }
    up.push_str(";\n");
    down.push_str(";\n");
    for key in &table.unique_keys {
        let quoted = plan.quote(&key.name);
        up.push_str(&format!(
            "ALTER TABLE {name} DROP INDEX {quoted}, ADD UNIQUE INDEX {quoted} ({});\n",
            plan.with_tenant(&table.column, &key.columns)
        ));
        down.push_str(&format!(
            "ALTER TABLE {name} DROP INDEX {quoted}, ADD UNIQUE INDEX {quoted} ({});\n",
            plan.columns(&key.columns)
        ));
    }
    (up, down)
}
