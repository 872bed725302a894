//! A description of a test schema: what the generator needs to write valid statements.

use tenant_query_core::{Dialect, Manifest};

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColType {
    /// A 64-bit integer.
    Int,
    /// A short string.
    Text,
}

/// A value of the schema's data, used as a literal or a bind argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lit {
    /// An integer.
    Int(i64),
    /// A string without quotes.
    Text(String),
    /// SQL NULL.
    Null,
}

impl Lit {
    /// The value as an SQL literal.
    pub fn sql(&self) -> String {
        match self {
            Lit::Int(i) => i.to_string(),
            Lit::Text(s) => format!("'{}'", s.replace('\'', "''")),
            Lit::Null => "NULL".to_owned(),
        }
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name (lower case, no quoting needed).
    pub name: String,
    /// Its type.
    pub ty: ColType,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// Values that occur in the data, for selective predicates.
    pub samples: Vec<Lit>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table name.
    pub name: String,
    /// Its columns in definition order.
    pub columns: Vec<Column>,
    /// The tenant column of a scoped table; `None` for a global table.
    pub tenant_column: Option<String>,
    /// The primary key.
    pub primary_key: Vec<String>,
    /// Further unique keys.
    pub unique: Vec<Vec<String>>,
}

impl Table {
    /// Whether the table is tenant-scoped.
    pub fn is_scoped(&self) -> bool {
        self.tenant_column.is_some()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether `column` is part of a unique key that does not contain the tenant column: its
    /// values must be unique across tenants, so statements must not reuse them.
    pub fn globally_unique(&self, column: &str) -> bool {
        std::iter::once(&self.primary_key)
            .chain(&self.unique)
            .filter(|k| match &self.tenant_column {
                Some(tc) => !k.contains(tc),
                None => true,
            })
            .any(|k| k.iter().any(|c| c == column))
    }
}

/// A set of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The tables.
    pub tables: Vec<Table>,
}

impl Schema {
    /// The manifest declaring this schema's tables, in `dialect`. The database fixture's
    /// `tenant_query_tests::fixture::manifest_toml` writes the same text from its own tables:
    /// this library stays free of that crate (and of sqlx) for the fuzz targets.
    pub fn manifest_toml(&self, dialect: Dialect) -> String {
        let mut text = format!("dialect = \"{dialect}\"\ntenant_column = \"tenant_id\"\n");
        for t in &self.tables {
            text.push_str(&format!("\n[tables.{}]\n", t.name));
            match &t.tenant_column {
                None => text.push_str("scope = \"global\"\n"),
                Some(tc) => {
                    text.push_str("scope = \"tenant\"\n");
                    if tc != "tenant_id" {
                        text.push_str(&format!("tenant_column = \"{tc}\"\n"));
                    }
                }
            }
            let keys: Vec<String> = std::iter::once(&t.primary_key)
                .chain(&t.unique)
                .map(|k| format!("{k:?}"))
                .collect();
            text.push_str(&format!("unique = [{}]\n", keys.join(", ")));
        }
        text
    }

    /// The parsed manifest for `dialect`.
    pub fn manifest(&self, dialect: Dialect) -> Manifest {
        Manifest::from_toml_str(&self.manifest_toml(dialect), "tenant-schema.toml")
            .expect("a schema's manifest is valid")
    }

    /// A small multi-tenant schema: scoped `accounts`, `invoices`, `lines` and `events` (whose
    /// tenant column is `org_id`), and a global `currencies`.
    pub fn example() -> Schema {
        fn col(name: &str, ty: ColType, nullable: bool, samples: Vec<Lit>) -> Column {
            Column {
                name: name.to_owned(),
                ty,
                nullable,
                samples,
            }
        }
        let ints = |v: &[i64]| v.iter().map(|i| Lit::Int(*i)).collect::<Vec<_>>();
        let texts = |v: &[&str]| {
            v.iter()
                .map(|s| Lit::Text((*s).to_owned()))
                .collect::<Vec<_>>()
        };
        use ColType::{Int, Text};
        let table = |name: &str, tc: Option<&str>, columns: Vec<Column>, pk: &[&str]| Table {
            name: name.to_owned(),
            columns,
            tenant_column: tc.map(str::to_owned),
            primary_key: pk.iter().map(|s| (*s).to_owned()).collect(),
            unique: vec![],
        };
        Schema {
            tables: vec![
                table(
                    "currencies",
                    None,
                    vec![
                        col("code", Text, false, texts(&["EUR", "USD"])),
                        col("rate", Int, false, ints(&[1, 2])),
                    ],
                    &["code"],
                ),
                table(
                    "accounts",
                    Some("tenant_id"),
                    vec![
                        col("tenant_id", Int, false, ints(&[1, 2, 3])),
                        col("id", Int, false, ints(&[1, 2, 3])),
                        col("name", Text, false, texts(&["a", "b"])),
                        col("currency", Text, true, texts(&["EUR", "USD"])),
                    ],
                    &["tenant_id", "id"],
                ),
                table(
                    "invoices",
                    Some("tenant_id"),
                    vec![
                        col("tenant_id", Int, false, ints(&[1, 2, 3])),
                        col("id", Int, false, ints(&[1, 2, 3, 4])),
                        col("account_id", Int, true, ints(&[1, 2, 5])),
                        col("amount", Int, false, ints(&[10, 20, 30])),
                    ],
                    &["tenant_id", "id"],
                ),
                table(
                    "lines",
                    Some("tenant_id"),
                    vec![
                        col("tenant_id", Int, false, ints(&[1, 2, 3])),
                        col("invoice_id", Int, false, ints(&[1, 2])),
                        col("no", Int, false, ints(&[1, 2])),
                        col("qty", Int, false, ints(&[1, 5])),
                    ],
                    &["tenant_id", "invoice_id", "no"],
                ),
                table(
                    "events",
                    Some("org_id"),
                    vec![
                        col("org_id", Int, false, ints(&[1, 2, 3])),
                        col("id", Int, false, ints(&[1, 2])),
                        col("kind", Text, false, texts(&["login", "logout"])),
                        col("account_id", Int, true, ints(&[1, 3])),
                    ],
                    &["org_id", "id"],
                ),
            ],
        }
    }
}
