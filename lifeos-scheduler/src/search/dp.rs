//! The exact dynamic program over the 5-minute grid: state (position, set of placed
//! tasks), one move per task start. It solves a whole small day, or one neighbourhood of the
//! local search with every other block fixed; there it only looks for a strictly better
//! re-plan and drops, as soon as they are made, states whose upper bound cannot reach one.

use super::Plan;
use crate::model::{Day, Kind};

/// Most DP table entries (positions x sets) one program may allocate.
const MAX_ENTRIES: usize = 2_000_000;

/// Reusable buffers of the dynamic program: the local search solves thousands of small
/// neighbourhoods, so each run reuses the last one's allocations.
#[derive(Default)]
pub(super) struct Dp {
    best: Vec<i64>,
    from: Vec<(u32, u8)>,
    /// Masks reached at each position (empty between runs).
    active: Vec<Vec<u32>>,
    /// Whether each task of the day is in the set being re-planned (all false between runs).
    except: Vec<bool>,
    /// Blocks of the tasks outside the set, sorted.
    blocks: Vec<(i64, i64)>,
    /// Candidate starts of every task of the set, task after task.
    cand: Vec<u32>,
    /// Where each task's candidates end in `cand`.
    cand_end: Vec<usize>,
    /// Grid slots where some task of the set may start, ascending: the positions.
    slots: Vec<u32>,
    /// Moves by position, then task: (position, task, objective, next position).
    at: Vec<(u32, u8, i64, u32)>,
    /// Where each position's moves start in `at` (one more entry than positions).
    at_start: Vec<usize>,
    mask_minutes: Vec<i64>,
    /// Per grid slot: its position, or `u32::MAX` when no candidate starts there.
    pos_of: Vec<u32>,
    merged: Vec<(i64, i64)>,
    /// Minutes the set's candidate blocks cover from each position on.
    time_left: Vec<i64>,
    /// Score from each position on were every task reusable.
    reuse: Vec<i64>,
    /// Per mask: the knapsack bound under the cap left, or -1 before it is needed.
    cap_bound: Vec<i64>,
}

const SKIP: u8 = u8::MAX;

impl Dp {
    /// Clears the cells the last run touched, and its lists of reached masks.
    fn reset(&mut self, masks: usize) {
        for (p, list) in self.active.iter_mut().enumerate() {
            for &m in list.iter() {
                self.best[p * masks + m as usize] = i64::MIN;
            }
            list.clear();
        }
    }
}
/// Scale of the score in the program's objective; the rest orders ties by earliness.
const TIE: i64 = 1 << 20;

impl Dp {
    /// Re-plans the free tasks `set` (at most `EXACT_K`) optimally with everything else of
    /// `plan` fixed. Returns the work done (cells) and whether the plan changed.
    ///
    /// With `improve`, only a re-plan scoring strictly more than the set's current blocks
    /// counts (the local search keeps nothing else), so the program drops every state that
    /// cannot reach one and leaves the plan as it is when none exists.
    pub(super) fn solve(
        &mut self,
        day: &Day,
        plan: &mut Plan,
        set: &[usize],
        limit: u64,
        improve: bool,
    ) -> (u64, bool) {
        self.except.resize(day.tasks.len(), false);
        for &c in set {
            self.except[c] = true;
        }
        let out = self.run(day, plan, set, limit, improve);
        for &c in set {
            self.except[c] = false;
        }
        out
    }

    fn run(
        &mut self,
        day: &Day,
        plan: &mut Plan,
        set: &[usize],
        limit: u64,
        improve: bool,
    ) -> (u64, bool) {
        let n = set.len();
        let except = &self.except;
        plan.blocks_into(day, except, &mut self.blocks);
        let blocks = &self.blocks;
        let fixed_minutes: i64 = plan
            .slot
            .iter()
            .enumerate()
            .filter(|(c, s)| !except[*c] && s.is_some())
            .map(|(c, _)| day.tasks[c].minutes)
            .sum();
        let cap = day.cap_left - fixed_minutes;
        // Per task: dependency mask inside the set, window of starts, whether required.
        let mut depmask = vec![0usize; n];
        let mut earliest = vec![i64::MIN; n];
        let mut latest_end = vec![i64::MAX; n];
        let mut required = 0usize;
        let mut possible = vec![true; n];
        for (j, &c) in set.iter().enumerate() {
            let t = &day.tasks[c];
            for &d in &t.deps {
                if let Some(p) = set.iter().position(|&x| x == d) {
                    depmask[j] |= 1 << p;
                } else {
                    match (day.tasks[d].kind, plan.slot[d]) {
                        (Kind::Pinned(_), _) => {}
                        (Kind::Free, Some(dk)) => {
                            earliest[j] = earliest[j].max(day.grid[dk as usize] + day.tasks[d].dur);
                        }
                        _ => possible[j] = false,
                    }
                }
            }
            for &d in &t.dependents {
                if except[d] {
                    continue;
                }
                if let Some(dk) = plan.slot[d] {
                    required |= 1 << j;
                    latest_end[j] = latest_end[j].min(day.grid[dk as usize]);
                }
            }
        }
        // Candidate starts per task, and the slot set.
        let cand = &mut self.cand;
        let cand_end = &mut self.cand_end;
        cand.clear();
        cand_end.clear();
        for (j, &c) in set.iter().enumerate() {
            let t = &day.tasks[c];
            if possible[j] {
                // Starts ascend and the fixed blocks are disjoint and sorted, so the first
                // block ending after a start only moves forward: one walk, no searches.
                let mut b = 0;
                for &k in &t.starts {
                    let g = day.grid[k as usize];
                    if g < earliest[j] {
                        continue;
                    }
                    if g + t.dur > latest_end[j] {
                        break;
                    }
                    while b < blocks.len() && blocks[b].1 <= g {
                        b += 1;
                    }
                    if b == blocks.len() || blocks[b].0 >= g + t.dur {
                        cand.push(k);
                    }
                }
            }
            cand_end.push(cand.len());
        }
        let cand_of = |j: usize| &cand[if j == 0 { 0 } else { cand_end[j - 1] }..cand_end[j]];
        // Positions: the grid slots some candidate uses, in order (marked, not sorted).
        let pos_of = &mut self.pos_of;
        pos_of.clear();
        pos_of.resize(day.grid.len(), u32::MAX);
        for &k in cand.iter() {
            pos_of[k as usize] = 0;
        }
        let slots = &mut self.slots;
        slots.clear();
        for (k, pos) in pos_of.iter_mut().enumerate() {
            if *pos == 0 {
                *pos = slots.len() as u32;
                slots.push(k as u32);
            }
        }
        let pos_of = &self.pos_of;
        let slots = &self.slots;
        let p_len = slots.len();
        let masks = 1usize << n;
        let size = (p_len + 1) * masks;
        if size > MAX_ENTRIES {
            return (0, false);
        }
        // Per position: the tasks that may start there (by task), with objective and the
        // next position after the block; and each task's best value.
        let minutes: Vec<i64> = set.iter().map(|&c| day.tasks[c].minutes).collect();
        let mut best_val = vec![0i64; n];
        // Moves bucketed by position (a counting sort), task after task within one.
        let at_start = &mut self.at_start;
        at_start.clear();
        at_start.resize(p_len + 2, 0);
        for &k in cand.iter() {
            at_start[pos_of[k as usize] as usize + 2] += 1;
        }
        for p in 2..at_start.len() {
            at_start[p] += at_start[p - 1];
        }
        let at = &mut self.at;
        at.clear();
        at.resize(cand.len(), (0, 0, 0, 0));
        for j in 0..n {
            let c = set[j];
            for &k in cand_of(j) {
                let p = pos_of[k as usize] as usize;
                let g = day.grid[k as usize];
                let end = g + day.tasks[c].dur;
                let q = (p + slots[p..].partition_point(|&s| day.grid[s as usize] < end)) as u32;
                let value = day.value(c, g);
                best_val[j] = best_val[j].max(value);
                // Score first, then earlier starts: ties prefer the earlier plan.
                at[at_start[p + 1]] = (p as u32, j as u8, value * TIE - i64::from(k), q);
                at_start[p + 1] += 1;
            }
        }
        at_start.pop();
        let at = &self.at;
        let at_start = &self.at_start;
        // When improving, states that cannot beat the set's current blocks are dropped as
        // soon as they are made: `need` is the least objective a better plan can have (its
        // slot-index tie term is below `slack`).
        let incumbent: i64 = set
            .iter()
            .filter_map(|&c| plan.slot[c].map(|k| day.value(c, day.grid[k as usize])))
            .sum();
        let slack = (day.grid.len() as i64 + 1) * n as i64;
        let need = (incumbent + 1) * TIE - slack;
        let mut by_density: Vec<usize> = (0..n).filter(|&j| !cand_of(j).is_empty()).collect();
        by_density.sort_by(|&a, &b| {
            (best_val[b] * minutes[a])
                .cmp(&(best_val[a] * minutes[b]))
                .then(a.cmp(&b))
        });
        // Minutes that blocks starting at or after each position can still cover: the
        // union of the set's candidate blocks from there on.
        let merged = &mut self.merged;
        merged.clear();
        // The moves come by position, so their blocks come by start.
        for &(p, j, _, _) in at.iter() {
            let s = day.grid[slots[p as usize] as usize];
            let e = s + day.tasks[set[j as usize]].dur;
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let time_left = &mut self.time_left;
        time_left.clear();
        time_left.resize(p_len + 1, 0);
        let (mut i, mut after) = (merged.len(), 0);
        for p in (0..p_len).rev() {
            let t = day.grid[slots[p] as usize];
            while i > 0 && merged[i - 1].0 >= t {
                i -= 1;
                after += merged[i].1 - merged[i].0;
            }
            let partial = if i > 0 {
                (merged[i - 1].1 - t).max(0)
            } else {
                0
            };
            time_left[p] = (after + partial) / 60;
        }
        let time_left = &self.time_left;
        // Most score blocks from each position on may add were every task reusable: it sees
        // which gaps a task fits, which the knapsack below does not.
        let reuse = &mut self.reuse;
        reuse.clear();
        reuse.resize(p_len + 1, 0);
        for p in (0..p_len).rev() {
            reuse[p] = reuse[p + 1];
            for &(_, _, val, q) in &at[at_start[p]..at_start[p + 1]] {
                reuse[p] = reuse[p].max((val + TIE - 1) / TIE + reuse[q as usize]);
            }
        }
        let reuse = &self.reuse;
        // Most score the tasks outside `m` may still add in `room` minutes: a fractional
        // knapsack of their best values.
        let knap = |m: usize, room: i64| -> i64 {
            let mut room = room;
            let mut total = 0;
            for &j in &by_density {
                if room <= 0 {
                    break;
                }
                if m & (1 << j) != 0 {
                    continue;
                }
                if minutes[j] <= room {
                    total += best_val[j];
                    room -= minutes[j];
                } else {
                    total += (best_val[j] * room + minutes[j] - 1) / minutes[j];
                    room = 0;
                }
            }
            total
        };
        // Work: the states expanded, plus the set-up over every task and candidate.
        let mut cells = (day.tasks.len() + cand.len()) as u64 * 4;
        if improve && knap(0, cap.min(time_left[0])).min(reuse[0]) * TIE < need {
            return ((day.tasks.len() + n) as u64 * 4, true);
        }
        // The knapsack under the cap alone, per mask, computed when first needed.
        let cap_bound = &mut self.cap_bound;
        cap_bound.clear();
        if improve {
            cap_bound.resize(masks, -1);
        }
        let mask_minutes = &mut self.mask_minutes;
        mask_minutes.clear();
        mask_minutes.resize(masks, 0);
        for m in 1..masks {
            let low = m.trailing_zeros() as usize;
            mask_minutes[m] = mask_minutes[m & (m - 1)] + minutes[low];
        }
        let mask_minutes = &self.mask_minutes;
        if self.best.len() < size {
            self.best.resize(size, i64::MIN);
            self.from.resize(size, (0, SKIP));
        }
        if self.active.len() < p_len + 1 {
            self.active.resize(p_len + 1, Vec::new());
        }
        let best = &mut self.best;
        let from = &mut self.from;
        let active = &mut self.active;
        best[0] = 0;
        active[0].push(0);
        let mut over = false;
        for p in 0..p_len {
            let starts_here = &at[at_start[p]..at_start[p + 1]];
            let list = std::mem::take(&mut active[p]);
            cells += (list.len() * (starts_here.len() + 1)) as u64;
            for &m in &list {
                let m = m as usize;
                let cur = best[p * masks + m];
                let skip = (p + 1) * masks + m;
                if best[skip] == i64::MIN {
                    active[p + 1].push(m as u32);
                }
                if cur > best[skip] {
                    best[skip] = cur;
                    from[skip] = (p as u32, SKIP);
                }
                for &(_, j, val, q) in starts_here {
                    let j = j as usize;
                    if m & (1 << j) != 0
                        || depmask[j] & m != depmask[j]
                        || mask_minutes[m] + minutes[j] > cap
                    {
                        continue;
                    }
                    let q = q as usize;
                    let nm = m | (1 << j);
                    let v = cur + val;
                    if improve {
                        // The cheap bounds first; the tighter one under the minutes the
                        // candidates still cover only when those are below the cap left.
                        let room = cap - mask_minutes[nm];
                        if v + reuse[q] * TIE < need {
                            continue;
                        }
                        if cap_bound[nm] < 0 {
                            cap_bound[nm] = knap(nm, room);
                        }
                        if v + cap_bound[nm] * TIE < need
                            || (time_left[q] < room && v + knap(nm, time_left[q]) * TIE < need)
                        {
                            continue;
                        }
                    }
                    let idx = q * masks + nm;
                    if best[idx] == i64::MIN {
                        active[q].push(nm as u32);
                    }
                    if v > best[idx] {
                        best[idx] = v;
                        from[idx] = (p as u32, j as u8);
                    }
                }
            }
            active[p] = list;
            if cells > limit {
                over = true;
                break;
            }
        }
        if over {
            // Over its budget: give up on this neighbourhood, the plan unchanged.
            self.reset(masks);
            return (cells, false);
        }
        // Best final mask holding every required task.
        let mut best_m = None;
        active[p_len].sort_unstable();
        for &m in &active[p_len] {
            let m = m as usize;
            let v = best[p_len * masks + m];
            if v != i64::MIN && m & required == required && best_m.is_none_or(|(bv, _)| v > bv) {
                best_m = Some((v, m));
            }
        }
        let Some((_, mut m)) = best_m else {
            self.reset(masks);
            return (cells, true);
        };
        for &c in set {
            plan.slot[c] = None;
        }
        let mut q = p_len;
        while q > 0 || m != 0 {
            let (p, j) = from[q * masks + m];
            if j != SKIP {
                plan.slot[set[j as usize]] = Some(slots[p as usize]);
                m &= !(1 << j);
            }
            q = p as usize;
            if q == 0 && m == 0 {
                break;
            }
        }
        self.reset(masks);
        (cells, true)
    }
}
