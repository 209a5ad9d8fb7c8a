//! Dependency cycles among tasks: found once, iteratively, for the store (which refuses a
//! write that would close one) and the workflows (which name the tasks of one met in
//! stored data).
//!
//! ```
//! use std::collections::BTreeMap;
//! use lifeos_core::TaskId;
//! use lifeos_core::dependency::find_cycle;
//!
//! let [a, b, c] = [1u128, 2, 3].map(|n| TaskId::from_uuid(uuid::Uuid::from_u128(n)));
//! let mut graph = BTreeMap::from([(a, vec![b]), (b, vec![c])]);
//! assert_eq!(find_cycle(&graph, [a]), None);
//! graph.insert(c, vec![a]);
//! assert_eq!(find_cycle(&graph, [a]), Some(vec![a, b, c]));
//! ```

use std::collections::{BTreeMap, BTreeSet};

use crate::id::TaskId;

/// A dependency cycle reachable from one of `starts` in `graph` (each task's
/// `depends_on`; a task missing from the map has none): the tasks along it, each
/// depending on the next and the last on the first, starting at the lowest id on it so the
/// same cycle is always named alike. `None` when no start reaches a cycle.
///
/// Iterative depth-first search: the stack depth is constant whatever the chain length,
/// and each task is visited once (O(tasks + dependencies)).
pub fn find_cycle(
    graph: &BTreeMap<TaskId, Vec<TaskId>>,
    starts: impl IntoIterator<Item = TaskId>,
) -> Option<Vec<TaskId>> {
    const NONE: &[TaskId] = &[];
    let deps = |id: &TaskId| graph.get(id).map_or(NONE, Vec::as_slice);
    let mut done: BTreeSet<TaskId> = BTreeSet::new();
    for start in starts {
        if done.contains(&start) {
            continue;
        }
        // The current path, each task with the index of its next dependency to visit.
        let mut path: Vec<(TaskId, usize)> = vec![(start, 0)];
        let mut on_path: BTreeSet<TaskId> = BTreeSet::from([start]);
        while let Some((task, next)) = path.last_mut() {
            let task = *task;
            match deps(&task).get(*next) {
                Some(&dep) => {
                    *next += 1;
                    if on_path.contains(&dep) {
                        let from = path.iter().position(|(t, _)| *t == dep).unwrap_or(0);
                        let mut cycle: Vec<TaskId> = path[from..].iter().map(|(t, _)| *t).collect();
                        let lowest = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                        cycle.rotate_left(lowest);
                        return Some(cycle);
                    }
                    if !done.contains(&dep) {
                        on_path.insert(dep);
                        path.push((dep, 0));
                    }
                }
                None => {
                    on_path.remove(&task);
                    done.insert(task);
                    path.pop();
                }
            }
        }
    }
    None
}

/// The tasks of a cycle for a person: `"A" → "B" → "A"`, each by its title when `title`
/// knows it, else by its id.
pub fn describe_cycle(cycle: &[TaskId], title: impl Fn(TaskId) -> Option<String>) -> String {
    let name = |id: TaskId| title(id).map_or_else(|| id.to_string(), |t| format!("{t:?}"));
    let mut parts: Vec<String> = cycle.iter().map(|&id| name(id)).collect();
    if let Some(&first) = cycle.first() {
        parts.push(name(first));
    }
    parts.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> TaskId {
        TaskId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn a_self_loop_and_a_long_cycle_are_found_from_any_start() {
        let graph = BTreeMap::from([(id(1), vec![id(1)])]);
        assert_eq!(find_cycle(&graph, [id(1)]), Some(vec![id(1)]));
        // 1 → 2 → ... → 10,000 → 1: no recursion, so no stack overflow.
        let n = 10_000u128;
        let graph: BTreeMap<_, _> = (1..=n)
            .map(|i| (id(i), vec![id(if i == n { 1 } else { i + 1 })]))
            .collect();
        let cycle = find_cycle(&graph, [id(5_000)]).unwrap();
        assert_eq!(cycle.len(), 10_000);
        assert_eq!((cycle[0], cycle[1], cycle[9_999]), (id(1), id(2), id(n)));
    }

    #[test]
    fn a_diamond_and_unknown_ids_are_no_cycle() {
        let graph = BTreeMap::from([
            (id(1), vec![id(2), id(3)]),
            (id(2), vec![id(4)]),
            (id(3), vec![id(4), id(99)]),
        ]);
        assert_eq!(find_cycle(&graph, [id(1), id(2), id(3), id(4)]), None);
    }

    #[test]
    fn only_cycles_reachable_from_the_starts_count() {
        let graph = BTreeMap::from([
            (id(1), vec![id(2)]),
            (id(3), vec![id(4)]),
            (id(4), vec![id(3)]),
        ]);
        assert_eq!(find_cycle(&graph, [id(1)]), None);
        assert_eq!(find_cycle(&graph, [id(1), id(4)]), Some(vec![id(3), id(4)]));
    }

    #[test]
    fn a_cycle_is_described_by_title_or_id() {
        let cycle = [id(1), id(2)];
        let text = describe_cycle(&cycle, |t| (t == id(1)).then(|| "Write".to_owned()));
        assert_eq!(text, format!("\"Write\" → {} → \"Write\"", id(2)));
    }
}
