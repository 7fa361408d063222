//! A deterministic two-level force-directed layout for the graph of candidates and modules.
//!
//! First each group (candidate, kernel, unassigned) becomes a disc whose area grows with its
//! module count, and the discs are placed by a Fruchterman–Reingold simulation in which the
//! fused weight between two groups pulls them together, then pushed apart until none overlap.
//! Then the modules of each group are placed inside its disc by the same kind of simulation
//! over the edges within the group, with a small pull towards the groups each module has ties
//! to, so that edges leaving a disc start on the side they are going to.
//!
//! Deterministic on every platform: the start positions are grids (no random numbers, no
//! trigonometry), the simulations run a fixed number of steps in index order, and they use
//! only `+ - * /` and `sqrt`, which IEEE 754 rounds the same way everywhere. It knows nothing
//! of names or colours, only indices and weights.

/// Distance the layout aims for between two neighbouring modules, in SVG units.
const NODE_SPACING: f64 = 52.0;
/// Room inside a disc's rim for a node's circle and label.
const GROUP_PADDING: f64 = 24.0;
/// Smallest gap between two discs.
const GROUP_GAP: f64 = 36.0;
/// Space around the drawing for the group labels above the discs.
const MARGIN: f64 = 40.0;
/// Pair interactions a group's module simulation may spend in total (steps times pairs).
const MODULE_BUDGET: f64 = 3.0e7;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub(super) x: f64,
    pub(super) y: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Disc {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) r: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub(super) groups: Vec<Disc>,
    pub(super) nodes: Vec<Point>,
    /// The drawing's box: `(min_x, min_y, width, height)`.
    pub(super) bounds: (f64, f64, f64, f64),
}

/// Lays out `group_of.len()` nodes in `n_groups` groups; `group_of[node]` is below
/// `n_groups`, and edges are `(a, b, weight)` with node indices and non-negative weights.
pub(super) fn layout(n_groups: usize, group_of: &[usize], edges: &[(usize, usize, f64)]) -> Layout {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for (node, &group) in group_of.iter().enumerate() {
        members[group].push(node);
    }
    let radii: Vec<f64> = members
        .iter()
        .map(|nodes| NODE_SPACING * 0.6 * (nodes.len() as f64).sqrt() + GROUP_PADDING)
        .collect();
    let mut between = vec![vec![0.0; n_groups]; n_groups];
    for &(a, b, weight) in edges {
        let (group_a, group_b) = (group_of[a], group_of[b]);
        if group_a != group_b {
            between[group_a][group_b] += weight;
            between[group_b][group_a] += weight;
        }
    }
    let groups = place_groups(&radii, &between);

    let mut nodes = vec![Point { x: 0.0, y: 0.0 }; group_of.len()];
    let max_weight = edges.iter().map(|edge| edge.2).fold(0.0_f64, f64::max);
    for (group, nodes_in_group) in members.iter().enumerate() {
        let placed = place_members(group, nodes_in_group, &groups, group_of, edges, max_weight);
        for (&node, point) in nodes_in_group.iter().zip(placed) {
            nodes[node] = point;
        }
    }

    let (mut min_x, mut min_y, mut max_x, mut max_y) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    for (position, disc) in groups.iter().enumerate() {
        let (left, top) = (disc.x - disc.r, disc.y - disc.r);
        let (right, bottom) = (disc.x + disc.r, disc.y + disc.r);
        if position == 0 {
            (min_x, min_y, max_x, max_y) = (left, top, right, bottom);
        } else {
            (min_x, min_y) = (min_x.min(left), min_y.min(top));
            (max_x, max_y) = (max_x.max(right), max_y.max(bottom));
        }
    }
    let bounds = (
        round(min_x - MARGIN),
        round(min_y - MARGIN),
        round(max_x - min_x + 2.0 * MARGIN),
        round(max_y - min_y + 2.0 * MARGIN),
    );
    Layout {
        groups: groups
            .into_iter()
            .map(|disc| Disc {
                x: round(disc.x),
                y: round(disc.y),
                r: round(disc.r),
            })
            .collect(),
        nodes: nodes
            .into_iter()
            .map(|point| Point {
                x: round(point.x),
                y: round(point.y),
            })
            .collect(),
        bounds,
    }
}

/// Rounds to a tenth: what the page prints, so the layout is compared at that precision.
fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The unit vector along `(dx, dy)` and its length, with a fixed direction chosen by `tie`
/// when the vector is (nearly) zero, so coincident points still separate deterministically.
fn direction(dx: f64, dy: f64, tie: usize) -> (f64, f64, f64) {
    let distance = (dx * dx + dy * dy).sqrt();
    if distance > 1e-6 {
        return (dx / distance, dy / distance, distance);
    }
    // Coincident points: spread along a fixed, index-dependent direction.
    let (ux, uy) = match tie % 4 {
        0 => (1.0, 0.0),
        1 => (0.0, 1.0),
        2 => (-1.0, 0.0),
        _ => (0.0, -1.0),
    };
    (ux, uy, 1e-6)
}

/// Grid cell `position` of a `columns`-wide grid centred on the origin with `spacing`.
fn grid(position: usize, count: usize, spacing: f64) -> Point {
    let columns = (1..=count).find(|c| c * c >= count).unwrap_or(1);
    let rows = count.div_ceil(columns);
    let (column, row) = (position % columns, position / columns);
    Point {
        x: (column as f64 - (columns as f64 - 1.0) / 2.0) * spacing,
        y: (row as f64 - (rows as f64 - 1.0) / 2.0) * spacing,
    }
}

fn place_groups(radii: &[f64], between: &[Vec<f64>]) -> Vec<Disc> {
    let count = radii.len();
    let largest = radii.iter().copied().fold(0.0_f64, f64::max);
    let cell = 2.0 * largest + GROUP_GAP;
    let mut discs: Vec<Disc> = (0..count)
        .map(|group| {
            let start = grid(group, count, cell);
            Disc {
                x: start.x,
                y: start.y,
                r: radii[group],
            }
        })
        .collect();
    let strongest = between.iter().flatten().copied().fold(0.0_f64, f64::max);
    const STEPS: usize = 300;
    for step in 0..STEPS {
        let temperature = cell * 0.2 * (1.0 - step as f64 / STEPS as f64) + 1.0;
        let mut moves = vec![(0.0, 0.0); count];
        for a in 0..count {
            for b in a + 1..count {
                let (ux, uy, distance) =
                    direction(discs[a].x - discs[b].x, discs[a].y - discs[b].y, a + b);
                let contact = discs[a].r + discs[b].r + GROUP_GAP;
                // Repulsion fades to nothing at 1.5 contact distances, so that gravity keeps
                // groups without ties (the kernel, say) next to the others, not in a corner.
                let mut push = (contact * contact / distance - contact / 1.5).max(0.0);
                if distance < contact {
                    push += 2.0 * (contact - distance);
                }
                if between[a][b] > 0.0 {
                    let pull = 0.2 + between[a][b] / strongest;
                    push -= pull * distance * distance / contact;
                }
                moves[a].0 += ux * push;
                moves[a].1 += uy * push;
                moves[b].0 -= ux * push;
                moves[b].1 -= uy * push;
            }
        }
        for (disc, (mut dx, mut dy)) in discs.iter_mut().zip(moves) {
            // Gravity keeps groups with no ties from drifting off.
            dx -= 0.05 * disc.x;
            dy -= 0.05 * disc.y;
            let (ux, uy, length) = direction(dx, dy, 0);
            let length = length.min(temperature);
            disc.x += ux * length;
            disc.y += uy * length;
        }
    }
    // Settle: separate any discs that still overlap.
    for _ in 0..200 {
        let mut moved = false;
        for a in 0..count {
            for b in a + 1..count {
                let (ux, uy, distance) =
                    direction(discs[a].x - discs[b].x, discs[a].y - discs[b].y, a + b);
                let contact = discs[a].r + discs[b].r + GROUP_GAP;
                if distance < contact - 0.01 {
                    let half = (contact - distance) / 2.0 + 0.01;
                    discs[a].x += ux * half;
                    discs[a].y += uy * half;
                    discs[b].x -= ux * half;
                    discs[b].y -= uy * half;
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    discs
}

/// Positions of `nodes` (the members of `group`, in order) inside the group's disc.
fn place_members(
    group: usize,
    nodes: &[usize],
    discs: &[Disc],
    group_of: &[usize],
    edges: &[(usize, usize, f64)],
    max_weight: f64,
) -> Vec<Point> {
    let disc = discs[group];
    let inner = (disc.r - GROUP_PADDING).max(0.0);
    let count = nodes.len();
    if count <= 1 {
        return vec![
            Point {
                x: disc.x,
                y: disc.y
            };
            count
        ];
    }
    let local_of = |node: usize| nodes.binary_search(&node).ok();
    let spacing = inner * 1.4 / (1..=count).find(|c| c * c >= count).unwrap_or(1) as f64;
    let mut points: Vec<Point> = (0..count)
        .map(|position| {
            let offset = grid(position, count, spacing);
            Point {
                x: disc.x + offset.x,
                y: disc.y + offset.y,
            }
        })
        .collect();

    // Edges inside the group, and each member's pull towards the groups it is tied to.
    let mut inside: Vec<(usize, usize, f64)> = Vec::new();
    let mut outward = vec![(0.0, 0.0); count];
    let max_weight = if max_weight > 0.0 { max_weight } else { 1.0 };
    for &(a, b, weight) in edges {
        match (local_of(a), local_of(b)) {
            (Some(x), Some(y)) => inside.push((x, y, weight)),
            (Some(x), None) | (None, Some(x)) => {
                let other = discs[group_of[if local_of(a).is_some() { b } else { a }]];
                let (ux, uy, _) = direction(other.x - disc.x, other.y - disc.y, x);
                outward[x].0 += ux * weight / max_weight;
                outward[x].1 += uy * weight / max_weight;
            }
            (None, None) => {}
        }
    }
    // A gentle pull: at most a quarter of the ideal distance per step, whatever the weights.
    for pull in &mut outward {
        let length = (pull.0 * pull.0 + pull.1 * pull.1).sqrt();
        let scale = 0.25 / length.max(1.0);
        *pull = (pull.0 * scale, pull.1 * scale);
    }
    let strongest_inside = inside.iter().map(|edge| edge.2).fold(0.0_f64, f64::max);

    let ideal = NODE_SPACING * 1.1;
    let pairs = (count * (count - 1) / 2) as f64;
    let steps = (MODULE_BUDGET / pairs).clamp(40.0, 250.0) as usize;
    for step in 0..steps {
        let temperature = inner * 0.3 * (1.0 - step as f64 / steps as f64) + 0.5;
        let mut moves = vec![(0.0, 0.0); count];
        for a in 0..count {
            for b in a + 1..count {
                let (ux, uy, distance) =
                    direction(points[a].x - points[b].x, points[a].y - points[b].y, a + b);
                let push = ideal * ideal / distance;
                moves[a].0 += ux * push;
                moves[a].1 += uy * push;
                moves[b].0 -= ux * push;
                moves[b].1 -= uy * push;
            }
        }
        for &(a, b, weight) in &inside {
            let (ux, uy, distance) =
                direction(points[a].x - points[b].x, points[a].y - points[b].y, a + b);
            let pull = (0.3 + 0.7 * weight / strongest_inside) * distance * distance / ideal;
            moves[a].0 -= ux * pull;
            moves[a].1 -= uy * pull;
            moves[b].0 += ux * pull;
            moves[b].1 += uy * pull;
        }
        for (position, point) in points.iter_mut().enumerate() {
            let (mut dx, mut dy) = moves[position];
            dx += outward[position].0 * ideal - 0.02 * (point.x - disc.x);
            dy += outward[position].1 * ideal - 0.02 * (point.y - disc.y);
            let (ux, uy, length) = direction(dx, dy, position);
            let length = length.min(temperature);
            point.x += ux * length;
            point.y += uy * length;
            // Stay inside the disc.
            let (rx, ry) = (point.x - disc.x, point.y - disc.y);
            let from_centre = (rx * rx + ry * ry).sqrt();
            if from_centre > inner {
                point.x = disc.x + rx / from_centre * inner;
                point.y = disc.y + ry / from_centre * inner;
            }
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }

    #[test]
    fn discs_do_not_overlap_and_nodes_stay_inside_their_disc() {
        let group_of = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3];
        let edges = [
            (0, 1, 3.0),
            (1, 2, 1.0),
            (2, 3, 0.5),
            (3, 4, 2.0),
            (5, 6, 0.1),
            (6, 7, 4.0),
            (8, 9, 1.0),
        ];
        let layout = layout(4, &group_of, &edges);
        for (a, disc_a) in layout.groups.iter().enumerate() {
            for disc_b in &layout.groups[a + 1..] {
                let gap =
                    distance((disc_a.x, disc_a.y), (disc_b.x, disc_b.y)) - disc_a.r - disc_b.r;
                assert!(gap > GROUP_GAP - 1.0, "{:?}", layout.groups);
            }
        }
        for (node, point) in layout.nodes.iter().enumerate() {
            let disc = layout.groups[group_of[node]];
            assert!(distance((point.x, point.y), (disc.x, disc.y)) <= disc.r - GROUP_PADDING + 0.1);
        }
    }

    #[test]
    fn groups_without_ties_stay_near_the_others() {
        // Two tied groups of five, then two groups with no edge at all.
        let group_of = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3];
        let edges = [(0, 1, 1.0), (1, 5, 2.0), (5, 6, 1.0), (2, 7, 1.0)];
        let layout = layout(4, &group_of, &edges);
        let discs = &layout.groups;
        // Each disc's nearest neighbour is closer than the two discs' contact distance.
        for (a, disc_a) in discs.iter().enumerate() {
            let slack = discs
                .iter()
                .enumerate()
                .filter(|(b, _)| *b != a)
                .map(|(_, disc_b)| {
                    let gap =
                        distance((disc_a.x, disc_a.y), (disc_b.x, disc_b.y)) - disc_a.r - disc_b.r;
                    gap - (disc_a.r + disc_b.r + GROUP_GAP)
                })
                .fold(f64::INFINITY, f64::min);
            assert!(slack < 0.0, "group {a}: {discs:?}");
        }
    }

    #[test]
    fn modules_of_a_group_are_spread_out() {
        let group_of = [0; 12];
        let layout = layout(1, &group_of, &[(0, 1, 1.0), (2, 3, 1.0)]);
        for (a, point_a) in layout.nodes.iter().enumerate() {
            for point_b in &layout.nodes[a + 1..] {
                assert!(
                    distance((point_a.x, point_a.y), (point_b.x, point_b.y)) > 10.0,
                    "{:?}",
                    layout.nodes
                );
            }
        }
    }

    #[test]
    fn the_same_input_gives_the_same_layout_and_empty_groups_work() {
        let group_of = [0, 1, 1, 3];
        let edges = [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 1.0)];
        assert_eq!(layout(4, &group_of, &edges), layout(4, &group_of, &edges));
        let empty = layout(0, &[], &[]);
        assert!(empty.nodes.is_empty() && empty.groups.is_empty());
    }
}
