//! The ledger on real files: replay after reopening, a torn last line recovered, corruption
//! in the middle refused with its line, and a writer killed with SIGKILL while appending.

use super::*;

fn change(route: &str, to: State) -> Change {
    Change {
        route: route.to_string(),
        to,
        by: "rollout".to_string(),
        reason: "gates passed".to_string(),
        evidence: Some(Evidence {
            service_requests: 120,
            monolith_requests: 880,
            service_error_rate: Some(0.0),
            ..Evidence::default()
        }),
        rollout: Some(RolloutMark {
            step: 1,
            steps: 4,
            done: false,
        }),
    }
}

#[test]
fn entries_survive_reopening_and_chain_each_route_s_states() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    let (mut ledger, recovery) = Ledger::open(&path).unwrap();
    assert_eq!(recovery, Recovery::default());
    ledger
        .append(
            change("GET /a", State::Canary { percent: 5 }),
            State::Monolith,
        )
        .unwrap();
    ledger
        .append(
            change("GET /b", State::Shadow { percent: 100 }),
            State::Monolith,
        )
        .unwrap();
    let third = ledger
        .append(
            change("GET /a", State::Canary { percent: 25 }),
            State::Monolith,
        )
        .unwrap()
        .clone();
    // The state left is the route's last, not the one given for a first sight.
    assert_eq!(third.seq, 3);
    assert_eq!(third.from, State::Canary { percent: 5 });
    drop(ledger);

    let (mut ledger, recovery) = Ledger::open(&path).unwrap();
    assert_eq!(recovery.entries, 3);
    assert_eq!(recovery.torn_bytes, 0);
    assert_eq!(
        ledger.state_of("GET /a"),
        Some(State::Canary { percent: 25 })
    );
    assert_eq!(ledger.routes()["GET /a"].len(), 2);
    assert_eq!(ledger.routes()["GET /a"][1], third);
    let next = ledger
        .append(change("GET /b", State::Monolith), State::Monolith)
        .unwrap();
    assert_eq!((next.seq, next.from), (4, State::Shadow { percent: 100 }));
}

#[test]
fn a_torn_last_line_is_dropped_and_appending_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    let (mut ledger, _) = Ledger::open(&path).unwrap();
    ledger
        .append(
            change("GET /a", State::Canary { percent: 5 }),
            State::Monolith,
        )
        .unwrap();
    drop(ledger);
    let whole = std::fs::read(&path).unwrap();
    for torn in [
        br#"{"seq":2,"at_ms":1,"route":"GET /a","fr"#.to_vec(),
        // Space the file system reserved but never wrote, newline included.
        vec![0; 40].into_iter().chain([b'\n']).collect(),
    ] {
        let mut bytes = whole.clone();
        bytes.extend_from_slice(&torn);
        std::fs::write(&path, &bytes).unwrap();
        let (mut ledger, recovery) = Ledger::open(&path).unwrap();
        assert_eq!(
            recovery,
            Recovery {
                entries: 1,
                torn_bytes: torn.len(),
                torn_line: Some(2),
            }
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            whole,
            "truncated to whole lines"
        );
        let entry = ledger
            .append(change("GET /a", State::Service), State::Monolith)
            .unwrap();
        assert_eq!(entry.seq, 2);
        drop(ledger);
        std::fs::write(&path, &whole).unwrap();
    }
}

#[test]
fn a_corrupt_line_before_the_last_is_refused_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    let (mut ledger, _) = Ledger::open(&path).unwrap();
    for percent in [5, 25, 50] {
        ledger
            .append(change("GET /a", State::Canary { percent }), State::Monolith)
            .unwrap();
    }
    drop(ledger);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cases = [
        (
            format!("{}\nnot json\n{}\n", lines[0], lines[2]),
            2,
            "not a ledger entry",
        ),
        (
            format!("{}\n{}\n{}\n", lines[0], lines[2], lines[1]),
            2,
            "entry number 3 where 2 comes next",
        ),
        // Last, but it reads: no crash writes a whole entry with the wrong number.
        (
            format!("{}\n{}\n", lines[0], lines[2]),
            2,
            "entry number 3 where 2 comes next",
        ),
        (
            format!(
                "{}\n{}\n{}\n",
                lines[0],
                lines[1].replace(
                    r#""from":{"state":"canary","percent":5}"#,
                    r#""from":{"state":"monolith"}"#
                ),
                lines[2]
            ),
            2,
            "`GET /a` leaves monolith but entry 1 left it canary 5%",
        ),
    ];
    for (bytes, line, reason) in cases {
        std::fs::write(&path, &bytes).unwrap();
        let error = Ledger::open(&path).unwrap_err();
        let shown = error.to_string();
        assert!(
            matches!(&error, LedgerError::Corrupt { line: at, .. } if *at == line),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("ledger.jsonl:{line}: {reason}")),
            "{shown}"
        );
        // Refused, not repaired.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), bytes);
    }
}

/// Set in the child process of the test below: the ledger it appends to until killed.
const CHILD_LEDGER: &str = "FICUS_LEDGER_TEST_CHILD";

#[test]
fn a_writer_killed_while_appending_leaves_a_ledger_that_opens() {
    if let Ok(path) = std::env::var(CHILD_LEDGER) {
        // The child: append as fast as it can; each append is durable when it returns, and
        // the parent reads how many returned from stdout.
        let (mut ledger, _) = Ledger::open(Path::new(&path)).unwrap();
        let mut percent = 0u8;
        let mut stdout = std::io::stdout();
        loop {
            percent = percent % 100 + 1;
            let entry = ledger
                .append(change("GET /a", State::Canary { percent }), State::Monolith)
                .unwrap();
            writeln!(stdout, "{}", entry.seq).unwrap();
            stdout.flush().unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    for round in 0..3 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "ledger::tests::a_writer_killed_while_appending_leaves_a_ledger_that_opens",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_LEDGER, &path)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        // Let it write a while (at least 20 durable appends), then SIGKILL it mid-stream.
        let mut acknowledged = 0u64;
        let mut line = String::new();
        while acknowledged < 20 * (round + 1) {
            line.clear();
            if std::io::BufRead::read_line(&mut out, &mut line).unwrap() == 0 {
                break;
            }
            if let Ok(seq) = line.trim().parse::<u64>() {
                acknowledged = seq;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let (ledger, recovery) = Ledger::open(&path).unwrap();
        // Every append that returned is there; at most one more, written but not yet
        // acknowledged, may be too.
        let entries = recovery.entries as u64;
        assert!(
            entries >= acknowledged,
            "{entries} entries, {acknowledged} acknowledged"
        );
        let history = &ledger.routes()["GET /a"];
        assert_eq!(history.len() as u64, entries);
        assert!(history.windows(2).all(|pair| pair[0].to == pair[1].from));
    }
}
