//! Invalid input rejected with typed errors, and degenerate input (empty graph, single and
//! isolated nodes, zero-weight edges, self-loops) handled.

use super::{assert_close, check, check_err, clique, graph, run};
use crate::cluster::{Constraints, Error, Graph, Quality, Settings};

#[test]
fn invalid_resolution_is_an_error() {
    for resolution in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let settings = Settings {
            resolution,
            ..Settings::default()
        };
        let expected = format!("resolution {resolution} is not a finite positive number");
        check_err(&clique(3), &settings, &Constraints::default(), &expected);
    }
}

#[test]
fn zero_iterations_is_an_error() {
    let settings = Settings {
        max_iterations: 0,
        ..Settings::default()
    };
    check_err(
        &clique(3),
        &settings,
        &Constraints::default(),
        "max_iterations is 0; at least one iteration is needed",
    );
}

#[test]
fn invalid_edges_are_errors_naming_the_edge() {
    type Edges<'a> = &'a [(usize, usize, f64)];
    let cases: [(Edges, Error); 4] = [
        (
            &[(0, 3, 1.0)],
            Error::EdgeOutOfRange {
                from: 0,
                to: 3,
                n_nodes: 3,
            },
        ),
        (
            &[(1, 2, -0.5)],
            Error::InvalidEdgeWeight {
                from: 1,
                to: 2,
                weight: -0.5,
            },
        ),
        (
            &[(2, 2, f64::INFINITY)],
            Error::InvalidEdgeWeight {
                from: 2,
                to: 2,
                weight: f64::INFINITY,
            },
        ),
        (&[(0, 1, f64::MAX), (1, 2, f64::MAX)], Error::WeightOverflow),
    ];
    for (edges, expected) in cases {
        assert_eq!(Graph::from_edges(3, edges).unwrap_err(), expected);
    }
    let nan = Graph::from_edges(3, &[(0, 1, f64::NAN)]).unwrap_err();
    assert_eq!(
        nan.to_string(),
        "edge 0 -> 1 has weight NaN; weights must be finite and not negative"
    );
}

#[test]
fn invalid_node_sizes_are_errors() {
    for size in [0.0, -2.0, f64::NAN] {
        let error = Graph::with_node_sizes(&[1.0, size], &[]).unwrap_err();
        assert!(matches!(error, Error::InvalidNodeSize { node: 1, .. }));
        assert_eq!(
            error.to_string(),
            format!("node 1 has size {size}; sizes must be finite and positive")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Degenerate inputs

#[test]
fn empty_graph_has_no_clusters() {
    let partition = run(&graph(0, ""), &Settings::default(), &Constraints::default());
    assert_eq!(partition.n_clusters, 0);
    assert!(partition.membership.is_empty());
    assert_eq!(partition.quality, 0.0);
}

#[test]
fn single_node_is_one_cluster() {
    check(
        &graph(1, ""),
        &Settings::default(),
        &Constraints::default(),
        "0",
    );
}

#[test]
fn isolated_nodes_stay_alone() {
    check(
        &graph(5, "1-2 2-3 3-1"),
        &Settings::default(),
        &Constraints::default(),
        "0 | 1 2 3 | 4",
    );
}

#[test]
fn zero_weight_edges_connect_nothing() {
    let graph = graph(4, "0-1:0 1-2:0 2-3:0");
    assert_eq!(graph.n_edges(), 0);
    check(
        &graph,
        &Settings::default(),
        &Constraints::default(),
        "0 | 1 | 2 | 3",
    );
}

#[test]
fn self_loops_count_inside_their_node() {
    // Each node holds weight 1 on its own, joined by 1: Q(apart) = 1/6 > Q(together) = 0.
    let graph = graph(2, "0-0 1-1 0-1");
    assert_eq!(graph.self_loop(0), 1.0);
    let partition = run(&graph, &Settings::default(), &Constraints::default());
    assert_eq!(partition.n_clusters, 2);
    assert_close(partition.quality, 1.0 / 6.0);
}

#[test]
fn both_directions_of_an_edge_add_up() {
    let graph = graph(3, "0-1:1 1-0:2 1-2:0.5 1-2:0.5");
    assert_eq!(graph.neighbors(1).collect::<Vec<_>>(), [(0, 3.0), (2, 1.0)]);
    assert_close(graph.total_weight(), 4.0);
}

#[test]
fn graph_without_edges_gives_singletons_under_cpm() {
    let settings = Settings {
        quality: Quality::Cpm,
        ..Settings::default()
    };
    check(
        &graph(3, ""),
        &settings,
        &Constraints::default(),
        "0 | 1 | 2",
    );
}
