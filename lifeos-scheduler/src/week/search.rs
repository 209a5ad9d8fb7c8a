//! The week search: every task is placed by an exact best insertion against everything
//! else (the best start of an unsplit task; for a split task the best chunk of each length
//! on each day, then a dynamic program over the days for the chunk lengths), a greedy start
//! (the previous plan kept where it still fits, or not), and large-neighbourhood search that
//! removes a day's tasks, or a seeded random few, and re-inserts them and the unplaced tasks
//! in several orders, keeping strictly better plans. Between plans of equal score the one
//! keeping more minutes of the previous plan is better (the contract's ties go to keeping).
//! With a previous plan, a repair step tries each changed task with one other task
//! ejected, so a change displaces one neighbour rather than a row of them. Work is counted
//! in units, never time; every step is deterministic.

use super::model::{Kind, Week};

/// Work units allowed for the whole local search.
const LNS_BUDGET: u64 = 6_000_000;
/// Most random neighbourhoods per round: each costs a pass over every task, so a week of
/// thousands of tasks would otherwise spend its rounds quadratically.
const RANDOM_HOODS: usize = 256;
/// Work units one chunk-length program may use before it falls back to fewer lengths.
const DP_CELLS: u64 = 400_000;

/// A plan: each task's blocks as (grid slot, minutes), by start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub blocks: Vec<Vec<(usize, i64)>>,
}

/// A tiny deterministic generator (xorshift64*).
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

/// The plan's blocks and per-day minutes, kept in step with it.
struct State {
    plan: Plan,
    /// Free blocks `(start, end, task)`, sorted and disjoint.
    occ: Vec<(i64, i64, usize)>,
    used: Vec<i64>,
    value: Vec<i64>,
    /// Minutes of each task's blocks that reproduce a previous block.
    kept: Vec<i64>,
    /// Each grid slot's free run against the forbidden time and the blocks, before any
    /// task's own bounds (see [`free_runs`]). Every placement looks at every day and
    /// changes one or two, so a day's runs are recomputed only when its blocks changed.
    free: Vec<i64>,
    /// Per day: whether `free` is out of date on it.
    stale: Vec<bool>,
}

impl Plan {
    pub(crate) fn empty(week: &Week) -> Plan {
        Plan {
            blocks: vec![Vec::new(); week.tasks.len()],
        }
    }

    /// Minutes placed for task `c`.
    pub(crate) fn minutes(&self, c: usize) -> i64 {
        self.blocks[c].iter().map(|b| b.1).sum()
    }

    /// Whether task `c` is scheduled in full (pinned tasks always are).
    pub(crate) fn full(&self, week: &Week, c: usize) -> bool {
        match week.tasks[c].kind {
            Kind::Pinned(..) => true,
            Kind::NotActionable => false,
            Kind::Free => !self.blocks[c].is_empty() && self.minutes(c) == week.tasks[c].minutes,
        }
    }

    /// Score of task `c`'s blocks (0 when unscheduled; pinned tasks score their block).
    #[cfg(test)]
    pub(crate) fn task_value(&self, week: &Week, c: usize) -> i64 {
        let t = &week.tasks[c];
        match t.kind {
            Kind::Pinned(s, k) => {
                week.block_value(c, s, t.minutes, k) - week.delay(c, t.minutes * k as i64)
            }
            Kind::NotActionable => 0,
            Kind::Free => blocks_value(week, c, &self.blocks[c]),
        }
    }

    #[cfg(test)]
    pub(crate) fn score(&self, week: &Week) -> i64 {
        (0..week.tasks.len())
            .map(|c| self.task_value(week, c))
            .sum()
    }
}

fn blocks_value(week: &Week, c: usize, blocks: &[(usize, i64)]) -> i64 {
    if blocks.is_empty() {
        return 0;
    }
    let mut v = 0;
    let mut weighted = 0;
    for &(slot, m) in blocks {
        let k = week.slot_day[slot];
        v += week.block_value(c, week.grid[slot], m, k);
        weighted += m * k as i64;
    }
    v - week.delay(c, weighted)
}

/// Minutes of `blocks` (task `c`'s) that reproduce one of its previous blocks.
fn kept_minutes(week: &Week, c: usize, blocks: &[(usize, i64)]) -> i64 {
    let t = &week.tasks[c];
    if t.keep.is_empty() {
        return 0;
    }
    blocks
        .iter()
        .filter(|&&(slot, m)| t.kept(week.grid[slot], week.grid[slot] + m * 60))
        .map(|b| b.1)
        .sum()
}

impl State {
    fn new(week: &Week, plan: Plan) -> State {
        let mut s = State {
            plan: Plan::empty(week),
            occ: Vec::new(),
            used: vec![0; week.days.len()],
            value: vec![0; week.tasks.len()],
            kept: vec![0; week.tasks.len()],
            free: vec![0; week.grid.len()],
            stale: vec![true; week.days.len()],
        };
        for (c, blocks) in plan.blocks.into_iter().enumerate() {
            s.set(week, c, blocks);
        }
        s
    }

    fn total(&self) -> i64 {
        self.value.iter().sum()
    }

    /// The score, then the minutes kept from the previous plan: what the search maximises.
    fn rank(&self) -> (i64, i64) {
        (self.total(), self.kept.iter().sum())
    }

    fn remove(&mut self, week: &Week, c: usize) {
        for &(slot, m) in &self.plan.blocks[c] {
            let k = week.slot_day[slot];
            self.used[k] -= m;
            self.stale[k] = true;
        }
        if !self.plan.blocks[c].is_empty() {
            self.occ.retain(|b| b.2 != c);
        }
        self.plan.blocks[c].clear();
        self.value[c] = 0;
        self.kept[c] = 0;
    }

    fn set(&mut self, week: &Week, c: usize, blocks: Vec<(usize, i64)>) {
        self.remove(week, c);
        for &(slot, m) in &blocks {
            let k = week.slot_day[slot];
            self.used[k] += m;
            // A block lies inside its day's window, so it changes that day's runs only.
            self.stale[k] = true;
            let s = week.grid[slot];
            let b = (s, s + m * 60, c);
            let at = self.occ.partition_point(|x| *x < b);
            self.occ.insert(at, b);
        }
        self.value[c] = blocks_value(week, c, &blocks);
        self.kept[c] = kept_minutes(week, c, &blocks);
        self.plan.blocks[c] = blocks;
    }

    /// The free runs of day `k`'s slots, brought up to date.
    fn day_runs(&mut self, week: &Week, k: usize) -> &[i64] {
        let (a, b) = week.days[k].slots;
        if self.stale[k] {
            free_runs(week, &self.occ, k, &mut self.free[a..b]);
            self.stale[k] = false;
        }
        &self.free[a..b]
    }
}

/// Why a task cannot be placed whatever room there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Not free, or a dependency is never done: for good.
    Never,
    /// Until this free dependency is scheduled in full.
    On(usize),
}

/// Whether task `c` waits for something in `plan` (then [`bounds`] gives none).
fn waits(week: &Week, plan: &Plan, c: usize) -> Option<Wait> {
    let t = &week.tasks[c];
    if t.kind != Kind::Free || t.dep_never {
        return Some(Wait::Never);
    }
    t.deps.iter().find_map(|&d| match week.tasks[d].kind {
        Kind::Pinned(..) => None,
        Kind::NotActionable => Some(Wait::Never),
        Kind::Free => (!plan.full(week, d)).then_some(Wait::On(d)),
    })
}

/// Where task `c` may go: (earliest start, latest end, must be placed in full), or none
/// when a dependency is not done.
fn bounds(week: &Week, plan: &Plan, c: usize) -> Option<(i64, i64, bool)> {
    if waits(week, plan, c).is_some() {
        return None;
    }
    let t = &week.tasks[c];
    let mut lo = t.earliest;
    for &d in &t.deps {
        if week.tasks[d].kind == Kind::Free {
            for &(slot, m) in &plan.blocks[d] {
                lo = lo.max(week.grid[slot] + m * 60);
            }
        }
    }
    let mut hi = i64::MAX;
    let mut required = false;
    for &d in &t.dependents {
        if let Some(&(slot, _)) = plan.blocks[d].first() {
            hi = hi.min(week.grid[slot]);
            required = true;
        }
    }
    Some((lo, hi, required))
}

/// The longest free run from each slot of day `k` (seconds), or 0 inside forbidden time or
/// a block, into `out` (one entry per slot of the day).
fn free_runs(week: &Week, occ: &[(i64, i64, usize)], k: usize, out: &mut [i64]) {
    let d = &week.days[k];
    let (a, b) = d.slots;
    let first = week.grid.get(a).copied().unwrap_or(0);
    let mut f = week.forbidden.partition_point(|&(_, e)| e <= first);
    let mut o = occ.partition_point(|&(_, e, _)| e <= first);
    for (slot, run) in (a..b).zip(out.iter_mut()) {
        let g = week.grid[slot];
        while f < week.forbidden.len() && week.forbidden[f].1 <= g {
            f += 1;
        }
        while o < occ.len() && occ[o].1 <= g {
            o += 1;
        }
        let mut end = d.win_end;
        let mut inside = false;
        if let Some(&(s, _)) = week.forbidden.get(f) {
            inside |= s <= g;
            end = end.min(s);
        }
        if let Some(&(s, _, _)) = occ.get(o) {
            inside |= s <= g;
            end = end.min(s);
        }
        *run = if inside { 0 } else { (end - g).max(0) };
    }
}

/// A free run `free` from grid instant `g` cut to a task's bounds: none before `lo`, and
/// ending by `hi`.
fn bounded(free: i64, g: i64, lo: i64, hi: i64) -> i64 {
    if g < lo || free == 0 {
        0
    } else {
        free.min(hi - g).max(0)
    }
}

/// The best blocks for task `c` with everything else of `state` fixed (its own blocks
/// removed), and their value; none when it cannot be placed.
fn best_place(
    week: &Week,
    state: &mut State,
    c: usize,
    work: &mut u64,
) -> Option<(Vec<(usize, i64)>, i64)> {
    place(week, state, c, false, work)
}

/// As [`best_place`]; with `earliest`, an unsplit task takes its earliest feasible start
/// instead (to leave room after it for a task that depends on it).
fn place(
    week: &Week,
    state: &mut State,
    c: usize,
    earliest: bool,
    work: &mut u64,
) -> Option<(Vec<(usize, i64)>, i64)> {
    let (lo, hi, required) = bounds(week, &state.plan, c)?;
    let t = &week.tasks[c];
    let hi = match (t.hard, t.due) {
        (true, Some(due)) => hi.min(due),
        _ => hi,
    };
    match t.split {
        None => {
            let mut best: Option<(i64, usize)> = None;
            for (k, d) in week.days.iter().enumerate() {
                if d.slots.0 == d.slots.1 || state.used[k] + t.minutes > d.cap_left {
                    continue;
                }
                if earliest && best.is_some() {
                    break;
                }
                let free = state.day_runs(week, k);
                *work += free.len() as u64;
                for (i, &r) in free.iter().enumerate() {
                    let slot = d.slots.0 + i;
                    if bounded(r, week.grid[slot], lo, hi) >= t.minutes * 60 {
                        let v = week.block_value(c, week.grid[slot], t.minutes, k)
                            - week.delay(c, t.minutes * k as i64);
                        if best.is_none_or(|(bv, _)| v > bv) {
                            best = Some((v, slot));
                        }
                        if earliest {
                            break;
                        }
                    }
                }
            }
            best.map(|(v, slot)| (vec![(slot, t.minutes)], v))
        }
        Some((min, max)) => split_place(week, state, c, (min, max), (lo, hi), required, work),
    }
}

/// A split task: the best chunk of each length on each day, then the chunk lengths by a
/// program over (day, minutes placed) with the delay spread linearly (×60 to stay exact);
/// the exact value is computed afterwards.
fn split_place(
    week: &Week,
    state: &mut State,
    c: usize,
    (min, max): (i64, i64),
    (lo, hi): (i64, i64),
    required: bool,
    work: &mut u64,
) -> Option<(Vec<(usize, i64)>, i64)> {
    let t = &week.tasks[c];
    let units = (t.minutes / 5) as usize;
    let (lmin, lmax) = ((min / 5) as usize, (max / 5) as usize);
    let h = week.days.len();
    // best[k][l - lmin] = (value x 60 with delay, slot) of the best chunk of l units.
    let width = lmax - lmin + 1;
    // Units of chunk day `k` has room for, when at least the shortest chunk.
    let room = |k: usize, used: i64| {
        let d = &week.days[k];
        let room = ((d.cap_left - used) / 5).min(lmax as i64);
        (d.slots.0 < d.slots.1 && room >= lmin as i64).then_some(room)
    };
    // Most calls in a full week find no day with room: they end before any allocation.
    if !(0..h).any(|k| room(k, state.used[k]).is_some()) {
        return None;
    }
    let mut best: Vec<Option<(i64, usize)>> = vec![None; h * width];
    let mut any = false;
    for (k, d) in week.days.iter().enumerate() {
        let Some(room) = room(k, state.used[k]) else {
            continue;
        };
        let free = state.day_runs(week, k);
        for (i, &r) in free.iter().enumerate() {
            let slot = d.slots.0 + i;
            let g = week.grid[slot];
            let fit = ((bounded(r, g, lo, hi) / 300) as usize).min(room as usize);
            if fit < lmin {
                continue;
            }
            *work += (fit - lmin + 1) as u64;
            let factor = week.block_factor(c, g, k);
            let row = &mut best[k * width..][..=fit - lmin];
            for (cell, l) in row.iter_mut().zip(lmin..) {
                let m = l as i64 * 5;
                // `block_value * 60 - wu * m * k`, with the slot's checks made once.
                let v = t.wu * m * (factor.of(m) * 60 - k as i64);
                if cell.is_none_or(|(bv, _)| v > bv) {
                    *cell = Some((v, slot));
                    any = true;
                }
            }
        }
    }
    if !any {
        return None;
    }
    // Lengths the program tries: all, unless that would be too much work.
    let step = {
        let cells = (h * (units + 1) * width) as u64;
        if cells > DP_CELLS {
            ((cells / DP_CELLS) as usize + 1).min(width.max(1))
        } else {
            1
        }
    };
    // dp over days; choice[k][u] is the chunk (units) day k adds to reach u, 0 for none.
    let mut dp: Vec<i64> = vec![i64::MIN; units + 1];
    dp[0] = 0;
    let mut prev = dp.clone();
    let mut choice: Vec<u16> = vec![0; h * (units + 1)];
    // Day k's chunks that exist, by length: (units, value, tried from every total).
    let mut chunks: Vec<(usize, i64, bool)> = Vec::with_capacity(width);
    for k in 0..h {
        prev.copy_from_slice(&dp);
        chunks.clear();
        for l in lmin..=lmax {
            if let Some((v, _)) = best[k * width + l - lmin] {
                chunks.push((l, v, (l - lmin) % step == 0 || l == lmax));
            }
        }
        for u in 0..=units {
            if prev[u] == i64::MIN {
                continue;
            }
            for &(l, v, always) in &chunks {
                if u + l > units {
                    break;
                }
                // A length skipped for want of work is still tried where it completes the task.
                if always || u + l == units {
                    let nv = prev[u] + v;
                    if nv > dp[u + l] {
                        dp[u + l] = nv;
                        choice[k * (units + 1) + u + l] = l as u16;
                    }
                }
            }
            *work += (lmax - lmin + 1) as u64;
        }
    }
    let target = if t.progress && !required {
        (lmin..=units)
            .filter(|&u| dp[u] != i64::MIN)
            .max_by_key(|&u| (dp[u], std::cmp::Reverse(u)))?
    } else if dp[units] != i64::MIN {
        units
    } else {
        return None;
    };
    let mut blocks = Vec::new();
    let mut u = target;
    for k in (0..h).rev() {
        let l = choice[k * (units + 1) + u] as usize;
        if l == 0 {
            continue;
        }
        let (_, slot) = best[k * width + l - lmin]?;
        blocks.push((slot, l as i64 * 5));
        u -= l;
    }
    if u != 0 {
        return None;
    }
    blocks.sort_unstable();
    let v = blocks_value(week, c, &blocks);
    Some((blocks, v))
}

/// Order of insertion: densest first (the best value per minute an empty week offers is
/// approximated by weight, urgency and peak eligibility), then longer, then by id.
fn density_key(week: &Week, c: usize) -> i64 {
    let t = &week.tasks[c];
    t.wu * (4 + i64::from(t.priority >= 2)) * 1000
}

fn density_order(week: &Week, cands: &mut [usize], rng: Option<&mut Rng>) {
    let key = |c: usize| density_key(week, c);
    let mut keys: Vec<(i64, i64, usize)> = cands
        .iter()
        .map(|&c| (key(c), week.tasks[c].minutes, c))
        .collect();
    if let Some(rng) = rng {
        for k in &mut keys {
            // Up to a third of a weight class of noise.
            k.0 += (rng.below(1500) as i64) * week.tasks[k.2].wu;
        }
    }
    keys.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for (slot, k) in cands.iter_mut().zip(keys) {
        *slot = k.2;
    }
}

/// Inserts `order` (then retries what waited for a dependency) at each one's best place:
/// passes over `order` until one places nothing.
///
/// A task that waits for a dependency is set aside until that dependency is placed, rather
/// than looked at again in every pass: along a chain of thousands each pass places one
/// link. The passes are otherwise exactly those of the plain loop (a task that waits is
/// refused before any work is counted), so the plan is the same.
fn insert_all(week: &Week, state: &mut State, order: &[usize], work: &mut u64) {
    let mut passes = Passes {
        active: Positions::new(order.len()),
        first: vec![usize::MAX; week.tasks.len()],
        link: vec![usize::MAX; order.len()],
    };
    // The first pass looks at every position; the later ones only at those still active.
    let mut changed = false;
    for p in 0..order.len() {
        changed |= passes.visit(week, state, order, p, work);
    }
    while changed {
        changed = false;
        let mut at = 0;
        while let Some(p) = passes.active.next_from(at) {
            at = p + 1;
            changed |= passes.visit(week, state, order, p, work);
        }
    }
}

/// The bookkeeping of [`insert_all`]'s passes over the positions of its order.
struct Passes {
    /// Positions worth a look in the next pass (or later in this one).
    active: Positions,
    /// Per task, the first position set aside until it is placed (`usize::MAX`: none) ...
    first: Vec<usize>,
    /// ... and per position, the next one set aside for the same task.
    link: Vec<usize>,
}

/// A set of positions as bits: a pass walks them in order, and a week of hundreds of
/// tasks fits in a few words (a tree set cost more than the passes' other bookkeeping).
struct Positions(Vec<u64>);

impl Positions {
    fn new(n: usize) -> Positions {
        Positions(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, p: usize) {
        self.0[p / 64] |= 1 << (p % 64);
    }

    fn remove(&mut self, p: usize) {
        self.0[p / 64] &= !(1 << (p % 64));
    }

    /// The first position at or after `at`.
    fn next_from(&self, at: usize) -> Option<usize> {
        let mut w = at / 64;
        let mut bits = self.0.get(w)? & (!0u64 << (at % 64));
        loop {
            if bits != 0 {
                return Some(w * 64 + bits.trailing_zeros() as usize);
            }
            w += 1;
            bits = *self.0.get(w)?;
        }
    }
}

impl Passes {
    /// Looks at position `p`: places its task when it can; returns whether it did.
    fn visit(
        &mut self,
        week: &Week,
        state: &mut State,
        order: &[usize],
        p: usize,
        work: &mut u64,
    ) -> bool {
        let c = order[p];
        if !state.plan.blocks[c].is_empty() {
            self.active.remove(p);
            return false;
        }
        match waits(week, &state.plan, c) {
            Some(Wait::Never) => {
                self.active.remove(p);
                false
            }
            Some(Wait::On(d)) => {
                self.active.remove(p);
                self.link[p] = self.first[d];
                self.first[d] = p;
                false
            }
            None => match best_place(week, state, c, work) {
                Some((blocks, _)) => {
                    state.set(week, c, blocks);
                    self.active.remove(p);
                    // What waited for `c` is worth a look again: in this pass when it comes
                    // later in the order (as the plain loop would), else in the next.
                    let mut q = std::mem::replace(&mut self.first[c], usize::MAX);
                    while q != usize::MAX {
                        self.active.insert(q);
                        q = self.link[q];
                    }
                    true
                }
                None => {
                    self.active.insert(p);
                    false
                }
            },
        }
    }
}

/// The previous plan's blocks of each task, where they are still exact grid blocks that fit.
fn keep_start(week: &Week, work: &mut u64) -> State {
    let mut state = State::new(week, Plan::empty(week));
    let mut order: Vec<usize> = (0..week.tasks.len())
        .filter(|&c| week.tasks[c].kind == Kind::Free && !week.tasks[c].keep.is_empty())
        .collect();
    density_order(week, &mut order, None);
    for &c in &order {
        let t = &week.tasks[c];
        let (min, max) = t.lengths();
        let mut blocks = Vec::new();
        let mut days = Vec::new();
        for &(s, e) in &t.keep {
            let m = (e - s) / 60;
            let Ok(slot) = week.grid.binary_search(&s) else {
                continue;
            };
            let k = week.slot_day[slot];
            if (e - s) % 300 != 0 && t.split.is_some()
                || m < min
                || m > max
                || days.contains(&k)
                || e > week.days[k].win_end
            {
                continue;
            }
            days.push(k);
            blocks.push((slot, m));
        }
        blocks.sort_unstable();
        let total: i64 = blocks.iter().map(|b| b.1).sum();
        let whole = total == t.minutes || (t.progress && total <= t.minutes);
        if blocks.is_empty() || !whole {
            continue;
        }
        *work += blocks.len() as u64;
        if feasible(week, &state, c, &blocks) {
            state.set(week, c, blocks);
        }
    }
    let mut rest: Vec<usize> = (0..week.tasks.len()).collect();
    density_order(week, &mut rest, None);
    insert_all(week, &mut state, &rest, work);
    state
}

/// Whether `blocks` for task `c` fit against the state (windows are assumed).
fn feasible(week: &Week, state: &State, c: usize, blocks: &[(usize, i64)]) -> bool {
    let Some((lo, hi, _)) = bounds(week, &state.plan, c) else {
        return false;
    };
    let t = &week.tasks[c];
    let mut used = state.used.clone();
    for &(slot, m) in blocks {
        let s = week.grid[slot];
        let e = s + m * 60;
        let k = week.slot_day[slot];
        used[k] += m;
        if used[k] > week.days[k].cap_left || s < lo || e > hi {
            return false;
        }
        if t.hard && t.due.is_some_and(|d| e > d) {
            return false;
        }
        let f = week.forbidden.partition_point(|&(_, fe)| fe <= s);
        if week.forbidden.get(f).is_some_and(|&(fs, _)| fs < e) {
            return false;
        }
        let o = state.occ.partition_point(|&(_, oe, _)| oe <= s);
        if state.occ.get(o).is_some_and(|&(os, _, _)| os < e) {
            return false;
        }
    }
    true
}

/// Most tasks of a dependency chain one ejection places in order.
const CHAIN_MAX: usize = 9;

/// The free tasks `c` waits for, transitively, dependencies first, then `c` (depth-first
/// post-order), cut after the first `CHAIN_MAX`: of a longer chain, the tasks that wait for
/// nothing come first. Iterative: a chain may be as long as the week has tasks.
fn dependency_chain(week: &Week, c: usize, out: &mut Vec<usize>) {
    let mut seen = vec![false; week.tasks.len()];
    seen[c] = true;
    // Tasks being visited, with the index of the next dependency to look at.
    let mut stack: Vec<(usize, usize)> = vec![(c, 0)];
    while let Some(&(x, next)) = stack.last() {
        let deps = &week.tasks[x].deps;
        let found = deps[next..]
            .iter()
            .position(|&d| week.tasks[d].kind == Kind::Free && !seen[d]);
        match found {
            Some(i) => {
                let d = deps[next + i];
                if let Some(top) = stack.last_mut() {
                    top.1 = next + i + 1;
                }
                seen[d] = true;
                stack.push((d, 0));
            }
            None => {
                stack.pop();
                out.push(x);
                if out.len() >= CHAIN_MAX {
                    return;
                }
            }
        }
    }
}

/// Tasks that must leave with `c`: it and, transitively, its scheduled dependents
/// (depth-first pre-order), appended to `out` unless `taken` marks them already there.
/// Iterative: a chain of scheduled dependents may be long.
fn with_dependents(week: &Week, plan: &Plan, c: usize, out: &mut Vec<usize>, taken: &mut [bool]) {
    if taken[c] {
        return;
    }
    taken[c] = true;
    out.push(c);
    let mut stack: Vec<(usize, usize)> = vec![(c, 0)];
    while let Some(&(x, next)) = stack.last() {
        let dependents = &week.tasks[x].dependents;
        let found = dependents[next..]
            .iter()
            .position(|&d| !plan.blocks[d].is_empty() && !taken[d]);
        match found {
            Some(i) => {
                let d = dependents[next + i];
                if let Some(top) = stack.last_mut() {
                    top.1 = next + i + 1;
                }
                taken[d] = true;
                out.push(d);
                stack.push((d, 0));
            }
            None => {
                stack.pop();
            }
        }
    }
}

/// Plans the free tasks of `week`.
pub(crate) fn search(week: &Week) -> Plan {
    let mut work = 0u64;
    let free: Vec<usize> = (0..week.tasks.len())
        .filter(|&c| week.tasks[c].kind == Kind::Free)
        .collect();
    let mut order = free.clone();
    density_order(week, &mut order, None);
    let mut state = State::new(week, Plan::empty(week));
    insert_all(week, &mut state, &order, &mut work);
    let kept = keep_start(week, &mut work);
    if kept.rank() >= state.rank() {
        state = kept;
    }
    // When the previous plan still mostly stands, repair around what changed before the
    // large neighbourhoods can move whole days.
    let previous: i64 = week
        .tasks
        .iter()
        .flat_map(|t| t.keep.iter().map(|&(s, e)| (e - s) / 60))
        .sum();
    let mut repair_work = 0;
    if 2 * state.kept.iter().sum::<i64>() >= previous {
        repair(week, &mut state, &free, &mut repair_work);
    }
    let seed = 0x9E37_79B9_7F4A_7C15 ^ ((free.len() as u64) << 20) ^ week.grid.len() as u64;
    let mut rng = Rng(seed);
    let mut stale = 0;
    while work < LNS_BUDGET && stale < 2 && !free.is_empty() {
        let before = state.rank();
        let mut hoods: Vec<Vec<usize>> = Vec::new();
        for k in 0..week.days.len() {
            let set: Vec<usize> = free
                .iter()
                .copied()
                .filter(|&c| {
                    state.plan.blocks[c]
                        .iter()
                        .any(|&(slot, _)| week.slot_day[slot] == k)
                })
                .collect();
            if !set.is_empty() {
                hoods.push(set);
            }
        }
        let sched: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&c| !state.plan.blocks[c].is_empty())
            .collect();
        for _ in 0..(8 + free.len() / 2).min(RANDOM_HOODS) {
            let take = 1 + rng.below(5.min(sched.len().max(1)));
            let mut set = Vec::new();
            for _ in 0..take {
                if let Some(&c) = sched.get(rng.below(sched.len()))
                    && !set.contains(&c)
                {
                    set.push(c);
                }
            }
            // Neighbours in time of the first pick join it.
            if let Some(&c) = set.first()
                && let Some(&(slot, _)) = state.plan.blocks[c].first()
            {
                let g = week.grid[slot];
                let i = state.occ.partition_point(|b| b.0 < g);
                for b in state.occ[i.saturating_sub(2)..(i + 2).min(state.occ.len())].iter() {
                    if !set.contains(&b.2) {
                        set.push(b.2);
                    }
                }
            }
            hoods.push(set);
        }
        // Ejections: each unplaced task first into a day emptied of its tasks.
        // Unplaced tasks, and placed ones that end late, with what they wait for.
        let late = |c: usize| {
            let t = &week.tasks[c];
            t.due.is_some_and(|due| {
                state.plan.blocks[c]
                    .iter()
                    .any(|&(slot, m)| week.grid[slot] + m * 60 > due)
            })
        };
        let unplaced: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&c| state.plan.blocks[c].is_empty() || late(c))
            .collect();
        let mut firsts: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        let key = |c: usize| density_key(week, c);
        for &u in unplaced.iter().take(12) {
            let mut chain = Vec::new();
            dependency_chain(week, u, &mut chain);
            for set in hoods.iter().take(week.days.len()) {
                let mut set = set.clone();
                set.extend(chain.iter().filter(|&&c| !state.plan.blocks[c].is_empty()));
                firsts.push((set, chain.clone()));
            }
            let u = *chain.last().unwrap_or(&u);
            // Room on every day: the less dense tasks, or all of them, leave first.
            let lower: Vec<usize> = sched
                .iter()
                .copied()
                .filter(|&c| key(c) <= key(u))
                .collect();
            firsts.push((lower, vec![u]));
            firsts.push((sched.clone(), vec![u]));
        }
        let plain = hoods.into_iter().map(|set| (set, Vec::new()));
        for (i, (set, first)) in plain.chain(firsts).enumerate() {
            if work >= LNS_BUDGET {
                break;
            }
            let variant = if first.is_empty() {
                rng.below(3)
            } else {
                i % 3
            };
            try_hood(
                week, &mut state, &free, &set, &first, variant, &mut rng, &mut work,
            );
        }
        // Each scheduled task alone at its best place.
        for &c in &free {
            if work >= LNS_BUDGET || state.plan.blocks[c].is_empty() {
                continue;
            }
            let has_dependents = week.tasks[c]
                .dependents
                .iter()
                .any(|&d| !state.plan.blocks[d].is_empty());
            let saved = state.plan.blocks[c].clone();
            let old = (state.value[c], state.kept[c]);
            state.remove(week, c);
            match best_place(week, &mut state, c, &mut work) {
                Some((blocks, v))
                    if (v, kept_minutes(week, c, &blocks)) > old
                        && (!has_dependents || blocks_full(week, c, &blocks)) =>
                {
                    state.set(week, c, blocks);
                }
                _ => state.set(week, c, saved),
            }
        }
        if state.rank() > before {
            stale = 0;
        } else {
            stale += 1;
        }
    }
    // The repair has its own budget, after the search's: it only ever ranks the plan higher.
    repair_work = 0;
    repair(week, &mut state, &free, &mut repair_work);
    insert_all(week, &mut state, &free, &mut work);
    state.plan
}

/// Most changed tasks the repair step looks at.
const REPAIR_TASKS: usize = 8;
/// Most tasks the repair step ejects, one at a time, for each changed task.
const REPAIR_EJECTIONS: usize = 48;
/// Share of the budget the repair step may use (a divisor of [`LNS_BUDGET`]).
const REPAIR_SHARE: u64 = 8;

/// Repairs the plan around what changed since the previous plan: each free task not
/// settled at its previous blocks (new, displaced, unplaced or late), densest first, is
/// placed first with one other scheduled task ejected (earliest first), the rest
/// re-inserted, and the plan kept when it ranks higher. The large neighbourhoods empty
/// whole days, which lets a dense new task push every task of its day to new times; this
/// looks for the one neighbour to displace. It runs before the large neighbourhoods when
/// the previous plan still mostly stands, and after them in any case (it only ever ranks
/// the plan higher). Nothing to do without a previous plan.
fn repair(week: &Week, state: &mut State, free: &[usize], work: &mut u64) {
    if week.tasks.iter().all(|t| t.keep.is_empty()) {
        return;
    }
    let limit = *work + LNS_BUDGET / REPAIR_SHARE;
    let settled = |state: &State, c: usize| {
        let placed = state.plan.minutes(c);
        !week.tasks[c].keep.is_empty() && placed > 0 && state.kept[c] == placed
    };
    // An unplaced task that had no previous block is new, or was left out before: worth a
    // repair only when it is denser than some scheduled task it could displace.
    let lightest = free
        .iter()
        .filter(|&&c| !state.plan.blocks[c].is_empty())
        .map(|&c| density_key(week, c))
        .min()
        .unwrap_or(i64::MAX);
    let mut changed: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&c| {
            let t = &week.tasks[c];
            let placed = !state.plan.blocks[c].is_empty();
            !settled(state, c) && (placed || !t.keep.is_empty() || density_key(week, c) > lightest)
        })
        .collect();
    density_order(week, &mut changed, None);
    changed.truncate(REPAIR_TASKS);
    // Variant 0 draws nothing; try_hood takes a generator all the same.
    let mut rng = Rng(0x5EED_0F2E_9A12);
    for &c in &changed {
        if settled(state, c) {
            continue;
        }
        let mut others: Vec<(usize, usize)> = free
            .iter()
            .copied()
            .filter(|&x| x != c)
            .filter_map(|x| state.plan.blocks[x].first().map(|b| (b.0, x)))
            .collect();
        others.sort_unstable();
        for &(_, x) in others.iter().take(REPAIR_EJECTIONS) {
            if *work >= limit {
                return;
            }
            if state.plan.blocks[x].is_empty() {
                continue;
            }
            let set = if state.plan.blocks[c].is_empty() {
                vec![x]
            } else {
                vec![c, x]
            };
            try_hood(week, state, free, &set, &[c], 0, &mut rng, work);
        }
    }
}

/// Removes `set` (with its scheduled dependents), inserts `first` and then every unplaced
/// task in the order `variant` gives (0 densest first, 1 with noise, 2 longest first), and
/// keeps the result only when it ranks strictly higher (score, then minutes kept).
#[allow(clippy::too_many_arguments)]
fn try_hood(
    week: &Week,
    state: &mut State,
    free: &[usize],
    set: &[usize],
    first: &[usize],
    variant: usize,
    rng: &mut Rng,
    work: &mut u64,
) -> bool {
    let mut out = Vec::new();
    let mut taken = vec![false; week.tasks.len()];
    for &c in set {
        with_dependents(week, &state.plan, c, &mut out, &mut taken);
    }
    let old_rank = state.rank();
    let saved: Vec<(usize, Vec<(usize, i64)>)> = out
        .iter()
        .map(|&c| (c, state.plan.blocks[c].clone()))
        .collect();
    for &c in &out {
        state.remove(week, c);
    }
    let mut order: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&c| state.plan.blocks[c].is_empty() && !first.contains(&c))
        .collect();
    match variant {
        0 => density_order(week, &mut order, None),
        1 => density_order(week, &mut order, Some(rng)),
        _ => {
            density_order(week, &mut order, None);
            order.sort_by_key(|&c| std::cmp::Reverse(week.tasks[c].minutes));
        }
    }
    // Only unplaced tasks are inserted (and so cleared again by an undo).
    let first: Vec<usize> = first
        .iter()
        .copied()
        .filter(|&c| state.plan.blocks[c].is_empty())
        .collect();
    // The chain first, in order: what the last one depends on at its earliest.
    for (i, &c) in first.iter().enumerate() {
        if let Some((blocks, _)) = place(week, state, c, i + 1 < first.len(), work) {
            state.set(week, c, blocks);
        }
    }
    let all: Vec<usize> = first.iter().copied().chain(order).collect();
    insert_all(week, state, &all, work);
    if state.rank() > old_rank {
        return true;
    }
    // Undo: clear what was inserted, restore what left.
    for &c in &all {
        if !taken[c] {
            state.remove(week, c);
        }
    }
    for (c, blocks) in saved {
        state.set(week, c, blocks);
    }
    false
}

fn blocks_full(week: &Week, c: usize, blocks: &[(usize, i64)]) -> bool {
    blocks.iter().map(|b| b.1).sum::<i64>() == week.tasks[c].minutes
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeos_core::plan::PlanWeekRequest;

    fn week(n: usize) -> (PlanWeekRequest, Week) {
        let list: Vec<String> = (0..n)
            .map(|i| {
                let chunks = if i % 3 == 0 {
                    r#","maxChunkMinutes":60"#
                } else {
                    ""
                };
                format!(
                    r#"{{"id":"00000000-0000-4000-8000-{i:012}","priority":{},"estimatedMinutes":{}{chunks},"dueDate":"2026-03-1{}T12:00:00Z"}}"#,
                    i % 4,
                    if i % 3 == 0 { 180 } else { 15 + (i * 7) % 50 },
                    i % 6
                )
            })
            .collect();
        let json = format!(
            r#"{{"timezone":"UTC","today":"2026-03-09","currentTime":"2026-03-09T07:00:00Z","horizonDays":5,"tasks":[{}]}}"#,
            list.join(",")
        );
        let request = PlanWeekRequest::from_json(&json).unwrap();
        let week = Week::new(&request);
        (request, week)
    }

    #[test]
    fn the_planner_scores_its_plan_as_the_validator_does() {
        for n in [1, 7, 20, 40] {
            let (request, w) = week(n);
            let plan = search(&w);
            let response = crate::week::explain::respond(&w, &plan);
            let checked = crate::week::validate_week(&request, &response).unwrap();
            assert_eq!(plan.score(&w), checked.quarter_points);
            let per_task: i64 = (0..w.tasks.len()).map(|c| plan.task_value(&w, c)).sum();
            assert_eq!(per_task, checked.quarter_points);
        }
    }
}
