//! Rollout decisions on simulated traffic: the counters are the real ones, the clock is ours.

use super::*;

fn file(steps: &[i64]) -> RolloutFile {
    RolloutFile {
        steps: steps.to_vec(),
        bake_ms: 10_000,
        min_requests: Some(50),
        max_error_rate_increase: None,
        max_p99_ratio: None,
        p99_slack_ms: None,
        min_match_rate: None,
    }
}

fn spec(steps: &[i64]) -> RolloutSpec {
    RolloutSpec::from_file(&file(steps)).unwrap()
}

/// Traffic on both sides: `per_second` requests a second, split at `percent`, the service
/// failing `service_fail` of its answers and taking `service_ms`.
struct Traffic {
    service: SideStats,
    monolith: SideStats,
}

impl Traffic {
    fn new() -> Traffic {
        Traffic {
            service: SideStats::default(),
            monolith: SideStats::default(),
        }
    }

    fn second(&self, percent: u8, service_fail: f64, service_ms: u64) {
        let per_second = 100;
        let to_service = per_second * u64::from(percent) / 100;
        for idx in 0..to_service {
            let failed = (idx as f64) < service_fail * to_service as f64;
            self.service
                .record(Duration::from_millis(service_ms), failed);
        }
        for _ in to_service..per_second {
            self.monolith.record(Duration::from_millis(20), false);
        }
    }

    fn observed(&self) -> Observed {
        Observed {
            service: self.service.snapshot(),
            monolith: self.monolith.snapshot(),
            compared: 0,
            mismatched: 0,
        }
    }
}

#[test]
fn steps_that_do_not_increase_or_pass_100_and_thresholds_out_of_range_are_refused() {
    let refused = |mut rollout: RolloutFile, edit: fn(&mut RolloutFile)| {
        edit(&mut rollout);
        RolloutSpec::from_file(&rollout).unwrap_err()
    };
    let base = file(&[1, 5, 25, 100]);
    assert_eq!(
        refused(base.clone(), |f| f.steps = vec![5, 5, 50]),
        (
            "steps",
            "step 2 (5%) does not increase on the step before (5%)".to_string()
        )
    );
    assert_eq!(
        refused(base.clone(), |f| f.steps = vec![50, 25]),
        (
            "steps",
            "step 2 (25%) does not increase on the step before (50%)".to_string()
        )
    );
    assert_eq!(
        refused(base.clone(), |f| f.steps = vec![50, 120]),
        ("steps", "step 2 is 120%: a step is 1 to 100".to_string())
    );
    assert_eq!(refused(base.clone(), |f| f.steps = vec![0, 10]).0, "steps");
    assert_eq!(refused(base.clone(), |f| f.steps = vec![]).0, "steps");
    assert_eq!(refused(base.clone(), |f| f.bake_ms = 0).0, "bake_ms");
    assert_eq!(
        refused(base.clone(), |f| f.min_requests = Some(0)).0,
        "min_requests"
    );
    assert_eq!(
        refused(base.clone(), |f| f.max_error_rate_increase = Some(1.5)).0,
        "max_error_rate_increase"
    );
    assert_eq!(
        refused(base.clone(), |f| f.max_p99_ratio = Some(0.5)).0,
        "max_p99_ratio"
    );
    assert_eq!(
        refused(base.clone(), |f| f.max_p99_ratio = Some(f64::NAN)).0,
        "max_p99_ratio"
    );
    assert_eq!(
        refused(base, |f| f.min_match_rate = Some(-0.1)).0,
        "min_match_rate"
    );
}

#[test]
fn a_healthy_service_is_promoted_step_by_step_to_the_end() {
    let traffic = Traffic::new();
    let mut rollout = Rollout::start(spec(&[5, 25, 50, 100]), 0, 0, traffic.observed());
    let mut promotions = Vec::new();
    for second in 1..=200 {
        traffic.second(rollout.percent(), 0.0, 22);
        match rollout.judge(second * 1000, traffic.observed()) {
            Decision::Promote { percent, .. } => promotions.push((second, percent)),
            Decision::Complete { evidence } => {
                assert_eq!(evidence.service_error_rate, Some(0.0));
                assert!(evidence.service_requests >= 50);
                promotions.push((second, 100));
                break;
            }
            Decision::Rollback { reason, .. } => panic!("rolled back: {reason}"),
            Decision::Hold(_) => {}
        }
    }
    // 5% of 100 a second needs 10 s for 50 requests, and each step bakes 10 s.
    assert_eq!(promotions, [(10, 25), (20, 50), (30, 100), (40, 100)]);
    assert_eq!(rollout.status, Status::Promoted);
    assert_eq!(rollout.percent(), 100);
}

#[test]
fn a_service_that_starts_failing_is_rolled_back_within_one_bake_interval() {
    let traffic = Traffic::new();
    // A long step: 10 minutes of good traffic before the failures start.
    let mut long = file(&[50, 100]);
    long.bake_ms = 600_000;
    let mut rollout = Rollout::start(
        RolloutSpec::from_file(&long).unwrap(),
        0,
        0,
        traffic.observed(),
    );
    for second in 1..=300 {
        traffic.second(50, 0.0, 20);
        assert!(matches!(
            rollout.judge(second * 1000, traffic.observed()),
            Decision::Hold(_)
        ));
    }
    let mut rolled_back = None;
    for second in 301..=1000 {
        traffic.second(rollout.percent(), 1.0, 20);
        if let Decision::Rollback { reason, evidence } =
            rollout.judge(second * 1000, traffic.observed())
        {
            rolled_back = Some((second, reason, evidence));
            break;
        }
    }
    let (second, reason, evidence) = rolled_back.expect("rolled back");
    assert!(second - 300 <= 600, "rolled back after {} s", second - 300);
    // With a sliding window of one bake interval, the first judgement with failures sees them
    // diluted by at most 10 minutes of good traffic: 1.2% of failures trips the 1% gate.
    assert!(second - 300 <= 10, "rolled back after {} s", second - 300);
    assert!(reason.starts_with("errors: the service failed"), "{reason}");
    assert!(evidence.service_error_rate.unwrap() > 0.01);
    assert_eq!(rollout.percent(), 0);
    // Rolled back is final: nothing more is decided.
    assert!(matches!(
        rollout.judge(2_000_000, traffic.observed()),
        Decision::Hold(_)
    ));
}

#[test]
fn too_few_requests_hold_and_a_slow_service_fails_the_latency_gate() {
    let traffic = Traffic::new();
    let mut rollout = Rollout::start(spec(&[1, 100]), 0, 0, traffic.observed());
    // 1 request a second: 50 needed.
    for second in 1..50 {
        traffic.second(1, 0.0, 500);
        match rollout.judge(second * 1000, traffic.observed()) {
            Decision::Hold(why) => assert!(why.contains("of 50 requests"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    traffic.second(1, 0.0, 500);
    match rollout.judge(50_000, traffic.observed()) {
        Decision::Rollback { reason, evidence } => {
            assert!(
                reason.starts_with("latency: the service's p99 is"),
                "{reason}"
            );
            assert!(evidence.service_p99_ms.unwrap() >= 500.0);
            assert!(evidence.monolith_p99_ms.unwrap() < 30.0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_shadow_match_rate_is_a_gate_when_asked() {
    let mut with_match = file(&[10, 100]);
    with_match.min_match_rate = Some(0.99);
    let traffic = Traffic::new();
    let mut observed = traffic.observed();
    let mut rollout = Rollout::start(
        RolloutSpec::from_file(&with_match).unwrap(),
        0,
        0,
        observed.clone(),
    );
    for second in 1..=5 {
        traffic.second(10, 0.0, 20);
        observed = Observed {
            compared: second * 100,
            mismatched: second * 5,
            ..traffic.observed()
        };
        if let Decision::Rollback { reason, evidence } =
            rollout.judge(second * 1000, observed.clone())
        {
            assert_eq!(second, 5, "judged before 50 service requests");
            assert_eq!(evidence.match_rate, Some(0.95));
            assert!(reason.starts_with("match: 95.0%"), "{reason}");
            return;
        }
    }
    panic!("not rolled back");
}

#[test]
fn at_100_percent_the_monolith_s_figures_over_the_rollout_stand_in() {
    let traffic = Traffic::new();
    let mut rollout = Rollout::start(spec(&[50, 100]), 0, 0, traffic.observed());
    let mut second = 0;
    while rollout.percent() == 50 {
        second += 1;
        traffic.second(50, 0.0, 20);
        rollout.judge(second * 1000, traffic.observed());
    }
    // At 100% the monolith answers nothing; its p99 and error rate come from before.
    second += 1;
    traffic.second(100, 0.0, 20);
    let Decision::Hold(_) = rollout.judge(second * 1000, traffic.observed()) else {
        panic!("not held")
    };
    traffic.second(100, 0.0, 200);
    second += 1;
    match rollout.judge(second * 1000, traffic.observed()) {
        Decision::Rollback { evidence, .. } => {
            assert_eq!(evidence.monolith_requests, 0);
            assert!(evidence.monolith_p99_ms.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_paused_rollout_holds_and_resumes_with_a_fresh_bake() {
    let traffic = Traffic::new();
    let mut rollout = Rollout::start(spec(&[50, 100]), 0, 0, traffic.observed());
    traffic.second(50, 0.0, 20);
    rollout.pause();
    for second in 1..=30 {
        traffic.second(50, 0.0, 20);
        assert!(matches!(
            rollout.judge(second * 1000, traffic.observed()),
            Decision::Hold(_)
        ));
    }
    rollout.resume(30_000, traffic.observed());
    let mut promoted_at = None;
    for second in 31..=60 {
        traffic.second(50, 0.0, 20);
        if let Decision::Promote { percent: 100, .. } =
            rollout.judge(second * 1000, traffic.observed())
        {
            promoted_at = Some(second);
            break;
        }
    }
    assert_eq!(promoted_at, Some(40), "the step bakes 10 s from the resume");
}

#[test]
fn p99_reads_the_tail_within_its_bucket() {
    let stats = SideStats::default();
    for _ in 0..990 {
        stats.record(Duration::from_millis(10), false);
    }
    for _ in 0..10 {
        stats.record(Duration::from_millis(300), true);
    }
    let snapshot = stats.snapshot();
    let p99 = snapshot.p99_ms().unwrap();
    assert!((10.0..=12.0).contains(&p99), "{p99}");
    stats.record(Duration::from_millis(300), false);
    let p99 = stats.snapshot().p99_ms().unwrap();
    assert!((300.0..=360.0).contains(&p99), "{p99}");
    assert_eq!(snapshot.error_rate(), Some(0.01));
    assert_eq!(Snapshot::default().p99_ms(), None);
}
