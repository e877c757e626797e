//! A reload as a transaction: load and check everything while the program
//! runs on, swap at a safe point, report; and the way back when the new
//! code fails at once (the grace window).
// `Rollback` keeps raw state addresses across threads (its SAFETY comment).
#![allow(unsafe_code)]

use super::{Host, APPLYING, GATE, MAIN_THREAD, RESTART_MAIN};
use crate::hmr::protocol::{now_ms, Reply};
use crate::hmr::{LoadedModule, LoadedState, ModuleId, Snapshot, StateReport, Update};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Enough of the program before a reload to go back to it.
pub(super) struct Rollback {
    at: Instant,
    files: Vec<&'static str>,
    indices: Vec<usize>,
    /// Per replaced row: the old library, its state addresses, its cells.
    rows: Vec<(usize, LoadedModule, Vec<*mut std::ffi::c_void>, Snapshot)>,
    /// Kept states (shared memory): their values at the swap, as text, and
    /// how to put them back (the old library's `migrate`).
    kept: Vec<(String, *mut std::ffi::c_void, LoadedState)>,
}

// SAFETY: the pointers are addresses of runtime-owned state values, used
// only under the program lock.
unsafe impl Send for Rollback {}

/// The grace window: a runtime error in `main` this soon after a reload
/// rolls the reload back (`AETHER_HMR_GRACE_MS`, default 2000; 0 turns it
/// off).
fn grace() -> Duration {
    let ms = std::env::var("AETHER_HMR_GRACE_MS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(2000);
    Duration::from_millis(ms)
}

/// The state addresses row `i` will have in `update`.
fn update_states_of(update: &Update<'_>, i: usize) -> Vec<*mut std::ffi::c_void> {
    update.states_of(ModuleId(i))
}

/// What a reload changed, for its report line.
struct Applied {
    files: Vec<&'static str>,
    reports: Vec<(&'static str, StateReport)>,
}

impl Host {
    /// Apply a `reload` command and report how it went.
    pub(super) fn reload(&self, modules: &[(usize, PathBuf)], saved_ms: u128, changed: usize, restart_main: bool) {
        let files: Vec<&'static str> =
            modules.iter().map(|(i, _)| self.program.modules.get(*i).map_or("?", |m| m.file)).collect();
        match self.apply(modules, restart_main) {
            Ok(applied) => {
                let ms = now_ms().saturating_sub(saved_ms);
                let (mut kept, mut migrated, mut reset, mut new) = (0, 0, 0, 0);
                for (file, report) in &applied.reports {
                    kept += report.kept.len();
                    migrated += report.migrated.len();
                    reset += report.reset.len();
                    new += report.new.len();
                    for warning in crate::hmr::say::fold_elements(&report.warnings) {
                        eprintln!("[aether] warning: {file}: {warning}");
                    }
                    for name in &report.reset {
                        let tick = format!("state `{name}`");
                        if report.warnings.iter().any(|w| w.contains(&tick)) {
                            continue;
                        }
                        eprintln!(
                            "[aether] warning: state `{name}` of {file} changed type and could not be carried over; \
                             reset to its initializer"
                        );
                    }
                }
                let new = if new > 0 { format!(", new: {new}") } else { String::new() };
                eprintln!(
                    "[aether] reloaded {} in {ms} ms ({changed} function{} changed, state kept: {kept}, migrated: {migrated}, reset: {reset}{new})",
                    applied.files.join(", "),
                    if changed == 1 { "" } else { "s" }
                );
                self.send_reply(&Reply::Reloaded);
            }
            Err(why) => {
                eprintln!("[aether] reload of {} refused; the old code and state keep running:", files.join(", "));
                eprintln!("  {why}");
                // The supervisor keeps what it knows runs: the next save
                // rebuilds everything this reload would have replaced.
                self.send_reply(&Reply::Refused { reason: why });
            }
        }
    }

    /// The transaction: prepare everything, then swap at a safe point.
    fn apply(&self, modules: &[(usize, PathBuf)], restart_main: bool) -> Result<Applied, String> {
        let mut loaded = Vec::new();
        for (i, path) in modules {
            loaded.push((*i, self.load(*i, Some(path))?));
        }
        // Before `update()`, which holds the tables' writer lock.
        let old: Vec<(usize, LoadedModule)> =
            loaded.iter().filter_map(|(i, _)| Some((*i, self.tables.current(ModuleId(*i))?))).collect();
        let old_rows: Vec<(usize, LoadedModule, Vec<*mut std::ffi::c_void>, Snapshot)> = {
            let states = self.lock_states();
            old.iter()
                .map(|(i, m)| (*i, m.clone(), self.tables.current_states(ModuleId(*i)), states.snapshot(&m.name)))
                .collect()
        };
        let mut update = self.tables.update();
        let mut plans = Vec::new();
        {
            let states = self.lock_states();
            for (i, module) in &loaded {
                let plan = states.prepare(module).map_err(|e| e.to_string())?;
                update.replace(ModuleId(*i), module.clone()).map_err(|e| e.to_string())?;
                update.set_states(ModuleId(*i), plan.addresses()).map_err(|e| e.to_string())?;
                plans.push((*i, plan));
            }
        }
        update.check().map_err(|e| e.to_string())?;

        // Wait for the running code to reach a safe point, then hold the gate.
        let _one_at_a_time = self.swapping.lock().unwrap_or_else(|p| p.into_inner());
        self.tables.set_pending(true);
        GATE.acquire();
        APPLYING.with(|a| a.set(true));
        let mut unreachable = Vec::new();
        let result = (|| {
            // New state is initialized against the program as it will be:
            // the new libraries' slots point at the new generation.
            update.bind_new_libraries();
            let order = self.program.init_order;
            plans.sort_by_key(|(i, _)| order.iter().position(|m| m == i).unwrap_or(usize::MAX));
            for (_, plan) in plans.iter_mut() {
                plan.initialize().map_err(|e| e.to_string())?;
            }
            for (i, module) in &old {
                let file = self.program.modules.get(*i).map_or("?", |m| m.file);
                self.run_hooks(module, &module.before_reload, "@before_reload", file);
            }
            // The values of states the new code shares with the old, as they
            // are now: what a rollback puts back.
            let mut kept = Vec::new();
            for (i, module, ptrs, _) in &old_rows {
                let new_ptrs = update_states_of(&update, *i);
                for (s, state) in module.states.iter().enumerate() {
                    let Some(&ptr) = ptrs.get(s) else { continue };
                    if !new_ptrs.contains(&ptr) || ptr.is_null() {
                        continue;
                    }
                    if let Ok(text) = (state.save)(ptr.cast_const()).into_result() {
                        kept.push((text.into_string(), ptr, state.clone()));
                    }
                }
            }
            update.publish().map_err(|e| e.to_string())?;
            *self.last_reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(Rollback {
                at: Instant::now(),
                files: loaded.iter().map(|(i, _)| self.program.modules.get(*i).map_or("?", |m| m.file)).collect(),
                indices: loaded.iter().map(|(i, _)| *i).collect(),
                rows: old_rows,
                kept,
            });
            let mut states = self.lock_states();
            let mut reports = Vec::new();
            for (i, plan) in plans {
                let file = self.program.modules.get(i).map_or("?", |m| m.file);
                reports.push((file, plan.commit(&mut states)));
            }
            // Old versions nothing can reach any more are chosen now, while
            // every thread that runs Aether code is held at a safe point;
            // they are closed once the program runs again (below).
            unreachable = self.tables.unloadable();
            for module in &unreachable {
                states.forget_library(module);
            }
            drop(states);
            for (i, module) in &loaded {
                let file = self.program.modules.get(*i).map_or("?", |m| m.file);
                self.run_hooks(module, &module.on_reload, "@on_reload", file);
            }
            let files = loaded.iter().map(|(i, _)| self.program.modules.get(*i).map_or("?", |m| m.file)).collect();
            Ok(Applied { files, reports })
        })();
        APPLYING.with(|a| a.set(false));
        self.tables.set_pending(false);
        if restart_main && result.is_ok() && MAIN_THREAD.get().is_some() {
            // The running `main` unwinds at its next call (see
            // `unwind_requested`) and starts again with the new code.
            RESTART_MAIN.store(true, Ordering::Release);
            self.tables.set_flags(true);
        }
        if result.is_ok() {
            super::restart::swapped();
        }
        GATE.release();
        // Closing a library (unmapping it, running its finalizers) takes a
        // while and needs no safe point, so the program is not held for it.
        for module in &unreachable {
            // SAFETY: `unloadable` took it out of every table while the
            // program lock was held: no call of its code was in progress
            // (its count was zero), it is neither current nor previous, so
            // nothing calls it again, and it made no function value; the
            // state values only it could drop were forgotten.
            unsafe { crate::hmr::loader::unload(&module.copy) };
        }
        result
    }

    /// After `main` failed: if a reload landed within the grace window, put
    /// the program back as it was before it (old code, and the state values
    /// as they were at the swap) and say so, with `error` (the runtime error,
    /// its `.ae` location first), for the status a program shows. True when
    /// it rolled back.
    pub(super) fn roll_back_if_recent(&self, error: &str) -> bool {
        // The gate first: a reload applied meanwhile replaces the record and
        // may unload what an older record would put back.
        GATE.acquire();
        let record = {
            let mut last = self.last_reload.lock().unwrap_or_else(|p| p.into_inner());
            match last.as_ref() {
                Some(r) if r.at.elapsed() <= grace() => last.take(),
                _ => None,
            }
        };
        let Some(record) = record else {
            GATE.release();
            return false;
        };
        let mut update = self.tables.update();
        let mut ok = true;
        for (i, module, ptrs, _) in &record.rows {
            ok &= update.replace(ModuleId(*i), module.clone()).is_ok();
            ok &= update.set_states(ModuleId(*i), ptrs.clone()).is_ok();
        }
        let published = ok && update.publish().is_ok();
        if published {
            for (text, ptr, state) in &record.kept {
                let _ =
                    (state.migrate)(text.as_ptr(), text.len(), *ptr).into_result().map(|m| m.warnings.into_string());
            }
            let mut states = self.lock_states();
            for (_, _, _, snapshot) in record.rows {
                states.restore(snapshot);
            }
            super::restart::swapped();
        }
        GATE.release();
        if !published {
            eprintln!("[aether] the previous version could not be put back; the program keeps the new code");
            return false;
        }
        eprintln!(
            "[aether] the new code of {} failed within {} ms of the reload: rolled back to the previous version, \
             state restored as it was at the reload; save again to retry",
            record.files.join(", "),
            grace().as_millis()
        );
        // `message\n  --> file.ae:3:9` (`crate::fail`) as `file.ae:3:9: message`.
        let message = error.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
        let error = match error.lines().find_map(|l| l.trim().strip_prefix("--> ")) {
            Some(at) => format!("{at}: {message}"),
            None => message.to_string(),
        };
        self.send_reply(&Reply::RolledBack { modules: record.indices, error });
        true
    }
}
