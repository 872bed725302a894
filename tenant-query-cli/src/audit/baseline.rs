//! The committed inventory of unscoped and raw calls that `audit --baseline` compares with.
//!
//! An entry is identified by its file, kind, function or macro, SQL and reason, never by its
//! line, so that edits elsewhere in a file do not churn the baseline:
//!
//! ```json
//! {"version": 1, "entries": [{"kind": "unscoped", "file": "src/jobs.rs", "name": "unscoped_query!", "sql": "SELECT …", "reason": "nightly billing"}]}
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::scan::CallKind;
use super::Call;
use crate::report::Failure;

const VERSION: u32 = 1;

/// The baseline file's document.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The format's version: 1.
    version: u32,
    /// The accepted unscoped and raw calls, sorted.
    entries: Vec<Entry>,
}

/// What identifies a call across edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    kind: CallKind,
    file: String,
    name: String,
    sql: Option<String>,
    reason: Option<String>,
}

impl Entry {
    fn of(call: &Call) -> Entry {
        Entry {
            kind: call.kind,
            file: call.file.clone(),
            name: call.name.clone(),
            sql: call.sql.clone(),
            reason: call.reason.clone(),
        }
    }
}

/// Whether the baseline covers a call: only unscoped and raw calls are gated.
pub fn gated(call: &Call) -> bool {
    call.kind != CallKind::Scoped
}

impl Baseline {
    /// The baseline of the gated calls among `calls`.
    pub fn of(calls: &[Call]) -> Baseline {
        let mut entries: Vec<Entry> = calls.iter().filter(|c| gated(c)).map(Entry::of).collect();
        entries.sort();
        Baseline {
            version: VERSION,
            entries,
        }
    }

    /// Reads the baseline at `path`.
    pub fn read(path: &Path) -> Result<Baseline, Failure> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Input(format!(
                "cannot read the baseline `{shown}`: {e}\n  help: create it with \
                 `tenant-query audit --baseline {shown} --write-baseline`"
            ))
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            Failure::Input(format!(
                "`{shown}` is not an audit baseline: {e}\n  help: write it again with \
                 `tenant-query audit --baseline {shown} --write-baseline`"
            ))
        })?;
        if baseline.version != VERSION {
            return Err(Failure::Input(format!(
                "`{shown}` is a version {} baseline; this tool reads version {VERSION}",
                baseline.version
            )));
        }
        Ok(baseline)
    }

    /// Writes the baseline to `path`, pretty-printed, one entry per few lines for review.
    pub fn write(&self, path: &Path) -> Result<(), Failure> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Failure::Input(format!("cannot encode the baseline: {e}")))?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| {
            Failure::Input(format!(
                "cannot write the baseline `{}`: {e}",
                path.display()
            ))
        })
    }

    /// The indices of the gated calls beyond what the baseline accepts (for a key the baseline
    /// holds `n` times, the calls after the first `n`), and how many baseline entries no call
    /// matches any more.
    pub fn compare(&self, calls: &[Call]) -> (Vec<usize>, usize) {
        let mut allowed: HashMap<&Entry, usize> = HashMap::new();
        for entry in &self.entries {
            *allowed.entry(entry).or_default() += 1;
        }
        let mut new = Vec::new();
        for (index, call) in calls.iter().enumerate().filter(|(_, c)| gated(c)) {
            let entry = Entry::of(call);
            match allowed.get_mut(&entry) {
                Some(n) if *n > 0 => *n -= 1,
                _ => new.push(index),
            }
        }
        let gone = allowed.values().sum();
        (new, gone)
    }
}
