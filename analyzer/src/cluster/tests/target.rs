//! The search for a resolution giving a target number of clusters.

use super::{
    adjusted_rand_index, check, check_err, clique, graph, planted_blocks, ring_of_cliques, run,
};
use crate::cluster::{Constraints, Quality, Settings};

#[test]
fn target_count_hits_k_on_planted_graphs() {
    for blocks in [2, 3, 4, 6, 8] {
        let (graph, truth) = planted_blocks(blocks, 25, 0.4, 0.02, blocks as u64);
        let settings = Settings {
            target_clusters: Some(blocks),
            ..Settings::default()
        };
        let partition = run(&graph, &settings, &Constraints::default());
        assert_eq!(partition.n_clusters, blocks);
        let score = adjusted_rand_index(&partition.membership, &truth);
        assert!(score > 0.95, "{blocks} blocks: ARI {score}");
    }
}

#[test]
fn target_count_hits_k_with_cpm() {
    let settings = Settings {
        quality: Quality::Cpm,
        target_clusters: Some(6),
        ..Settings::default()
    };
    check(
        &ring_of_cliques(6, 3),
        &settings,
        &Constraints::default(),
        "0 1 2 | 3 4 5 | 6 7 8 | 9 10 11 | 12 13 14 | 15 16 17",
    );
}

#[test]
fn target_count_below_the_natural_count_merges_neighbours() {
    let settings = Settings {
        target_clusters: Some(3),
        ..Settings::default()
    };
    let partition = run(&ring_of_cliques(6, 4), &settings, &Constraints::default());
    assert_eq!(partition.n_clusters, 3);
}

#[test]
fn target_search_reports_the_resolution_it_used() {
    let (graph, _) = planted_blocks(4, 20, 0.5, 0.03, 1);
    let settings = Settings {
        target_clusters: Some(4),
        ..Settings::default()
    };
    let searched = run(&graph, &settings, &Constraints::default());
    let again = Settings {
        resolution: searched.resolution,
        target_clusters: None,
        ..Settings::default()
    };
    assert_eq!(run(&graph, &again, &Constraints::default()), searched);
}

#[test]
fn target_above_the_node_count_gives_singletons() {
    let settings = Settings {
        target_clusters: Some(50),
        ..Settings::default()
    };
    check(
        &graph(4, "0-1 1-2 2-3"),
        &settings,
        &Constraints::default(),
        "0 | 1 | 2 | 3",
    );
}

#[test]
fn target_below_the_component_count_gives_the_components() {
    let settings = Settings {
        target_clusters: Some(1),
        ..Settings::default()
    };
    check(
        &graph(6, "0-1 1-2 2-0 3-4 4-5 5-3"),
        &settings,
        &Constraints::default(),
        "0 1 2 | 3 4 5",
    );
}

#[test]
fn target_on_a_graph_without_edges_gives_singletons() {
    let settings = Settings {
        target_clusters: Some(2),
        ..Settings::default()
    };
    check(
        &graph(3, ""),
        &settings,
        &Constraints::default(),
        "0 | 1 | 2",
    );
}

#[test]
fn target_with_fixed_clusters_is_an_error() {
    let settings = Settings {
        target_clusters: Some(2),
        ..Settings::default()
    };
    let constraints = Constraints {
        fixed_clusters: Some(vec!["a".into(), "b".into()]),
        ..Constraints::default()
    };
    check_err(
        &clique(3),
        &settings,
        &constraints,
        "a target number of clusters cannot be combined with fixed clusters",
    );
}
