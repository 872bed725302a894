//! Finding `tenant-schema.toml`, parsing it once per compiler process, and telling cargo to
//! rebuild the crate when it changes.
//!
//! The search is [`tenant_query_core::find_manifest`] started from the crate directory
//! (`CARGO_MANIFEST_DIR`): `TENANT_QUERY_MANIFEST` when set, else `tenant-schema.toml` in the
//! crate directory and its parents up to the workspace root.
//!
//! The parsed manifest is cached by path, modification time and size, so a long-lived process
//! (rust-analyzer) notices edits while a `cargo build` parses each manifest once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;
use tenant_query_core::{
    find_manifest, Manifest, ManifestError, RenderStyle, MANIFEST_ENV_VAR, MANIFEST_FILE_NAME,
};

use crate::cache;

/// A manifest and the absolute path it was read from.
#[derive(Clone)]
pub struct Loaded {
    /// Absolute path, read by the first expansion with `include_bytes!` so that editing the
    /// manifest recompiles the crate ([`track_once`]).
    pub path: PathBuf,
    /// The parsed manifest.
    pub manifest: Arc<Manifest>,
    /// A hash of the bytes the manifest was parsed from, which the cache of rewrites keys on;
    /// none when they were read by the engine's own reading instead (after the macros' failed),
    /// and nothing is cached.
    pub hash: Option<u64>,
}

/// What identifies one version of a manifest file: modification time and size.
type Stamp = (Option<SystemTime>, u64);
/// Parsed manifests by absolute path, with their file's stamp and hash.
type Cache = Mutex<HashMap<PathBuf, (Stamp, Arc<Manifest>, Option<u64>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// `include_bytes!` of the manifest, the first time a manifest is used in this process, and
/// nothing after.
///
/// Editing the manifest must recompile the crate: cargo tracks the files that rustc reads for
/// `include_bytes!` and lists in the crate's dep-info. One read per crate is enough, and rustc
/// compiles one crate per process, expanding all of its macro calls with this library loaded
/// once; so only the first expansion carries it, and the other calls of the crate do not pay for
/// a constant item each. The constant is never used, so nothing ends up in the binary.
pub fn track_once(path: &Path) -> Option<TokenStream> {
    static TRACKED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let mut tracked = TRACKED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if !tracked.insert(path.to_path_buf()) {
        return None;
    }
    let path = LitStr::new(&path.to_string_lossy(), Span::call_site());
    Some(quote! { const _: &[u8] = ::core::include_bytes!(#path); })
}

/// Finds and parses the manifest for the crate being compiled.
///
/// The errors are the full messages shown to the user: one per problem of the manifest.
pub fn load() -> Result<Loaded, Vec<String>> {
    // A compiler process (see [`cache::dir`]) builds one crate, and cargo builds it again if
    // its manifest changes (see [`track_once`]): every call of the crate reads the manifest
    // found and parsed by the first. A long-lived process (rust-analyzer) looks again on every
    // call, so that it sees a manifest created, moved or edited.
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    if let Some(loaded) = LOADED.get() {
        return Ok(loaded.clone());
    }
    let loaded = load_now()?;
    if cache::dir().is_some() {
        let _ = LOADED.set(loaded.clone());
    }
    Ok(loaded)
}

/// Finds the manifest and parses it, unless the same file (by modification time and size) was
/// parsed before.
fn load_now() -> Result<Loaded, Vec<String>> {
    let path = locate().map_err(|message| vec![message])?;
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let stamp = std::fs::metadata(&path)
        .map(|m| (m.modified().ok(), m.len()))
        .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;

    // A poisoned lock only means another expansion panicked; the map is still usable.
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some((cached_stamp, manifest, hash)) = cache.get(&path) {
        if *cached_stamp == stamp {
            return Ok(Loaded {
                path,
                manifest: Arc::clone(manifest),
                hash: *hash,
            });
        }
    }
    let (manifest, hash) = parse(&path).map_err(|e| invalid_manifest(&e, &path))?;
    let manifest = Arc::new(manifest);
    cache.insert(path.clone(), (stamp, Arc::clone(&manifest), hash));
    Ok(Loaded {
        path,
        manifest,
        hash,
    })
}

/// The manifest and the hash of the bytes it was parsed from (read once, so that they agree).
fn parse(path: &Path) -> Result<(Manifest, Option<u64>), ManifestError> {
    let Ok(text) = std::fs::read_to_string(path) else {
        // Unreadable or not UTF-8: the engine's own reading says why.
        return Manifest::from_path(path).map(|m| (m, None));
    };
    let manifest = Manifest::from_toml_str(&text, &path.display().to_string())?;
    Ok((manifest, Some(cache::manifest_hash(text.as_bytes()))))
}

/// One message per problem: the problem drawn on the manifest's lines, and where to fix it.
fn invalid_manifest(e: &ManifestError, path: &Path) -> Vec<String> {
    let name = path
        .file_name()
        .map_or_else(|| MANIFEST_FILE_NAME.into(), |n| n.to_string_lossy());
    e.diagnostic
        .problems()
        .iter()
        .map(|problem| {
            format!(
                "invalid manifest: {}\n  = note: every tenant-query macro in this crate reads `{name}`",
                problem.render(&e.source, &e.origin, RenderStyle::CompileError)
            )
        })
        .collect()
}

/// Where the manifest is: the shared search, started from the crate directory.
fn locate() -> Result<PathBuf, String> {
    let env_override = std::env::var_os(MANIFEST_ENV_VAR).filter(|v| !v.is_empty());
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").filter(|d| !d.is_empty());
    let start_dir = match (crate_dir, &env_override) {
        (Some(dir), _) => PathBuf::from(dir),
        // Outside cargo, an override is taken relative to the current directory.
        (None, Some(_)) => PathBuf::from("."),
        (None, None) => {
            return Err(format!(
                "cannot find `{MANIFEST_FILE_NAME}`: CARGO_MANIFEST_DIR is not set (is this \
                 crate built by cargo?)\n  help: set {MANIFEST_ENV_VAR} to the manifest's \
                 absolute path"
            ))
        }
    };
    find_manifest(env_override.as_deref(), &start_dir).map_err(|e| e.to_string())
}
