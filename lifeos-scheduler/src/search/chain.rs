//! Dependency chains of the local search: the free tasks a task waits for, transitively,
//! that are not scheduled yet. A neighbourhood takes a task only with its whole chain, and
//! holds at most a dozen tasks, while a day may hold a chain of thousands: so chains are
//! walked iteratively, never further than a neighbourhood's size, and a lower bound on each
//! chain's length, one pass over the dependencies per plan, refuses most long ones unwalked.

use super::Plan;
use crate::model::{Day, Kind};

/// Every task, each after all the tasks it depends on (Kahn's algorithm). A cycle cannot
/// pass the request's check; were there one, its tasks would come last, by index.
pub(super) fn topological(day: &Day) -> Vec<usize> {
    let n = day.tasks.len();
    let mut waiting: Vec<usize> = day.tasks.iter().map(|t| t.deps.len()).collect();
    let mut order: Vec<usize> = (0..n).filter(|&c| waiting[c] == 0).collect();
    let mut i = 0;
    while i < order.len() {
        let c = order[i];
        for &d in &day.tasks[c].dependents {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                order.push(d);
            }
        }
        i += 1;
    }
    if order.len() < n {
        order.extend((0..n).filter(|&c| waiting[c] > 0));
    }
    order
}

/// Whether `closure` follows task `d`: free and not scheduled in `plan`.
fn pending(day: &Day, plan: &Plan, d: usize) -> bool {
    day.tasks[d].kind == Kind::Free && plan.slot[d].is_none()
}

/// For every task, a lower bound on the length of its chain in `plan` (what [`closure`]
/// returns), saturated at `cap + 1`: the longer of one plus its pending dependencies and
/// one plus the longest chain bound among them. `topo` is [`topological`]'s order.
pub(super) fn floors(day: &Day, plan: &Plan, topo: &[usize], cap: usize) -> Vec<usize> {
    let mut floor = vec![0usize; day.tasks.len()];
    let mut done = vec![false; day.tasks.len()];
    for &c in topo {
        let (mut count, mut longest) = (0usize, 0usize);
        for &d in &day.tasks[c].deps {
            if pending(day, plan, d) {
                count += 1;
                // Only a dependency already bounded counts (all of them, without a cycle).
                if done[d] {
                    longest = longest.max(floor[d]);
                }
            }
        }
        floor[c] = (1 + count.max(longest)).min(cap + 1);
        done[c] = true;
    }
    floor
}

/// The free tasks that `c` needs and that are not scheduled in `plan`, transitively, `c`
/// included, dependencies first (depth-first post-order), into `out`; false, with `out`
/// partial, when they are more than `limit`. It stops as soon as it has seen `limit + 1`
/// tasks, so its stack never holds more than `limit`.
pub(super) fn closure(
    day: &Day,
    plan: &Plan,
    c: usize,
    limit: usize,
    out: &mut Vec<usize>,
) -> bool {
    out.clear();
    // Tasks being visited, with the index of the next dependency to look at.
    let mut stack: Vec<(usize, usize)> = vec![(c, 0)];
    while let Some(&(x, next)) = stack.last() {
        let deps = &day.tasks[x].deps;
        let found = deps[next..].iter().position(|&d| {
            pending(day, plan, d) && !out.contains(&d) && !stack.iter().any(|&(y, _)| y == d)
        });
        match found {
            Some(i) => {
                if let Some(top) = stack.last_mut() {
                    top.1 = next + i + 1;
                }
                if out.len() + stack.len() >= limit {
                    return false;
                }
                stack.push((deps[next + i], 0));
            }
            None => {
                stack.pop();
                out.push(x);
            }
        }
    }
    true
}

/// Adds `c` with its unscheduled dependencies to `set` when they all fit in `k`. `floor` is
/// [`floors`] for `plan` with a cap of at least `k`.
pub(super) fn add_chain(
    day: &Day,
    plan: &Plan,
    floor: &[usize],
    set: &mut Vec<usize>,
    c: usize,
    k: usize,
) -> bool {
    // The chain less the tasks already in `set` must fit in `k - set.len()`, so the whole
    // chain has at most `k` tasks.
    let mut chain = Vec::new();
    if floor[c] > k || !closure(day, plan, c, k, &mut chain) {
        return false;
    }
    chain.retain(|x| !set.contains(x));
    if set.len() + chain.len() > k {
        return false;
    }
    set.extend(chain);
    true
}

/// Adds unscheduled `u` (with its chain) unless the set already holds two of its class.
pub(super) fn add_candidate(
    day: &Day,
    plan: &Plan,
    floor: &[usize],
    class: &[usize],
    set: &mut Vec<usize>,
    u: usize,
    k: usize,
) -> bool {
    let same = set
        .iter()
        .filter(|&&x| plan.slot[x].is_none() && class[x] == class[u])
        .count();
    same < 2 && add_chain(day, plan, floor, set, u, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeos_core::plan::PlanDayRequest;

    /// A day of `n` tasks, task `i` depending on the tasks `deps(i)` names.
    fn day(n: usize, deps: impl Fn(usize) -> Vec<usize>) -> Day {
        let id = |i: usize| format!("00000000-0000-4000-8000-{i:012}");
        let list: Vec<String> = (0..n)
            .map(|i| {
                let on: Vec<String> = deps(i)
                    .into_iter()
                    .map(|d| format!("\"{}\"", id(d)))
                    .collect();
                format!(r#"{{"id":"{}","dependsOn":[{}]}}"#, id(i), on.join(","))
            })
            .collect();
        let json = format!(
            r#"{{"timezone":"UTC","today":"2026-03-10","currentTime":"2026-03-10T07:00:00Z","tasks":[{}]}}"#,
            list.join(",")
        );
        Day::new(&PlanDayRequest::from_json(&json).unwrap())
    }

    /// The closure as a recursive walk writes it: the reference for small days.
    fn reference(day: &Day, plan: &Plan, c: usize, out: &mut Vec<usize>) {
        for &d in &day.tasks[c].deps {
            if pending(day, plan, d) && !out.contains(&d) {
                reference(day, plan, d, out);
            }
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }

    #[test]
    fn closures_match_the_recursive_walk_and_floors_never_exceed_them() {
        // A diamond-rich graph: each task depends on up to three earlier ones.
        let d = day(40, |i| {
            [i / 2, i.saturating_sub(3), (i * 7) % (i.max(1))]
                .into_iter()
                .filter(|&x| x < i)
                .collect()
        });
        let mut plan = Plan::empty(&d);
        // Some tasks scheduled: their chains stop at them.
        for c in (0..40).step_by(5) {
            plan.slot[c] = Some(0);
        }
        let topo = topological(&d);
        let floor = floors(&d, &plan, &topo, 100);
        for (c, &bound) in floor.iter().enumerate() {
            let mut want = Vec::new();
            reference(&d, &plan, c, &mut want);
            let mut got = Vec::new();
            assert!(closure(&d, &plan, c, 100, &mut got));
            assert_eq!(got, want, "task {c}");
            assert!(bound <= want.len(), "task {c}");
            // A limit below the chain's length refuses it.
            assert!(!closure(&d, &plan, c, want.len() - 1, &mut got) || want.len() == 1);
        }
    }

    #[test]
    fn a_chain_of_ten_thousand_is_refused_without_a_deep_walk() {
        let d = day(10_000, |i| if i == 0 { vec![] } else { vec![i - 1] });
        let plan = Plan::empty(&d);
        let topo = topological(&d);
        assert!(topo.windows(2).all(|w| w[0] < w[1]));
        let floor = floors(&d, &plan, &topo, 12);
        assert_eq!(floor[9_999], 13);
        assert_eq!(floor[3], 4);
        let mut out = Vec::new();
        assert!(!closure(&d, &plan, 9_999, 12, &mut out));
        assert!(closure(&d, &plan, 11, 12, &mut out));
        assert_eq!(out, (0..12).collect::<Vec<_>>());
        let mut set = Vec::new();
        assert!(!add_chain(&d, &plan, &floor, &mut set, 9_999, 12));
        assert!(set.is_empty());
    }
}
