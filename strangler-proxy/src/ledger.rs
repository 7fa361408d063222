//! The migration ledger: every change of a route's state (monolith, shadow, canary N%,
//! service, retired), who or what made it, when, why and on what evidence, in an append-only
//! JSON Lines file that survives restarts and crashes.
//!
//! Each change is one line, written with one `write` and made durable (`fsync`) before
//! [`Ledger::append`] returns, so a change the proxy acted on is on disk. Lines carry a
//! sequence number and the state the route left, and [`Ledger::open`] replays them: a line
//! that does not read, breaks the sequence or leaves a state the route was not in is
//! corruption, and opening fails naming the file and the line, unless it is the **last**
//! line and does not read at all, as a crash can leave it (cut short, or with bytes never
//! written): that line is dropped, the file truncated to the lines before it, and the
//! recovery reported.
//!
//! Appends are synchronous file IO, rare (a rollout step, a person's command); async callers
//! run them on a blocking thread.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ficus_plan::RouteState;
use serde::{Deserialize, Serialize};

/// A route's migration state, as the ledger writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Monolith,
    Shadow { percent: u8 },
    Canary { percent: u8 },
    Service,
    Retired,
}

impl From<RouteState> for State {
    fn from(state: RouteState) -> State {
        match state {
            RouteState::Monolith => State::Monolith,
            RouteState::Shadow { percent } => State::Shadow { percent },
            RouteState::Canary { percent } => State::Canary { percent },
            RouteState::Service => State::Service,
            RouteState::Retired => State::Retired,
        }
    }
}

impl From<State> for RouteState {
    fn from(state: State) -> RouteState {
        match state {
            State::Monolith => RouteState::Monolith,
            State::Shadow { percent } => RouteState::Shadow { percent },
            State::Canary { percent } => RouteState::Canary { percent },
            State::Service => RouteState::Service,
            State::Retired => RouteState::Retired,
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            State::Monolith => f.write_str("monolith"),
            State::Shadow { percent } => write!(f, "shadow {percent}%"),
            State::Canary { percent } => write!(f, "canary {percent}%"),
            State::Service => f.write_str("service"),
            State::Retired => f.write_str("retired"),
        }
    }
}

/// What a change was based on, measured on the route since the previous change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Requests the new service answered, and the monolith.
    pub service_requests: u64,
    pub monolith_requests: u64,
    /// Share of answers that failed (5xx or no answer), 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_error_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monolith_error_rate: Option<f64>,
    /// 99th percentile latency, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_p99_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monolith_p99_ms: Option<f64>,
    /// Share of compared shadow answers that differed, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatch_rate: Option<f64>,
}

/// Where a rollout stood when it made the change, so that it resumes there after a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutMark {
    /// Index of the step just entered (0 for the first), or of the step left on a rollback.
    pub step: usize,
    /// How many steps the rollout has.
    pub steps: usize,
    /// The rollout is over (promoted to the last step, or rolled back).
    #[serde(default)]
    pub done: bool,
}

/// One change, one line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1 for the first line, then each line one more.
    pub seq: u64,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The route, as the plan writes its key (`GET /api/products/{id}`).
    pub route: String,
    pub from: State,
    pub to: State,
    /// Who or what: `rollout`, `admin`, `plan` (the file changed), ...
    pub by: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutMark>,
}

/// A change to record: [`Ledger::append`] adds the sequence number, the time and the state
/// left.
#[derive(Debug, Clone)]
pub struct Change {
    pub route: String,
    pub to: State,
    pub by: String,
    pub reason: String,
    pub evidence: Option<Evidence>,
    pub rollout: Option<RolloutMark>,
}

impl Change {
    /// A change made by `by` for `reason`, with no evidence or rollout mark.
    pub fn new(route: &str, to: State, by: &str, reason: String) -> Change {
        Change {
            route: route.to_string(),
            to,
            by: by.to_string(),
            reason,
            evidence: None,
            rollout: None,
        }
    }
}

/// What opening found to repair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Lines replayed.
    pub entries: usize,
    /// Bytes of a torn last line dropped (0 when the file ended cleanly).
    pub torn_bytes: usize,
    /// Line number of the torn line.
    pub torn_line: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("ledger {}:{line}: {reason}; the proxy does not start on a corrupt ledger (the line is not the last, so no crash can explain it)", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// The ledger file, open for appending, and every route's history replayed from it.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    file: File,
    next_seq: u64,
    routes: BTreeMap<String, Vec<Entry>>,
}

impl Ledger {
    /// Opens (or creates) the ledger at `path` and replays it; see the module doc for what a
    /// torn last line and a corrupt one do.
    pub fn open(path: &Path) -> Result<(Ledger, Recovery), LedgerError> {
        let io = |source| LedgerError::Io {
            path: path.to_path_buf(),
            source,
        };
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        if created {
            sync_parent(path).map_err(io)?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let replay = replay(&bytes, path)?;
        if replay.recovery.torn_bytes > 0 {
            file.set_len(replay.kept as u64).map_err(io)?;
            file.sync_all().map_err(io)?;
            tracing::warn!(
                ledger = %path.display(),
                line = replay.recovery.torn_line,
                bytes = replay.recovery.torn_bytes,
                "dropped the ledger's torn last line (a crash while writing it)"
            );
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok((
            Ledger {
                path: path.to_path_buf(),
                file,
                next_seq: replay.next_seq,
                routes: replay.routes,
            },
            replay.recovery,
        ))
    }

    /// Records `change` and makes it durable before returning it. The route leaves the state
    /// its last entry gave it, `from_state` if it has none (the plan's, on first sight).
    pub fn append(&mut self, change: Change, from_state: State) -> Result<&Entry, LedgerError> {
        let from = self.state_of(&change.route).unwrap_or(from_state);
        let entry = Entry {
            seq: self.next_seq,
            at_ms: now_ms(),
            route: change.route,
            from,
            to: change.to,
            by: change.by,
            reason: change.reason,
            evidence: change.evidence,
            rollout: change.rollout,
        };
        // An entry holds strings, numbers and enums only: it always serialises.
        let mut line = serde_json::to_vec(&entry).unwrap_or_default();
        line.push(b'\n');
        let io = |source| LedgerError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.next_seq += 1;
        let history = self.routes.entry(entry.route.clone()).or_default();
        history.push(entry);
        Ok(history.last().expect("just pushed"))
    }

    /// The state the route's last entry gave it.
    pub fn state_of(&self, route: &str) -> Option<State> {
        self.routes
            .get(route)
            .and_then(|history| history.last())
            .map(|entry| entry.to)
    }

    /// Every route the ledger has seen, with its entries in order.
    pub fn routes(&self) -> &BTreeMap<String, Vec<Entry>> {
        &self.routes
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

struct Replay {
    routes: BTreeMap<String, Vec<Entry>>,
    next_seq: u64,
    /// Bytes of the file that hold whole, valid lines.
    kept: usize,
    recovery: Recovery,
}

fn replay(bytes: &[u8], path: &Path) -> Result<Replay, LedgerError> {
    let mut routes: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut next_seq = 1;
    let mut kept = 0;
    let mut recovery = Recovery::default();
    let mut start = 0;
    let mut number = 0;
    while start < bytes.len() {
        number += 1;
        let end = bytes[start..]
            .iter()
            .position(|&byte| byte == b'\n')
            .map(|at| start + at);
        let last = end.is_none_or(|end| end + 1 == bytes.len());
        let line = &bytes[start..end.unwrap_or(bytes.len())];
        let checked = check_line(line, next_seq, &routes);
        match checked {
            Ok(entry) if end.is_some() => {
                next_seq += 1;
                routes.entry(entry.route.clone()).or_default().push(entry);
                recovery.entries += 1;
                kept = end.map_or(bytes.len(), |end| end + 1);
            }
            // A last line cut before its newline, or one that does not read: torn. One that
            // reads but breaks the sequence is corrupt wherever it is.
            Ok(_) | Err(LineError::Unreadable(_)) if last => {
                recovery.torn_bytes = bytes.len() - start;
                recovery.torn_line = Some(number);
                break;
            }
            Ok(_) => unreachable!("a line without a newline is the last"),
            Err(LineError::Unreadable(reason) | LineError::Inconsistent(reason)) => {
                return Err(LedgerError::Corrupt {
                    path: path.to_path_buf(),
                    line: number,
                    reason,
                });
            }
        }
        start = kept;
    }
    Ok(Replay {
        routes,
        next_seq,
        kept,
        recovery,
    })
}

enum LineError {
    /// Not an entry: cut short or overwritten.
    Unreadable(String),
    /// An entry that does not follow the ones before it.
    Inconsistent(String),
}

fn check_line(
    line: &[u8],
    seq: u64,
    routes: &BTreeMap<String, Vec<Entry>>,
) -> Result<Entry, LineError> {
    let entry: Entry = serde_json::from_slice(line)
        .map_err(|error| LineError::Unreadable(format!("not a ledger entry ({error})")))?;
    if entry.seq != seq {
        return Err(LineError::Inconsistent(format!(
            "entry number {} where {seq} comes next",
            entry.seq
        )));
    }
    if let Some(previous) = routes.get(&entry.route).and_then(|history| history.last())
        && previous.to != entry.from
    {
        return Err(LineError::Inconsistent(format!(
            "`{}` leaves {} but entry {} left it {}",
            entry.route, entry.from, previous.seq, previous.to
        )));
    }
    Ok(entry)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// A new file's directory entry is durable only once its directory is synced.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
