//! Rewrites kept across builds, so that an incremental build runs the engine only on the
//! statements that changed.
//!
//! rustc expands every macro call again on each build of a crate, even after a one-line edit,
//! and the engine's parse and rewrite is most of what a call costs (more so in a debug build,
//! where the SQL parser is not optimised). Its result depends only on the engine, the
//! manifest's text, the kind of macro and the statement, so it is kept in one file per
//! statement under the target directory (`target/<profile>/tenant-query-cache/`), keyed by
//! all four: [`ENGINE_FINGERPRINT`] (the engine's version and a hash of its sources), a hash of
//! the manifest file, the macro's scope and the SQL text. Each file holds the whole key, which
//! is compared on reading, so a hash collision is a miss, not another statement's rewrite.
//!
//! Only accepted statements are kept; a refusal is computed again, with its diagnostics. The
//! checks the macro makes of a rewrite (its bind plan against the arguments) run on a kept one
//! too. Anything unexpected (no target directory, a file that cannot be read or written, or
//! that does not hold a whole entry) means the engine runs, as without a cache. Files are
//! written under a temporary name and renamed, so that a concurrent build never reads half
//! of one. `cargo clean` removes them; so does deleting the directory.
//!
//! The directory lies next to the compiled code, and whoever can write there can already change
//! what the build produces; the cache asks for no more trust than that.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tenant_query_core::{BindPlan, BindSlot, Rewritten, ENGINE_FINGERPRINT};

/// The first line of every entry: the format's version.
const HEADER: &str = "tenant-query rewrite cache 1";

/// Everything a rewrite depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// [`ENGINE_FINGERPRINT`], or another engine's in tests.
    pub engine: String,
    /// A hash of the manifest file's bytes.
    pub manifest: u64,
    /// The macro's scope, as the engine sees it (`tenant`, `unscoped`, `set:read`, `set:all`).
    pub scope: &'static str,
    /// The statement as written.
    pub sql: String,
}

impl Key {
    /// The key of `sql` for this engine.
    pub fn new(manifest: u64, scope: &'static str, sql: &str) -> Key {
        Key {
            engine: ENGINE_FINGERPRINT.to_owned(),
            manifest,
            scope,
            sql: sql.to_owned(),
        }
    }

    fn file_name(&self) -> String {
        let mut hasher = DefaultHasher::new();
        self.engine.hash(&mut hasher);
        self.manifest.hash(&mut hasher);
        self.scope.hash(&mut hasher);
        self.sql.hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }

    /// The start of the key's entry: the format's header, then the key's fields.
    fn entry_start(&self) -> String {
        let mut text = format!("{HEADER}\n");
        push_string(&mut text, &self.engine);
        push_string(&mut text, &format!("{:016x}", self.manifest));
        push_string(&mut text, self.scope);
        push_string(&mut text, &self.sql);
        text
    }
}

/// A hash of a manifest file's bytes, for [`Key::manifest`].
pub fn manifest_hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The cache directory of the crate being compiled: `tenant-query-cache` beside the `deps`
/// directory that cargo passes to rustc as `--out-dir`. None outside such a compiler process
/// (rust-analyzer, a unit test).
pub fn dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let out_dir = out_dir(std::env::args_os().filter_map(|a| a.into_string().ok()))?;
        Some(out_dir.parent()?.join("tenant-query-cache"))
    })
    .as_deref()
}

/// The value of `--out-dir` among a compiler's arguments.
fn out_dir(mut args: impl Iterator<Item = String>) -> Option<PathBuf> {
    while let Some(arg) = args.next() {
        if arg == "--out-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(value) = arg.strip_prefix("--out-dir=") {
            return Some(PathBuf::from(value));
        }
    }
    None
}

/// The rewrite kept for `key` in `dir`, if there is a whole one.
pub fn lookup(dir: &Path, key: &Key) -> Option<Rewritten> {
    let text = std::fs::read_to_string(dir.join(key.file_name())).ok()?;
    // The whole key, compared at once.
    let mut reader = Reader(text.strip_prefix(key.entry_start().as_str())?);
    let sql = reader.string()?.to_owned();
    let user_args = reader.string()?.parse().ok()?;
    let slots = reader
        .list()?
        .into_iter()
        .map(slot)
        .collect::<Option<_>>()?;
    let scoped_tables = reader.list()?.into_iter().map(str::to_owned).collect();
    let tables = reader.list()?.into_iter().map(str::to_owned).collect();
    reader.0.is_empty().then_some(Rewritten {
        sql,
        bind_plan: BindPlan { user_args, slots },
        scoped_tables,
        tables,
    })
}

/// Keeps `rewritten` for `key` in `dir`; a failure only means it is not kept.
pub fn store(dir: &Path, key: &Key, rewritten: &Rewritten) {
    static TEMPORARY: AtomicUsize = AtomicUsize::new(0);
    let mut text = key.entry_start();
    push_string(&mut text, &rewritten.sql);
    push_string(&mut text, &rewritten.bind_plan.user_args.to_string());
    let slots: Vec<String> = rewritten.bind_plan.slots.iter().map(slot_text).collect();
    for list in [&slots, &rewritten.scoped_tables, &rewritten.tables] {
        push_string(&mut text, &list.len().to_string());
        for item in list {
            push_string(&mut text, item);
        }
    }
    let temporary = dir.join(format!(
        ".{}.{}.{}",
        key.file_name(),
        std::process::id(),
        TEMPORARY.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&temporary, text))
        .and_then(|()| std::fs::rename(&temporary, dir.join(key.file_name())));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// A string as its length in bytes, a colon, the string and a newline: any text, newlines
/// included, reads back whole.
fn push_string(text: &mut String, value: &str) {
    text.push_str(&value.len().to_string());
    text.push(':');
    text.push_str(value);
    text.push('\n');
}

fn slot_text(slot: &BindSlot) -> String {
    match slot {
        BindSlot::Tenant => "tenant".to_owned(),
        BindSlot::Arg(i) => i.to_string(),
    }
}

fn slot(text: &str) -> Option<BindSlot> {
    match text {
        "tenant" => Some(BindSlot::Tenant),
        n => n.parse().ok().map(BindSlot::Arg),
    }
}

/// Reads what [`push_string`] wrote.
struct Reader<'a>(&'a str);

impl<'a> Reader<'a> {
    fn string(&mut self) -> Option<&'a str> {
        let (len, rest) = self.0.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let value = rest.get(..len)?;
        self.0 = rest.get(len..)?.strip_prefix('\n')?;
        Some(value)
    }

    /// A count, then that many strings.
    fn list(&mut self) -> Option<Vec<&'a str>> {
        let count: usize = self.string()?.parse().ok()?;
        let mut items = Vec::with_capacity(count.min(self.0.len()));
        for _ in 0..count {
            items.push(self.string()?);
        }
        Some(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenant_query_core::{rewrite, Manifest};

    const MANIFEST: &str = "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n[tables.countries]\nscope = \"global\"\n";

    fn rewritten(sql: &str) -> Rewritten {
        let manifest = Manifest::from_toml_str(MANIFEST, "tenant-schema.toml").unwrap();
        rewrite(&manifest, sql).unwrap()
    }

    fn key(sql: &str) -> Key {
        Key::new(manifest_hash(MANIFEST.as_bytes()), "tenant", sql)
    }

    #[test]
    fn a_kept_rewrite_reads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let sql = "SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country\nWHERE o.total > $1 AND o.note = ':3:\n'";
        let out = rewritten(sql);
        assert!(lookup(dir.path(), &key(sql)).is_none());
        store(dir.path(), &key(sql), &out);
        assert_eq!(lookup(dir.path(), &key(sql)), Some(out));
    }

    #[test]
    fn any_other_key_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let sql = "SELECT id FROM orders WHERE id = $1";
        store(dir.path(), &key(sql), &rewritten(sql));
        let others = [
            key("SELECT id FROM orders WHERE id = $2"),
            Key {
                scope: "unscoped",
                ..key(sql)
            },
            Key {
                manifest: manifest_hash(b"dialect = \"mysql\""),
                ..key(sql)
            },
            Key {
                engine: "0.0.0+0".to_owned(),
                ..key(sql)
            },
        ];
        for other in others {
            assert!(lookup(dir.path(), &other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn an_entry_with_another_key_under_the_same_name_is_a_miss() {
        // What a hash collision would look like: the name matches, the key inside does not.
        let dir = tempfile::tempdir().unwrap();
        let (sql, other) = (
            "SELECT id FROM orders",
            "SELECT id FROM orders WHERE id = 1",
        );
        store(dir.path(), &key(other), &rewritten(other));
        std::fs::rename(
            dir.path().join(key(other).file_name()),
            dir.path().join(key(sql).file_name()),
        )
        .unwrap();
        assert!(lookup(dir.path(), &key(sql)).is_none());
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let sql = "SELECT id FROM orders WHERE id = $1";
        store(dir.path(), &key(sql), &rewritten(sql));
        let path = dir.path().join(key(sql).file_name());
        let whole = std::fs::read_to_string(&path).unwrap();
        for damaged in [
            whole[..whole.len() - 3].to_owned(),
            format!("{whole}1:x\n"),
            whole.replace(HEADER, "tenant-query rewrite cache 0"),
            // The last field that reads `tenant` is the tenant's bind slot.
            whole
                .rsplit_once("6:tenant\n")
                .map(|(head, tail)| format!("{head}6:tenanx\n{tail}"))
                .unwrap(),
        ] {
            assert_ne!(damaged, whole);
            std::fs::write(&path, &damaged).unwrap();
            assert!(lookup(dir.path(), &key(sql)).is_none(), "{damaged}");
        }
    }

    #[test]
    fn the_directory_is_beside_the_compilers_out_dir() {
        let args = |a: &[&str]| {
            a.iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(
            out_dir(args(&[
                "rustc",
                "--crate-name",
                "app",
                "--out-dir",
                "/t/debug/deps"
            ])),
            Some(PathBuf::from("/t/debug/deps"))
        );
        assert_eq!(
            out_dir(args(&["rustc", "--out-dir=/t/release/deps"])),
            Some(PathBuf::from("/t/release/deps"))
        );
        assert_eq!(out_dir(args(&["rust-analyzer-proc-macro-srv"])), None);
        assert_eq!(out_dir(args(&["rustc", "--out-dir"])), None);
    }
}
