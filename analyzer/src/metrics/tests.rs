//! Unit tests of the metrics on hand-made graphs and partitions whose values are worked out in
//! the comments, plus exhaustive checks of the two algorithms that must be exact: MoJo against
//! a breadth-first search over all move/join sequences, and the one-to-one assignment behind
//! a2a against brute force.
//!
//! The published test vectors are checked by the integration test `tests/it/metrics.rs`, not
//! here. Inputs are written compactly: `graph(6, "0>1 2>3*100")` is edges with weights (1 if
//! omitted), `partition("0 0 1 - 1")` gives each node's cluster, `-` for unassigned.

use std::collections::{HashMap, VecDeque};

use super::matching::maximum_weight_assignment;
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
    let large = partition("0 0 1");
    let mismatch = Error::NodeCountMismatch {
        graph_nodes: 3,
        partition_nodes: 2,
    };
    assert_eq!(inter_call_percentage(&graph, &small), Err(mismatch.clone()));
    assert_eq!(
        Report::new(&graph, &small, &ReportOptions::default()),
        Err(mismatch)
    );
    assert_eq!(
        adjusted_rand_index(&small, &large),
        Err(Error::PartitionNodeCountsDiffer { left: 2, right: 3 })
    );
    assert!(mojo(&large, &small).is_err());
    assert!(a2a(&large, &small).is_err());
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

#[track_caller]
fn check_mojo(source: &str, target: &str, moves: usize, joins: usize) {
    let distance = mojo(&partition(source), &partition(target)).unwrap();
    assert_eq!(
        distance,
        MojoDistance { moves, joins },
        "{source} -> {target}"
    );
}

#[test]
fn mojo_by_hand() {
    check_mojo("0 0 0 1 1 1", "0 0 0 1 1 1", 0, 0);
    // Relabelled clusters are the same partition.
    check_mojo("0 0 0 1 1 1", "1 1 1 0 0 0", 0, 0);
    // One node moved.
    check_mojo("0 0 0 1 1 1", "0 0 1 1 1 1", 1, 0);
    // {0,1,2} and {3,4,5} each keep two nodes of a pair: 2 moves.
    check_mojo("0 0 0 1 1 1", "0 0 1 1 2 2", 2, 0);
    // {2,3} ties between both halves and stays unmatched: 1 move, 1 join.
    check_mojo("0 0 1 1 2 2", "0 0 0 1 1 1", 1, 1);
    // Splitting needs moves, merging needs joins.
    check_mojo("0 0 0 0 0 0", "0 0 0 1 1 2", 3, 0);
    check_mojo("0 0 0 1 1 2", "0 0 0 0 0 0", 0, 2);
    // Only common nodes count: node 3 is unassigned in the target.
    check_mojo("0 0 1 1", "0 0 1 -", 0, 0);
    check_mojo("0 0 1 1", "0 0 0 -", 0, 1);
    let symmetric = mojo_distance(&partition("0 0 0 0 0 0"), &partition("0 0 0 1 1 2"));
    assert_eq!(symmetric, Ok(2));
}

#[test]
fn mojo_fm_by_hand() {
    let halves = partition("0 0 0 1 1 1");
    let pairs = partition("0 0 1 1 2 2");
    // Worst case against pairs: sizes 2, 2, 2 give g = 2, so 6 - 2 = 4.
    let fm = mojo_fm(&halves, &pairs, ReferenceSizes::default()).unwrap();
    assert_eq!(fm.max_mojo, 4);
    check(fm.value, 50.0);
    check(
        mojo_fm(&pairs, &pairs, ReferenceSizes::default())
            .unwrap()
            .value,
        100.0,
    );
    // Nodes the source leaves out change only the Java-compatible worst case: the reference's
    // common sizes 3, 1 give g = 2, its full sizes 3, 1, 2 give g = 3.
    let source = partition("0 0 1 1 - -");
    let reference = partition("0 0 0 1 2 2");
    let common = mojo_fm(&source, &reference, ReferenceSizes::CommonNodes).unwrap();
    let java = mojo_fm(&source, &reference, ReferenceSizes::AllReferenceNodes).unwrap();
    assert_eq!(
        (common.mojo.total(), common.max_mojo, java.max_mojo),
        (1, 2, 1)
    );
    check(common.value, 50.0);
    check(java.value, 0.0);
    // One common node: nothing can differ.
    let single = mojo_fm(
        &partition("0 -"),
        &partition("0 0"),
        ReferenceSizes::default(),
    );
    check(single.unwrap().value, 100.0);
}

#[test]
fn a2a_by_hand() {
    let halves = partition("0 0 0 1 1 1");
    let pairs = partition("0 0 1 1 2 2");
    // |2 - 3| + moved (6 - (2 + 2)) = 3 operations of 14 + 15.
    let result = a2a(&halves, &pairs).unwrap();
    assert_eq!(
        (
            result.min_transform_operations,
            result.construction_operations
        ),
        (3, 29)
    );
    check(result.value, 2600.0 / 29.0);
    check(a2a(&pairs, &halves).unwrap().value, 2600.0 / 29.0);
    check(a2a(&pairs, &pairs).unwrap().value, 100.0);
    // Node 5 only in the first: removed, 2 operations.
    let removed = a2a(&partition("0 0 0 1 1 1"), &partition("0 0 0 1 1 -")).unwrap();
    assert_eq!((removed.removed, removed.added, removed.moved), (1, 0, 0));
    assert_eq!(removed.min_transform_operations, 2);
}

#[test]
fn adjusted_rand_index_by_hand() {
    let halves = partition("0 0 0 1 1 1");
    let pairs = partition("0 0 1 1 2 2");
    // Contingency rows (2, 1, 0) and (0, 1, 2): (2 - 6/5) / (9/2 - 6/5).
    check(adjusted_rand_index(&halves, &pairs).unwrap(), 8.0 / 33.0);
    check(adjusted_rand_index(&pairs, &halves).unwrap(), 8.0 / 33.0);
    check(
        adjusted_rand_index(&pairs, &partition("2 2 0 0 1 1")).unwrap(),
        1.0,
    );
    // Both trivial: defined as 1. One trivial and one not: 0.
    let whole = partition("0 0 0 0");
    let singletons = partition("0 1 2 3");
    check(adjusted_rand_index(&whole, &whole).unwrap(), 1.0);
    check(adjusted_rand_index(&singletons, &singletons).unwrap(), 1.0);
    check(adjusted_rand_index(&whole, &singletons).unwrap(), 0.0);
    check(
        adjusted_rand_index(&partition("0 0 1 1 2 2"), &partition("0 0 0 0 0 0")).unwrap(),
        0.0,
    );
}

/// Every partition of `n` nodes as canonical labels (restricted growth strings).
fn all_partitions(n: usize) -> Vec<Vec<u8>> {
    let mut found = vec![Vec::new()];
    for _ in 0..n {
        found = found
            .into_iter()
            .flat_map(|labels: Vec<u8>| {
                let next_label = labels.iter().max().map_or(0, |&label| label + 1);
                (0..=next_label).map(move |label| {
                    let mut extended = labels.clone();
                    extended.push(label);
                    extended
                })
            })
            .collect();
    }
    found
}

/// Relabels clusters in order of first appearance.
fn canonical(labels: &[u8]) -> Vec<u8> {
    let mut renamed: HashMap<u8, u8> = HashMap::new();
    labels
        .iter()
        .map(|label| {
            let next = renamed.len() as u8;
            *renamed.entry(*label).or_insert(next)
        })
        .collect()
}

/// Every partition one Move or one Join away.
fn neighbours(labels: &[u8]) -> Vec<Vec<u8>> {
    let n_clusters = labels.iter().max().map_or(0, |&label| label + 1);
    let mut next = Vec::new();
    for node in 0..labels.len() {
        for cluster in 0..=n_clusters {
            if cluster != labels[node] {
                let mut moved = labels.to_vec();
                moved[node] = cluster;
                next.push(canonical(&moved));
            }
        }
    }
    for kept in 0..n_clusters {
        for merged in kept + 1..n_clusters {
            let joined: Vec<u8> = labels
                .iter()
                .map(|&label| if label == merged { kept } else { label })
                .collect();
            next.push(canonical(&joined));
        }
    }
    next
}

fn to_partition(labels: &[u8]) -> Partition {
    let assignment: Vec<Option<usize>> = labels.iter().map(|&label| Some(label.into())).collect();
    Partition::from_assignment(&assignment).unwrap()
}

#[test]
fn mojo_equals_the_shortest_move_join_sequence() {
    for n in 1..=6 {
        let states = all_partitions(n);
        let index: HashMap<&[u8], usize> = states
            .iter()
            .enumerate()
            .map(|(position, labels)| (labels.as_slice(), position))
            .collect();
        let partitions: Vec<Partition> = states.iter().map(|labels| to_partition(labels)).collect();
        let mut worst_to = vec![0; states.len()];
        for (source, source_labels) in states.iter().enumerate() {
            let mut distance = vec![usize::MAX; states.len()];
            distance[source] = 0;
            let mut queue = VecDeque::from([source]);
            while let Some(current) = queue.pop_front() {
                for next in neighbours(&states[current]) {
                    let next = index[next.as_slice()];
                    if distance[next] == usize::MAX {
                        distance[next] = distance[current] + 1;
                        queue.push_back(next);
                    }
                }
            }
            for (target, &shortest) in distance.iter().enumerate() {
                let computed = mojo(&partitions[source], &partitions[target]).unwrap();
                assert_eq!(
                    computed.total(),
                    shortest,
                    "{source_labels:?} -> {:?}",
                    states[target]
                );
                worst_to[target] = worst_to[target].max(shortest);
            }
        }
        for (target, &worst) in worst_to.iter().enumerate() {
            let fm = mojo_fm(
                &partitions[target],
                &partitions[target],
                ReferenceSizes::default(),
            );
            assert_eq!(
                fm.unwrap().max_mojo,
                worst,
                "worst case to {:?}",
                states[target]
            );
        }
    }
}

#[test]
fn assignment_equals_brute_force() {
    // A small linear congruential generator: deterministic matrices without a dependency.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % bound) as usize
    };
    for _ in 0..400 {
        let (n_rows, n_columns) = (1 + next(6), 1 + next(6));
        let weights: Vec<Vec<usize>> = (0..n_rows)
            .map(|_| (0..n_columns).map(|_| next(7)).collect())
            .collect();
        assert_eq!(
            maximum_weight_assignment(&weights),
            brute_force_assignment(&weights, 0, &mut vec![false; n_columns]),
            "{weights:?}"
        );
    }
}

/// The best total from row `row` on, each row taking a free column or none.
fn brute_force_assignment(weights: &[Vec<usize>], row: usize, taken: &mut Vec<bool>) -> usize {
    if row == weights.len() {
        return 0;
    }
    let mut best = brute_force_assignment(weights, row + 1, taken);
    for column in 0..taken.len() {
        if !taken[column] {
            taken[column] = true;
            best = best.max(weights[row][column] + brute_force_assignment(weights, row + 1, taken));
            taken[column] = false;
        }
    }
    best
}
