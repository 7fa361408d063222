//! The two matching problems behind the partition comparisons: a maximum-cardinality bipartite
//! matching (MoJo's tie-breaking between equally good target clusters) and a maximum-weight
//! one-to-one assignment (a2a's best pairing of clusters by shared nodes).
//!
//! Plain textbook algorithms, iterative so that deep inputs cannot overflow the stack, sized for
//! cluster counts (hundreds, not millions): augmenting paths in O(V * E), and the Hungarian
//! method with potentials in O(n^2 * m) for an n-by-m matrix, n <= m.

use std::collections::VecDeque;

/// The size of a maximum matching between left vertices `0..adjacency.len()` and right
/// vertices `0..n_right`, where `adjacency[left]` lists the right vertices `left` may take.
pub(crate) fn maximum_matching(adjacency: &[Vec<usize>], n_right: usize) -> usize {
    let mut right_of_left: Vec<Option<usize>> = vec![None; adjacency.len()];
    let mut left_of_right: Vec<Option<usize>> = vec![None; n_right];
    let mut size = 0;
    for start in 0..adjacency.len() {
        // Breadth-first search for an augmenting path from the unmatched `start`, remembering
        // through which left vertex each right vertex was reached.
        let mut reached_from: Vec<Option<usize>> = vec![None; n_right];
        let mut queue = VecDeque::from([start]);
        let mut free_right = None;
        'search: while let Some(left) = queue.pop_front() {
            for &right in &adjacency[left] {
                if reached_from[right].is_some() {
                    continue;
                }
                reached_from[right] = Some(left);
                match left_of_right[right] {
                    None => {
                        free_right = Some(right);
                        break 'search;
                    }
                    Some(next_left) => queue.push_back(next_left),
                }
            }
        }
        // Flip the path: each left vertex on it takes the right vertex it reached, and hands
        // its previous right vertex back one step, until `start` (which had none).
        let mut right_cursor = free_right;
        while let Some(right) = right_cursor {
            let Some(left) = reached_from[right] else {
                break;
            };
            right_cursor = right_of_left[left];
            right_of_left[left] = Some(right);
            left_of_right[right] = Some(left);
        }
        if free_right.is_some() {
            size += 1;
        }
    }
    size
}

/// The largest total weight of a one-to-one assignment between the rows and the columns of
/// `weights` (rows of equal length; unpaired rows or columns add nothing).
pub(crate) fn maximum_weight_assignment(weights: &[Vec<usize>]) -> usize {
    let n_rows = weights.len();
    let n_columns = weights.first().map_or(0, Vec::len);
    if n_rows == 0 || n_columns == 0 {
        return 0;
    }
    // The method below wants no more rows than columns, and minimises a cost.
    let (n_small, n_large) = (n_rows.min(n_columns), n_rows.max(n_columns));
    let weight = |small: usize, large: usize| -> i64 {
        let value = if n_rows <= n_columns {
            weights[small][large]
        } else {
            weights[large][small]
        };
        // Weights here count nodes, far below `i64::MAX / 4`; saturate rather than wrap.
        i64::try_from(value).unwrap_or(i64::MAX / 4)
    };
    let cost = |small: usize, large: usize| -weight(small, large);
    let assignment = minimum_cost_assignment(n_small, n_large, cost);
    assignment
        .iter()
        .enumerate()
        .map(|(small, &large)| usize::try_from(weight(small, large)).unwrap_or(0))
        .sum()
}

/// Hungarian method with row and column potentials: for `n_rows <= n_columns`, the column
/// assigned to each row in an assignment of minimum total `cost(row, column)`.
fn minimum_cost_assignment(
    n_rows: usize,
    n_columns: usize,
    cost: impl Fn(usize, usize) -> i64,
) -> Vec<usize> {
    const UNREACHED: i64 = i64::MAX / 2;
    // Column index `n_columns` is a virtual column from which each new row's search starts.
    let virtual_column = n_columns;
    let mut row_potential = vec![0i64; n_rows];
    let mut column_potential = vec![0i64; n_columns + 1];
    let mut row_of_column: Vec<Option<usize>> = vec![None; n_columns + 1];
    let mut previous_column = vec![virtual_column; n_columns + 1];
    for row in 0..n_rows {
        row_of_column[virtual_column] = Some(row);
        let mut column = virtual_column;
        let mut slack = vec![UNREACHED; n_columns];
        let mut in_tree = vec![false; n_columns + 1];
        // Grow a tree of tight edges (Dijkstra on reduced costs) until it reaches a free column.
        while let Some(tree_row) = row_of_column[column] {
            in_tree[column] = true;
            let mut delta = UNREACHED;
            let mut next_column = virtual_column;
            for candidate in 0..n_columns {
                if in_tree[candidate] {
                    continue;
                }
                let reduced = cost(tree_row, candidate)
                    - row_potential[tree_row]
                    - column_potential[candidate];
                if reduced < slack[candidate] {
                    slack[candidate] = reduced;
                    previous_column[candidate] = column;
                }
                if slack[candidate] < delta {
                    delta = slack[candidate];
                    next_column = candidate;
                }
            }
            for candidate in 0..=n_columns {
                if in_tree[candidate] {
                    if let Some(assigned_row) = row_of_column[candidate] {
                        row_potential[assigned_row] += delta;
                    }
                    column_potential[candidate] -= delta;
                } else {
                    slack[candidate] -= delta;
                }
            }
            column = next_column;
        }
        // Augment along the tree back to the virtual column.
        while column != virtual_column {
            let previous = previous_column[column];
            row_of_column[column] = row_of_column[previous];
            column = previous;
        }
    }
    let mut column_of_row = vec![0; n_rows];
    for (column, row) in row_of_column.iter().enumerate().take(n_columns) {
        if let Some(row) = *row {
            column_of_row[row] = column;
        }
    }
    column_of_row
}
