//! The search: an exact dynamic program over the grid for small days, and beyond its
//! budget a greedy start improved by large-neighbourhood search whose neighbourhoods are
//! solved exactly by the same dynamic program (`dp`), which prunes with upper bounds there.
//! Every step is deterministic.

mod chain;
mod dp;

use crate::model::{Day, Kind};
use chain::{add_candidate, add_chain, closure, floors, topological};
use dp::Dp;

/// Largest number of free tasks one dynamic program takes.
const MAX_K: usize = 12;
/// Largest number of free tasks the exact program is tried on.
const EXACT_K: usize = 12;
/// Largest neighbourhood of the local search (after dependencies join it).
const HOOD_K: usize = 12;
/// DP cells (slots x masks x tasks) allowed for solving the whole day exactly.
const EXACT_BUDGET: u64 = 1_500_000;
/// DP cells one neighbourhood of the local search may use before it is cut smaller.
const HOOD_BUDGET: u64 = 1_000_000;
/// DP cells allowed for the whole local search.
const LNS_BUDGET: u64 = 2_000_000;

/// A plan: the start slot (grid index) of each free task, or none.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub slot: Vec<Option<u32>>,
}

/// A tiny deterministic generator (xorshift64*), seeded by the day's shape.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

impl Plan {
    pub(crate) fn empty(day: &Day) -> Plan {
        Plan {
            slot: vec![None; day.tasks.len()],
        }
    }

    pub(crate) fn score(&self, day: &Day) -> i64 {
        let mut s = 0;
        for (c, t) in day.tasks.iter().enumerate() {
            match (t.kind, self.slot[c]) {
                (Kind::Pinned(p), _) => s += day.value(c, p),
                (Kind::Free, Some(k)) => s += day.value(c, day.grid[k as usize]),
                _ => {}
            }
        }
        s
    }

    pub(crate) fn used_minutes(&self, day: &Day) -> i64 {
        self.slot
            .iter()
            .zip(&day.tasks)
            .filter(|(s, _)| s.is_some())
            .map(|(_, t)| t.minutes)
            .sum()
    }

    /// Scheduled free blocks outside `except`, sorted, into `out`.
    fn blocks_into(&self, day: &Day, except: &[bool], out: &mut Vec<(i64, i64)>) {
        out.clear();
        out.extend(
            self.slot
                .iter()
                .enumerate()
                .filter(|(c, _)| !except[*c])
                .filter_map(|(c, s)| {
                    s.map(|k| {
                        let g = day.grid[k as usize];
                        (g, g + day.tasks[c].dur)
                    })
                }),
        );
        out.sort_unstable();
    }
}

fn overlaps(blocks: &[(i64, i64)], s: i64, e: i64) -> bool {
    // Blocks are disjoint and sorted: the first one ending after `s` decides.
    let i = blocks.partition_point(|&(_, be)| be <= s);
    i < blocks.len() && blocks[i].0 < e
}

/// Where free task `c` may lie against its dependencies and dependents in `plan`:
/// (earliest start, latest end), or none while a free dependency is unscheduled. Computed
/// once per task, not once per candidate start: a task may have thousands of dependencies.
fn dependency_bounds(day: &Day, plan: &Plan, c: usize) -> Option<(i64, i64)> {
    let t = &day.tasks[c];
    let mut earliest = i64::MIN;
    for &d in &t.deps {
        match (day.tasks[d].kind, plan.slot[d]) {
            (Kind::Pinned(_), _) => {}
            (Kind::Free, Some(dk)) => {
                earliest = earliest.max(day.grid[dk as usize] + day.tasks[d].dur);
            }
            _ => return None,
        }
    }
    let mut latest = i64::MAX;
    for &d in &t.dependents {
        if let Some(dk) = plan.slot[d] {
            latest = latest.min(day.grid[dk as usize]);
        }
    }
    Some((earliest, latest))
}

/// Greedy: by best value per minute (ties: `variant` 0 longer first, 1 shorter first,
/// 2 by whole value), then id; each at its best-valued earliest start.
fn greedy(day: &Day, variant: u8) -> Plan {
    let mut plan = Plan::empty(day);
    let mut order: Vec<usize> = (0..day.tasks.len())
        .filter(|&c| !day.tasks[c].starts.is_empty())
        .collect();
    let best_rate = |c: usize| {
        let t = &day.tasks[c];
        (t.best * 1_000_000) / t.minutes.max(1)
    };
    let rates: Vec<i64> = (0..day.tasks.len())
        .map(|c| {
            if day.tasks[c].starts.is_empty() {
                0
            } else {
                best_rate(c)
            }
        })
        .collect();
    let m = |c: usize| day.tasks[c].minutes;
    match variant {
        0 => order.sort_by(|&a, &b| {
            rates[b]
                .cmp(&rates[a])
                .then(m(b).cmp(&m(a)))
                .then(a.cmp(&b))
        }),
        1 => order.sort_by(|&a, &b| {
            rates[b]
                .cmp(&rates[a])
                .then(m(a).cmp(&m(b)))
                .then(a.cmp(&b))
        }),
        _ => order.sort_by(|&a, &b| {
            (rates[b] / 1_000_000 * m(b))
                .cmp(&(rates[a] / 1_000_000 * m(a)))
                .then(a.cmp(&b))
        }),
    }
    let mut used = 0;
    let mut blocks = Vec::new();
    loop {
        let mut changed = false;
        for &c in &order {
            if plan.slot[c].is_some() || used + day.tasks[c].minutes > day.cap_left {
                continue;
            }
            if insert_best(day, &mut plan, &mut blocks, c) {
                used += day.tasks[c].minutes;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    plan
}

/// Places free task `c` at its best feasible start; returns whether it was placed.
/// `blocks` holds the plan's scheduled free blocks, sorted, and is kept so.
fn insert_best(day: &Day, plan: &mut Plan, blocks: &mut Vec<(i64, i64)>, c: usize) -> bool {
    let Some((earliest, latest)) = dependency_bounds(day, plan, c) else {
        return false;
    };
    let dur = day.tasks[c].dur;
    let mut best: Option<(i64, u32)> = None;
    for &k in &day.tasks[c].starts {
        let g = day.grid[k as usize];
        if g >= earliest && g + dur <= latest && !overlaps(blocks, g, g + dur) {
            let v = day.value(c, g);
            if best.is_none_or(|(bv, _)| v > bv) {
                best = Some((v, k));
            }
        }
    }
    if let Some((_, k)) = best {
        plan.slot[c] = Some(k);
        let g = day.grid[k as usize];
        let at = blocks.partition_point(|&b| b < (g, g + day.tasks[c].dur));
        blocks.insert(at, (g, g + day.tasks[c].dur));
        true
    } else {
        false
    }
}

/// Shortest gap worth a neighbourhood, in seconds.
const GRID_MIN: i64 = 300;

/// Plans the free tasks of `day`.
pub(crate) fn search(day: &Day) -> Plan {
    let free: Vec<usize> = (0..day.tasks.len())
        .filter(|&c| !day.tasks[c].starts.is_empty())
        .collect();
    let mut dp = Dp::default();
    let n = free.len();
    if n <= EXACT_K {
        // Exact when it fits the budget (always for 8 tasks or fewer: at most 289
        // positions x 256 sets x 9 moves).
        let mut plan = Plan::empty(day);
        if dp.solve(day, &mut plan, &free, EXACT_BUDGET, false).1 {
            return plan;
        }
    }
    let mut plan = Plan::empty(day);
    let mut best = i64::MIN;
    for variant in 0..3 {
        let mut p = greedy(day, variant);
        fill(day, &mut p);
        let s = p.score(day);
        if s > best {
            best = s;
            plan = p;
        }
    }
    improve(day, &mut plan, &free, &mut dp);
    fill(day, &mut plan);
    plan
}

fn density(day: &Day, c: usize) -> i64 {
    let t = &day.tasks[c];
    t.best * 1_000_000 / t.minutes.max(1)
}

/// A bound on any plan's score: pinned tasks, plus a fractional knapsack of the free tasks'
/// best values into the smaller of the cap left and the free minutes of the window.
fn upper_bound(day: &Day, best_value: &[i64]) -> i64 {
    let pinned: i64 = day
        .tasks
        .iter()
        .enumerate()
        .filter_map(|(c, t)| match t.kind {
            Kind::Pinned(p) => Some(day.value(c, p)),
            _ => None,
        })
        .sum();
    let mut free_secs = 0;
    let mut at = day.win_start;
    for &(s, e) in &day.forbidden {
        let s = s.max(at);
        if s > at {
            free_secs += s.min(day.win_end) - at.min(day.win_end);
        }
        at = at.max(e);
    }
    free_secs += (day.win_end - at).max(0);
    let mut room = day.cap_left.min(free_secs.max(0) / 60);
    let mut items: Vec<(i64, i64)> = (0..day.tasks.len())
        .filter(|&c| !day.tasks[c].starts.is_empty())
        .map(|c| (best_value[c], day.tasks[c].minutes))
        .collect();
    // By density, descending (cross-multiplied to stay exact).
    items.sort_by(|a, b| (b.0 * a.1).cmp(&(a.0 * b.1)));
    let mut total = pinned;
    for (v, m) in items {
        if room <= 0 {
            break;
        }
        if m <= room {
            total += v;
            room -= m;
        } else {
            total += (v * room + m - 1) / m;
            room = 0;
        }
    }
    total
}

/// A 64-bit fingerprint (FNV-1a) of a plan and a neighbourhood.
fn fingerprint(slots: &[Option<u32>], set: &[usize]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        h ^= x;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for s in slots {
        eat(s.map_or(u64::MAX, u64::from));
    }
    for &c in set {
        eat(c as u64 ^ 0x5555_0000_0000);
    }
    h
}

/// Large-neighbourhood search with exact re-optimisation of each neighbourhood.
fn improve(day: &Day, plan: &mut Plan, free: &[usize], dp: &mut Dp) {
    let k = MAX_K.min(free.len()).min(10);
    if k == 0 {
        return;
    }
    let n = day.tasks.len();
    let best_value: Vec<i64> = day.tasks.iter().map(|t| t.best).collect();
    let dens: Vec<i64> = (0..n)
        .map(|c| best_value[c] * 1_000_000 / day.tasks[c].minutes.max(1))
        .collect();
    // Value and density of a task together with all its free dependencies, computed once:
    // a task whose chain is longer than a neighbourhood counts alone (its chain never
    // joins one whole).
    let empty = Plan::empty(day);
    let topo = topological(day);
    let floor = floors(day, &empty, &topo, HOOD_K);
    let mut v = Vec::new();
    let chain: Vec<(i64, i64)> = (0..n)
        .map(|c| {
            if floor[c] > HOOD_K || !closure(day, &empty, c, HOOD_K, &mut v) {
                v.clear();
                v.push(c);
            }
            let value: i64 = v.iter().map(|&x| best_value[x]).sum();
            let minutes: i64 = v.iter().map(|&x| day.tasks[x].minutes).sum();
            (value, value * 1_000_000 / minutes.max(1))
        })
        .collect();
    let mut by_density: Vec<usize> = free.to_vec();
    by_density.sort_by(|&a, &b| chain[b].1.cmp(&chain[a].1).then(a.cmp(&b)));
    let mut by_value: Vec<usize> = free.to_vec();
    by_value.sort_by(|&a, &b| chain[b].0.cmp(&chain[a].0).then(a.cmp(&b)));
    // Interchangeable tasks (same length, weight, due, deadline and peak eligibility, no
    // dependencies) form a class; a neighbourhood takes few of one class.
    let class: Vec<usize> = {
        let key = |c: usize| {
            let t = &day.tasks[c];
            let free = t.deps.is_empty() && t.dependents.is_empty();
            (
                t.minutes,
                t.wum,
                t.due,
                t.hard,
                t.priority >= 2,
                if free { usize::MAX } else { c },
            )
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&c| (key(c), c));
        let mut class = vec![0; n];
        let mut id = 0;
        for w in 0..order.len() {
            if w > 0 && key(order[w]) != key(order[w - 1]) {
                id += 1;
            }
            class[order[w]] = id;
        }
        class
    };
    // Free gaps of the window between events (with buffers) and pinned blocks.
    let gaps: Vec<(i64, i64)> = {
        let mut gaps = Vec::new();
        let mut at = day.win_start;
        for &(s, e) in day
            .forbidden
            .iter()
            .chain(std::iter::once(&(day.win_end, day.win_end)))
        {
            let s = s.min(day.win_end);
            if s - at >= GRID_MIN {
                gaps.push((at, s));
            }
            at = at.max(e);
        }
        gaps
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((free.len() as u64) << 17) ^ day.grid.len() as u64);
    let bound = upper_bound(day, &best_value);
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut work = 0u64;
    let mut score = plan.score(day);
    let mut stale = 0;
    let mut round = 0usize;
    while work < LNS_BUDGET && stale < 3 && score < bound {
        round += 1;
        let before = score;
        // The plan holds still while the neighbourhoods are chosen: one pass over the
        // dependencies bounds every chain from below, so most chains too long for a
        // neighbourhood are refused without being walked.
        let floor = floors(day, plan, &topo, HOOD_K);
        let mut sched: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&c| plan.slot[c].is_some())
            .collect();
        sched.sort_by_key(|&c| (plan.slot[c], c));
        let unsched: Vec<usize> = by_density
            .iter()
            .copied()
            .filter(|&c| plan.slot[c].is_none())
            .collect();
        let unsched_value: Vec<usize> = by_value
            .iter()
            .copied()
            .filter(|&c| plan.slot[c].is_none())
            .collect();
        let mut low: Vec<usize> = sched.clone();
        low.sort_by(|&a, &b| {
            dens[a]
                .cmp(&dens[b])
                .then(day.tasks[b].minutes.cmp(&day.tasks[a].minutes))
                .then(a.cmp(&b))
        });
        let mut hoods: Vec<Vec<usize>> = Vec::new();
        // Windows of consecutive scheduled tasks plus the densest unscheduled chains.
        let w = (k - 3).max(1);
        let stride = (w / 2).max(1);
        let shift = (round - 1) * 2;
        let mut i = 0;
        while i < sched.len() {
            let mut set: Vec<usize> = sched[i..(i + w).min(sched.len())].to_vec();
            for &u in unsched
                .iter()
                .skip(shift % unsched.len().max(1))
                .chain(unsched.iter())
            {
                if set.len() >= k {
                    break;
                }
                add_candidate(day, plan, &floor, &class, &mut set, u, k);
            }
            hoods.push(set);
            if i + w >= sched.len() {
                break;
            }
            i += stride;
        }
        // Each free gap between events and pinned blocks: its tasks, plus the densest
        // unscheduled tasks that may start in it, two per class.
        for &(a, b) in &gaps {
            let mut set: Vec<usize> = sched
                .iter()
                .copied()
                .filter(|&c| plan.slot[c].is_some_and(|k| (a..b).contains(&day.grid[k as usize])))
                .take(k - 2)
                .collect();
            let before_len = set.len();
            for &u in &unsched {
                if set.len() >= k {
                    break;
                }
                let fits = day.tasks[u]
                    .starts
                    .iter()
                    .any(|&s| (a..b).contains(&day.grid[s as usize]));
                let same = set[before_len..]
                    .iter()
                    .filter(|&&x| class[x] == class[u])
                    .count();
                if fits && same < 2 {
                    add_chain(day, plan, &floor, &mut set, u, k);
                }
            }
            hoods.push(set);
        }
        // Least dense scheduled against the densest unscheduled.
        {
            let mut set: Vec<usize> = low.iter().copied().take(k / 2).collect();
            for &u in &unsched {
                if set.len() >= k {
                    break;
                }
                add_candidate(day, plan, &floor, &class, &mut set, u, k);
            }
            hoods.push(set);
        }
        // Room for one valuable unscheduled chain: it, plus the least dense scheduled
        // tasks until their minutes cover it.
        for &u in unsched_value.iter().take(6) {
            let mut set = Vec::new();
            if !add_chain(day, plan, &floor, &mut set, u, HOOD_K - 1) {
                continue;
            }
            let need: i64 = set.iter().map(|&x| day.tasks[x].minutes).sum();
            let mut freed = 0;
            for &c in &low {
                if set.len() >= HOOD_K || freed >= need {
                    break;
                }
                if dens[c] <= chain[u].1 {
                    set.push(c);
                    freed += day.tasks[c].minutes;
                }
            }
            hoods.push(set);
        }
        // Random mixes.
        for _ in 0..(4 + free.len() / 8) {
            let mut set: Vec<usize> = Vec::new();
            let take_s = rng.below(k + 1).min(sched.len());
            for _ in 0..take_s * 2 {
                if set.len() >= take_s {
                    break;
                }
                let c = sched[rng.below(sched.len())];
                if !set.contains(&c) {
                    set.push(c);
                }
            }
            let pool = unsched.len().min(3 * k + 8);
            for _ in 0..k * 2 {
                if set.len() >= k || pool == 0 {
                    break;
                }
                add_candidate(
                    day,
                    plan,
                    &floor,
                    &class,
                    &mut set,
                    unsched[rng.below(pool)],
                    k,
                );
            }
            hoods.push(set);
        }
        for mut set in hoods {
            if set.is_empty() {
                continue;
            }
            // Dependencies and dependents of members move with them when there is room.
            let mut j = 0;
            while j < set.len() && set.len() < HOOD_K {
                let c = set[j];
                for &x in day.tasks[c].deps.iter().chain(&day.tasks[c].dependents) {
                    // A task may have thousands of dependents: stop once the set is full.
                    if set.len() >= HOOD_K {
                        break;
                    }
                    if day.tasks[x].kind == Kind::Free
                        && !set.contains(&x)
                        && !day.tasks[x].starts.is_empty()
                    {
                        set.push(x);
                    }
                }
                j += 1;
            }
            // A neighbourhood already solved against this very plan cannot improve it.
            let mut key = set.clone();
            key.sort_unstable();
            let fp = fingerprint(&plan.slot, &key);
            if !seen.insert(fp) {
                continue;
            }
            let saved = plan.slot.clone();
            loop {
                let (cells, done) = dp.solve(day, plan, &set, HOOD_BUDGET, true);
                work += cells;
                if done || set.len() <= 2 {
                    break;
                }
                set.truncate(set.len() - 2);
            }
            let s = plan.score(day);
            if s <= score {
                plan.slot = saved;
            } else {
                score = s;
            }
            if work >= LNS_BUDGET {
                break;
            }
        }
        if score > before {
            stale = 0;
        } else {
            stale += 1;
        }
    }
}

/// Inserts every task that still has a feasible start and fits the cap left.
fn fill(day: &Day, plan: &mut Plan) {
    // Densities computed once: a sort comparator recomputing them scans every start.
    let mut order: Vec<(i64, usize)> = (0..day.tasks.len())
        .filter(|&c| !day.tasks[c].starts.is_empty())
        .map(|c| (density(day, c), c))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut used = plan.used_minutes(day);
    let mut blocks = Vec::new();
    plan.blocks_into(day, &vec![false; day.tasks.len()], &mut blocks);
    loop {
        let mut changed = false;
        for &(_, c) in &order {
            if plan.slot[c].is_none()
                && used + day.tasks[c].minutes <= day.cap_left
                && insert_best(day, plan, &mut blocks, c)
            {
                used += day.tasks[c].minutes;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeos_core::plan::PlanDayRequest;

    fn day(tasks: usize) -> Day {
        let list: Vec<String> = (0..tasks)
            .map(|i| {
                format!(
                    r#"{{"id":"00000000-0000-4000-8000-{i:012}","priority":{},"estimatedMinutes":{}}}"#,
                    i % 4,
                    15 + (i * 7) % 50
                )
            })
            .collect();
        let json = format!(
            r#"{{"timezone":"UTC","today":"2026-03-10","currentTime":"2026-03-10T07:00:00Z","tasks":[{}]}}"#,
            list.join(",")
        );
        Day::new(&PlanDayRequest::from_json(&json).unwrap())
    }

    #[test]
    fn the_bound_is_never_below_a_plan() {
        for n in [1, 5, 20, 40] {
            let d = day(n);
            let best: Vec<i64> = (0..d.tasks.len())
                .map(|c| {
                    d.tasks[c]
                        .starts
                        .iter()
                        .map(|&k| d.value(c, d.grid[k as usize]))
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            assert!(search(&d).score(&d) <= upper_bound(&d, &best));
        }
    }

    #[test]
    fn local_search_never_loses_to_its_greedy_start() {
        let d = day(30);
        let start = greedy(&d, 0).score(&d);
        assert!(search(&d).score(&d) >= start);
    }
}
