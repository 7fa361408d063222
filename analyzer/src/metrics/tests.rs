//! Unit tests of the metrics on hand-made graphs and partitions whose values are worked out in
//! the comments.
//!
//! The published test vectors are checked by the integration test `tests/it/metrics.rs`, not
//! here. Inputs are written compactly: `graph(6, "0>1 2>3*100")` is edges with weights (1 if
//! omitted), `partition("0 0 1 - 1")` gives each node's cluster, `-` for unassigned.

use super::*;

fn graph(n_nodes: usize, edges: &str) -> Graph {
    let edges = edges
        .split_whitespace()
        .map(|edge| {
            let (ends, weight) = edge.split_once('*').unwrap_or((edge, "1"));
            let (from, to) = ends.split_once('>').expect("edge written as a>b");
            Edge::new(
                from.parse().expect("node id"),
                to.parse().expect("node id"),
                weight.parse().expect("weight"),
            )
        })
        .collect();
    Graph::new(n_nodes, edges).expect("valid test graph")
}

fn partition(clusters: &str) -> Partition {
    let assignment: Vec<Option<usize>> = clusters
        .split_whitespace()
        .map(|cluster| cluster.parse().ok())
        .collect();
    Partition::from_assignment(&assignment).expect("valid test partition")
}

#[track_caller]
fn check(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-12,
        "got {actual}, expected {expected}"
    );
}

/// Two 3-cycles joined by one heavy call 2 -> 3 (volume 100).
const BRIDGE: &str = "0>1 1>2 2>0 3>4 4>5 5>3 2>3*100";

#[test]
fn bridge_split_at_the_bridge() {
    let graph = graph(6, BRIDGE);
    let halves = partition("0 0 0 1 1 1");
    let h = 1.0 + 100f64.ln();
    check(
        inter_call_percentage(&graph, &halves).unwrap(),
        h / (6.0 + h),
    );
    // Each 3-cycle links all 3 pairs: cohesion (3/9 + 3/9) / 2; one crossing pair of 3 x 3.
    let sm = structural_modularity(&graph, &halves, SelfCalls::default()).unwrap();
    check(sm, 2.0 / 9.0);
    check(interface_number(&graph, &halves).unwrap(), 0.5);
    check(non_extreme_distribution(&halves, NedBounds::default()), 1.0);
    check(mono2micro_mq(&graph, &halves).unwrap(), 13.0 / 7.0);
    check(
        bunch_mq(&graph, &halves, EdgeWeighting::Unit).unwrap(),
        12.0 / 7.0,
    );
    check(
        bunch_mq(&graph, &halves, EdgeWeighting::Raw).unwrap(),
        6.0 / 53.0,
    );
    let q =
        |weighting, direction| newman_modularity(&graph, &halves, weighting, direction).unwrap();
    check(q(EdgeWeighting::Unit, Direction::Undirected), 5.0 / 14.0);
    check(q(EdgeWeighting::Raw, Direction::Undirected), -47.0 / 106.0);
    // Directed: L = 3 + 3 of m = 7; out/in strengths 4/3 and 3/4, so 6/7 - 24/49. This is also
    // the hand-checked example of the Leicht-Newman formula in rust-igraph's documentation.
    check(q(EdgeWeighting::Unit, Direction::Directed), 18.0 / 49.0);
}

#[test]
fn bridge_split_across_the_cycles() {
    let graph = graph(6, BRIDGE);
    let pairs = partition("0 0 1 1 2 2");
    // Cohesion 1/4; sigma 2, 0, 2 over three cluster pairs of 2 x 2: coupling 1/3.
    let sm = structural_modularity(&graph, &pairs, SelfCalls::default()).unwrap();
    check(sm, -1.0 / 12.0);
    check(interface_number(&graph, &pairs).unwrap(), 4.0 / 3.0);
    check(mono2micro_mq(&graph, &pairs).unwrap(), 11.0 / 6.0);
    check(
        bunch_mq(&graph, &pairs, EdgeWeighting::Unit).unwrap(),
        4.0 / 3.0,
    );
    check(
        bunch_mq(&graph, &pairs, EdgeWeighting::Raw).unwrap(),
        101.0 / 51.0,
    );
    let q = newman_modularity(&graph, &pairs, EdgeWeighting::Raw, Direction::Undirected);
    check(q.unwrap(), 100.0 / 2809.0);
}

/// Self-calls on 0 and 5, reciprocal pairs 0 <-> 1 and 3 <-> 4.
const SELF_CALLS: &str = "0>0*7 0>1 1>0 1>2*10 2>3 3>4 4>3 4>5 5>5*2";

#[test]
fn self_calls_count_in_sm_only_as_asked() {
    let graph = graph(6, SELF_CALLS);
    let listed = Partition::from_rows(6, &[(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 2)]);
    let listed = listed.unwrap();
    let sm = |partition, self_calls| structural_modularity(&graph, partition, self_calls).unwrap();
    // Node 5 is alone, hence listed last: its self-call is skipped; node 0's counts.
    check(sm(&listed, SelfCalls::CountedExceptLastListed), -1.0 / 36.0);
    check(sm(&listed, SelfCalls::Counted), 11.0 / 36.0);
    check(sm(&listed, SelfCalls::Ignored), -7.0 / 108.0);
    // The same assignment listed with node 0 last in its cluster.
    let reordered = Partition::from_rows(6, &[(1, 0), (2, 0), (0, 0), (4, 1), (3, 1), (5, 2)]);
    let reordered = reordered.unwrap();
    check(
        sm(&reordered, SelfCalls::CountedExceptLastListed),
        -7.0 / 108.0,
    );
    check(sm(&reordered, SelfCalls::Counted), 11.0 / 36.0);
    // Everything else ignores self-calls.
    check(mono2micro_mq(&graph, &listed).unwrap(), 58.0 / 35.0);
    check(
        bunch_mq(&graph, &listed, EdgeWeighting::Raw).unwrap(),
        122.0 / 75.0,
    );
    let q = newman_modularity(&graph, &listed, EdgeWeighting::Raw, Direction::Undirected);
    check(q.unwrap(), 117.0 / 512.0);
    check(
        inter_call_percentage(&graph, &listed).unwrap(),
        2.0 / (7.0 + 10f64.ln()),
    );
}

#[test]
fn one_cluster_has_no_coupling() {
    let graph = graph(6, SELF_CALLS);
    let whole = partition("0 0 0 0 0 0");
    check(
        structural_modularity(&graph, &whole, SelfCalls::default()).unwrap(),
        1.0 / 6.0,
    );
    check(inter_call_percentage(&graph, &whole).unwrap(), 0.0);
    check(interface_number(&graph, &whole).unwrap(), 0.0);
    check(
        non_extreme_distribution(&whole, NedBounds::new(6, 6).unwrap()),
        0.0,
    );
    check(bunch_mq(&graph, &whole, EdgeWeighting::Unit).unwrap(), 1.0);
    for direction in [Direction::Undirected, Direction::Directed] {
        let q = newman_modularity(&graph, &whole, EdgeWeighting::LogPlusOne, direction);
        check(q.unwrap(), 0.0);
    }
}

#[test]
fn unassigned_nodes_are_outside_every_metric() {
    // Node 3 is unassigned: 2>3, 3>4 and 5>3 must weigh as if they were not there.
    let full = graph(6, BRIDGE);
    let without = graph(6, "0>1 1>2 2>0 4>5");
    let kernel = partition("0 0 1 - 1 1");
    let options = ReportOptions::default();
    let report = Report::new(&full, &kernel, &options).unwrap();
    let expected = Report::new(&without, &kernel, &options).unwrap();
    assert_eq!(report.n_unassigned, 1);
    assert_eq!(report.n_edges_touching_unassigned, 3);
    assert_eq!(expected.n_edges_touching_unassigned, 0);
    assert_eq!(
        Report {
            n_edges_touching_unassigned: 3,
            ..expected
        },
        report
    );
    // NED counts assigned nodes only: sizes 2 and 3, of which 3 is in the band, over 5 nodes.
    check(
        non_extreme_distribution(&kernel, NedBounds::new(3, 3).unwrap()),
        1.0 - 3.0 / 5.0,
    );
}

#[test]
fn directed_and_undirected_q_agree_on_symmetric_graphs() {
    let graph = graph(5, "0>1*2 1>0*2 1>2 2>1 2>3*3 3>2*3 3>4 4>3 4>0*5 0>4*5");
    for clusters in ["0 0 1 1 1", "0 1 0 1 2", "0 0 0 0 1"] {
        let partition = partition(clusters);
        let q = |direction| newman_modularity(&graph, &partition, EdgeWeighting::Raw, direction);
        check(
            q(Direction::Directed).unwrap(),
            q(Direction::Undirected).unwrap(),
        );
    }
}

#[test]
fn ned_band_edges_are_inclusive() {
    // Sizes 21, 20, 5, 4, 2 (52 nodes): only 20 and 5 are in 5..=20.
    let mut clusters = Vec::new();
    for (cluster, size) in [21, 20, 5, 4, 2].into_iter().enumerate() {
        clusters.extend(std::iter::repeat_n(Some(cluster), size));
    }
    let blocks = Partition::from_assignment(&clusters).unwrap();
    check(
        non_extreme_distribution(&blocks, NedBounds::default()),
        27.0 / 52.0,
    );
    check(
        non_extreme_distribution(&blocks, NedBounds::new(2, 21).unwrap()),
        0.0,
    );
    check(
        non_extreme_distribution(&blocks, NedBounds::new(6, 19).unwrap()),
        1.0,
    );
}

#[test]
fn invalid_graphs_are_refused() {
    let edge = |from, to, weight| Edge::new(from, to, weight);
    assert_eq!(
        Graph::new(2, vec![edge(0, 2, 1.0)]),
        Err(Error::EdgeNodeOutOfRange {
            edge_index: 0,
            from: 0,
            to: 2,
            node: 2,
            n_nodes: 2
        })
    );
    for weight in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let refused = Graph::new(2, vec![edge(0, 1, 1.0), edge(1, 0, weight)]);
        assert!(
            matches!(refused, Err(Error::InvalidWeight { edge_index: 1, .. })),
            "{refused:?}"
        );
    }
    assert_eq!(
        Graph::new(3, vec![edge(0, 1, 1.0), edge(1, 2, 1.0), edge(0, 1, 2.0)]),
        Err(Error::DuplicateEdge {
            first_index: 0,
            second_index: 2,
            from: 0,
            to: 1
        })
    );
    // A reciprocal pair and a self-loop are fine.
    assert!(Graph::new(2, vec![edge(0, 1, 1.0), edge(1, 0, 1.0), edge(1, 1, 1.0)]).is_ok());
}

#[test]
fn invalid_partitions_are_refused() {
    assert!(matches!(
        Partition::from_rows(3, &[(0, 0), (3, 0)]),
        Err(Error::PartitionNodeOutOfRange {
            row_index: 1,
            node: 3,
            n_nodes: 3
        })
    ));
    assert!(matches!(
        Partition::from_rows(3, &[(0, 0), (1, 0), (0, 1)]),
        Err(Error::NodeAssignedTwice {
            node: 0,
            first_row: 0,
            second_row: 2
        })
    ));
    assert!(matches!(
        Partition::from_assignment(&[Some(0), Some(2), None]),
        Err(Error::EmptyCluster {
            cluster: 1,
            largest_cluster: 2
        })
    ));
    assert!(matches!(
        Partition::from_assignment(&[Some(usize::MAX)]),
        Err(Error::EmptyCluster { cluster: 0, .. })
    ));
    assert!(matches!(
        Partition::from_assignment(&[None, None]),
        Err(Error::NoClusters)
    ));
    assert_eq!(
        NedBounds::new(6, 5),
        Err(Error::InvalidNedBounds { min: 6, max: 5 })
    );
}

#[test]
fn mismatched_inputs_are_refused() {
    let graph = graph(3, "0>1 1>2");
    let small = partition("0 0");
    let mismatch = Error::NodeCountMismatch {
        graph_nodes: 3,
        partition_nodes: 2,
    };
    assert_eq!(inter_call_percentage(&graph, &small), Err(mismatch.clone()));
    assert_eq!(
        Report::new(&graph, &small, &ReportOptions::default()),
        Err(mismatch)
    );
}

#[test]
fn log_weighting_refuses_weights_that_turn_negative() {
    let graph = graph(2, "0>1*0.1");
    let split = partition("0 1");
    assert_eq!(
        inter_call_percentage(&graph, &split),
        Err(Error::NonPositiveLogWeight {
            from: 0,
            to: 1,
            weight: 0.1
        })
    );
    // The raw weight is fine elsewhere.
    assert!(bunch_mq(&graph, &split, EdgeWeighting::Raw).is_ok());
}

#[test]
fn partitions_keep_their_listing_order() {
    let listed = Partition::from_rows(5, &[(3, 1), (0, 0), (4, 1), (1, 1)]).unwrap();
    let clusters: Vec<&[usize]> = listed.clusters().collect();
    assert_eq!(clusters, [&[0][..], &[3, 4, 1][..]]);
    assert_eq!(listed.cluster_sizes(), [1, 3]);
    assert_eq!(listed.unassigned().collect::<Vec<_>>(), [2]);
    assert_eq!(listed.cluster_of(2), None);
    assert_eq!(listed.cluster_of(99), None);
    assert_eq!(listed.cluster_of(4), Some(1));
}
