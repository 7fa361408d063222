//! Constraints: pinned labels, together and apart groups, fixed clusters, and every conflict
//! between them rejected with an error naming the nodes.

use super::{check, check_err, clique, graph, planted_blocks, ring_of_cliques, run};
use crate::cluster::{Constraints, Settings};

#[test]
fn pinned_nodes_of_one_label_share_a_cluster() {
    // Node 8 follows node 0; the rest of its clique scores better on its own than joining.
    let constraints = Constraints {
        pinned: vec![(0, "api".into()), (8, "api".into())],
        ..Constraints::default()
    };
    check(
        &ring_of_cliques(4, 4),
        &Settings::default(),
        &constraints,
        "[api] 0 1 2 3 8 | 4 5 6 7 | 9 10 11 | 12 13 14 15",
    );
}

#[test]
fn pinned_nodes_of_two_labels_never_share_a_cluster() {
    let constraints = Constraints {
        pinned: vec![(0, "left".into()), (3, "right".into())],
        ..Constraints::default()
    };
    let partition = run(&clique(6), &Settings::default(), &constraints);
    assert_ne!(partition.membership[0], partition.membership[3]);
    let left = partition.membership[0];
    assert_eq!(partition.labels[left].as_deref(), Some("left"));
}

#[test]
fn pinning_twice_to_one_label_is_harmless() {
    let constraints = Constraints {
        pinned: vec![(0, "api".into()), (0, "api".into())],
        ..Constraints::default()
    };
    check(
        &graph(4, "0-1 2-3"),
        &Settings::default(),
        &constraints,
        "[api] 0 1 | 2 3",
    );
}

#[test]
fn together_groups_end_in_one_cluster() {
    let constraints = Constraints {
        together: vec![vec![3, 12]],
        ..Constraints::default()
    };
    let partition = run(&ring_of_cliques(4, 4), &Settings::default(), &constraints);
    assert_eq!(partition.membership[3], partition.membership[12]);
}

#[test]
fn together_keeps_unconnected_nodes_in_one_cluster() {
    // Node 3 follows node 0; 4 and 5 score better on their own (Q 1/9) than joining (Q 0).
    let constraints = Constraints {
        together: vec![vec![0, 3]],
        ..Constraints::default()
    };
    check(
        &graph(6, "0-1 1-2 2-0 3-4 4-5 5-3"),
        &Settings::default(),
        &constraints,
        "0 1 2 3 | 4 5",
    );
}

#[test]
fn apart_pair_splits_a_clique() {
    let constraints = Constraints {
        apart: vec![vec![0, 1]],
        ..Constraints::default()
    };
    let partition = run(&clique(5), &Settings::default(), &constraints);
    assert_ne!(partition.membership[0], partition.membership[1]);
}

#[test]
fn apart_group_separates_every_pair() {
    let constraints = Constraints {
        apart: vec![vec![0, 1, 2]],
        ..Constraints::default()
    };
    let partition = run(&clique(6), &Settings::default(), &constraints);
    let clusters = [0, 1, 2].map(|node| partition.membership[node]);
    assert!(clusters[0] != clusters[1] && clusters[1] != clusters[2] && clusters[0] != clusters[2]);
}

#[test]
fn apart_holds_through_aggregation() {
    let (graph, _) = planted_blocks(4, 30, 0.5, 0.02, 3);
    let constraints = Constraints {
        apart: vec![vec![0, 1], vec![30, 31, 32], vec![60, 95]],
        ..Constraints::default()
    };
    for seed in 0..10 {
        let settings = Settings {
            seed,
            ..Settings::default()
        };
        let partition = run(&graph, &settings, &constraints);
        let cluster = |node: usize| partition.membership[node];
        assert_ne!(cluster(0), cluster(1), "seed {seed}");
        assert_ne!(cluster(30), cluster(31), "seed {seed}");
        assert_ne!(cluster(31), cluster(32), "seed {seed}");
        assert_ne!(cluster(30), cluster(32), "seed {seed}");
        assert_ne!(cluster(60), cluster(95), "seed {seed}");
    }
}

#[test]
fn fixed_clusters_take_every_node() {
    let constraints = Constraints {
        pinned: vec![(0, "a".into()), (8, "b".into())],
        fixed_clusters: Some(vec!["a".into(), "b".into()]),
        ..Constraints::default()
    };
    let partition = run(&ring_of_cliques(4, 4), &Settings::default(), &constraints);
    assert_eq!(partition.n_clusters, 2);
    assert_eq!(partition.labels, [Some("a".into()), Some("b".into())]);
    // The cliques stay whole: each lands with a neighbour.
    for clique_start in [0, 4, 8, 12] {
        let cluster = partition.membership[clique_start];
        assert!((clique_start..clique_start + 4).all(|node| partition.membership[node] == cluster));
    }
}

#[test]
fn fixed_clusters_without_pins_name_the_largest_clusters() {
    let constraints = Constraints {
        fixed_clusters: Some(vec!["x".into(), "y".into(), "z".into()]),
        ..Constraints::default()
    };
    check(
        &ring_of_cliques(3, 4),
        &Settings::default(),
        &constraints,
        "[x] 0 1 2 3 | [y] 4 5 6 7 | [z] 8 9 10 11",
    );
}

#[test]
fn fixed_clusters_absorb_leftover_clusters_by_connection() {
    // Two cliques pinned, a third joined to the second by three edges and to the first by one.
    let spec = "0-1 1-2 2-0 3-4 4-5 5-3 6-7 7-8 8-6 0-6 3-6 4-7 5-8 1-4";
    let constraints = Constraints {
        pinned: vec![(0, "a".into()), (3, "b".into())],
        fixed_clusters: Some(vec!["a".into(), "b".into()]),
        ..Constraints::default()
    };
    check(
        &graph(9, spec),
        &Settings::default(),
        &constraints,
        "[a] 0 1 2 | [b] 3 4 5 6 7 8",
    );
}

#[test]
fn fixed_clusters_respect_apart() {
    let constraints = Constraints {
        pinned: vec![(0, "a".into()), (3, "b".into())],
        apart: vec![vec![3, 6]],
        fixed_clusters: Some(vec!["a".into(), "b".into()]),
        ..Constraints::default()
    };
    let partition = run(
        &graph(9, "0-1 1-2 2-0 3-4 4-5 5-3 6-7 7-8 8-6 3-6 4-7 5-8 0-6"),
        &Settings::default(),
        &constraints,
    );
    assert_eq!(partition.n_clusters, 2);
    assert_eq!(partition.membership[6], partition.membership[0]);
}

#[test]
fn fixed_clusters_may_stay_empty() {
    let constraints = Constraints {
        fixed_clusters: Some(vec!["a".into(), "b".into(), "c".into()]),
        ..Constraints::default()
    };
    check(
        &graph(6, "0-1 1-2 2-0 3-4 4-5 5-3"),
        &Settings::default(),
        &constraints,
        "[a] 0 1 2 | [b] 3 4 5",
    );
}

#[test]
fn pinned_labels_with_unpinned_clusters_keep_both() {
    let constraints = Constraints {
        pinned: vec![(5, "orders".into())],
        ..Constraints::default()
    };
    check(
        &ring_of_cliques(3, 3),
        &Settings::default(),
        &constraints,
        "0 1 2 | [orders] 3 4 5 | 6 7 8",
    );
}

// ---------------------------------------------------------------------------------------------
// Conflicts

#[test]
fn pinning_to_two_labels_is_an_error() {
    let constraints = Constraints {
        pinned: vec![(2, "a".into()), (2, "b".into())],
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &Settings::default(),
        &constraints,
        "node 2 is pinned to both `a` and `b`",
    );
}

#[test]
fn together_and_apart_is_an_error() {
    let constraints = Constraints {
        together: vec![vec![0, 1], vec![1, 2]],
        apart: vec![vec![2, 0]],
        ..Constraints::default()
    };
    check_err(
        &clique(4),
        &Settings::default(),
        &constraints,
        "nodes 2 and 0 must be apart but also together (through together groups or one pinned label)",
    );
}

#[test]
fn one_label_and_apart_is_an_error() {
    let constraints = Constraints {
        pinned: vec![(0, "a".into()), (3, "a".into())],
        apart: vec![vec![0, 3]],
        ..Constraints::default()
    };
    check_err(
        &clique(4),
        &Settings::default(),
        &constraints,
        "nodes 0 and 3 must be apart but also together (through together groups or one pinned label)",
    );
}

#[test]
fn together_across_two_labels_is_an_error() {
    let constraints = Constraints {
        pinned: vec![(0, "a".into()), (3, "b".into())],
        together: vec![vec![0, 2], vec![2, 3]],
        ..Constraints::default()
    };
    check_err(
        &clique(4),
        &Settings::default(),
        &constraints,
        "nodes 0 (pinned to `a`) and 3 (pinned to `b`) must be together",
    );
}

#[test]
fn apart_from_itself_is_an_error() {
    let constraints = Constraints {
        apart: vec![vec![1, 2, 1]],
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &Settings::default(),
        &constraints,
        "node 1 appears twice in one apart group",
    );
}

#[test]
fn pinning_outside_the_fixed_clusters_is_an_error() {
    let constraints = Constraints {
        pinned: vec![(1, "c".into())],
        fixed_clusters: Some(vec!["a".into(), "b".into()]),
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &Settings::default(),
        &constraints,
        "node 1 is pinned to `c`, which is not one of the fixed clusters",
    );
}

#[test]
fn duplicate_fixed_cluster_is_an_error() {
    let constraints = Constraints {
        fixed_clusters: Some(vec!["a".into(), "a".into()]),
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &Settings::default(),
        &constraints,
        "fixed cluster `a` is listed twice",
    );
}

#[test]
fn node_apart_from_every_fixed_cluster_is_an_error() {
    let constraints = Constraints {
        pinned: vec![(0, "a".into())],
        apart: vec![vec![0, 2]],
        fixed_clusters: Some(vec!["a".into()]),
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &Settings::default(),
        &constraints,
        "no fixed cluster can take node 2: each holds a node it must be apart from",
    );
}

#[test]
fn empty_fixed_list_cannot_take_nodes() {
    let constraints = Constraints {
        fixed_clusters: Some(Vec::new()),
        ..Constraints::default()
    };
    check_err(
        &clique(2),
        &Settings::default(),
        &constraints,
        "no fixed cluster can take node 0: each holds a node it must be apart from",
    );
}

#[test]
fn constraint_outside_the_graph_is_an_error() {
    let constraints = Constraints {
        together: vec![vec![0, 7]],
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &Settings::default(),
        &constraints,
        "a constraint names node 7 outside 0..3",
    );
}

/// The example at the top of `docs/clustering.md`.
#[test]
fn documentation_example_holds() {
    let constraints = Constraints {
        pinned: vec![(0, "orders".into())],
        ..Constraints::default()
    };
    let settings = Settings {
        seed: 7,
        ..Settings::default()
    };
    check(
        &graph(6, "0-1:3 1-2:3 2-0:1 3-4:2 4-5:2 2-3:0.5"),
        &settings,
        &constraints,
        "[orders] 0 1 2 | 3 4 5",
    );
}
