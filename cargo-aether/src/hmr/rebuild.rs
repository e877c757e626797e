//! After a save: re-check, regenerate and rebuild the crates whose files
//! changed, and say what to send the host (or why nothing is sent). The
//! rule that makes this small is in [`rebuild`]'s comment.

use super::prepare::{cargo_build, explain_rustc_failure, write_all};
use super::timings::{Step, Timings};
use super::{Build, Current, Session};
use crate::report::Action;
use aether_rt::abi::Tuned;
use aether_transpile::driver::Analysis;
use std::collections::HashMap;
use std::path::PathBuf;

/// What to send the host after a rebuild: the modules to swap together
/// (index, library), how many functions changed in them, and whether the
/// running `main` changed (it then starts again with the new code).
pub(super) struct Reload {
    pub modules: Vec<(usize, PathBuf)>,
    pub changed: usize,
    pub restart_main: bool,
    /// What runs once the host has applied it; until it says so, the
    /// supervisor's [`Current`] stays what it was.
    pub next: Current,
    /// How long each step took (the watch step is the caller's).
    pub timings: Timings,
    /// Constants whose values changed (`codegen::hmr::Tunable`), sent just
    /// before the reload.
    pub tuned: Vec<(String, Tuned)>,
}

/// A save that changed nothing but constants' values: sent as they are, with
/// nothing built.
pub(super) struct Tune {
    pub values: Vec<(String, Tuned)>,
    pub next: Current,
    pub timings: Timings,
}

/// What a save leads to.
pub(super) enum Rebuilt {
    Reload(Reload),
    Tune(Tune),
    /// Nothing to send (the reason was printed).
    Nothing,
    /// A change that cannot be applied live, and why.
    Restart(String),
    /// The check failed (nothing printed yet): perhaps a save half done,
    /// see [`report_errors`].
    Errors(Analysis),
}

/// At most this many checks of one save with the files that joined it.
const MAX_RECHECKS: usize = 8;

/// Re-check, regenerate and rebuild after a save: the reload to send,
/// nothing (the reason is printed), or a restart to make.
///
/// A module crate holds its own code and the interfaces of the modules it
/// imports (see `codegen/hmr.rs`), so the crates whose generated files
/// changed are exactly the ones to rebuild: an edited function body changes
/// one crate, a changed type or signature changes its module's crate and
/// every crate built against it. They are built in one cargo run and swapped
/// in one step.
///
/// `current` is what the host runs (as far as it has said): a refused reload
/// never became current, so the next save compares against what really runs
/// and rebuilds everything the refused one would have replaced.
///
/// `more_saves` says whether files were saved while the sources were
/// checked and generated (and gathers them into the caller's batch): then
/// they are checked again, with the rest of that save. The watcher waits
/// only a short `settle` after a complete save, and this takes the place of
/// a longer one: an editor's "save all" that is still arriving while the
/// first file is checked ends up in the same reload, and a lone save does
/// not wait for files that never come (issue #13).
pub(super) fn rebuild(
    session: &Session<'_>,
    build: &Build,
    current: &mut Current,
    more_saves: &mut dyn FnMut() -> bool,
) -> Rebuilt {
    let mut timings = Timings::default();
    let name = session.name();
    let mut rounds = 0;
    let (analysis, generated, bindings, step) = loop {
        rounds += 1;
        let step = Step::start();
        let analysis = session.analyze();
        timings.check = step.done();
        let step = Step::start();
        if analysis.has_errors() {
            return Rebuilt::Errors(analysis);
        }
        let generated = session.generate(&analysis, &build.opts);
        // Saves that keep coming (a tool writing the tree) are left to the
        // next reload after a few rounds, as the watcher's `max_delay` does.
        if rounds < MAX_RECHECKS && more_saves() {
            continue;
        }
        match generated {
            Ok((generated, bindings)) => break (analysis, generated, bindings, step),
            Err(refusals) => {
                let text: String = refusals.iter().map(|d| d.render(&analysis.program.sources)).collect();
                refused(&text.lines().collect::<Vec<_>>());
                return Rebuilt::Nothing;
            }
        }
    };
    super::emit_warnings(&analysis, &name);
    if bindings != current.bindings {
        return Rebuilt::Restart(format!(
            "the Rust host compiles against what changed (a type, constant or signature of a module, or an \
             `extern fn`); restart `{}` to rebuild the host",
            build.command
        ));
    }
    let old_names: Vec<&str> = current.generated.modules.iter().map(|m| m.name.as_str()).collect();
    let new_names: Vec<&str> = generated.modules.iter().map(|m| m.name.as_str()).collect();
    if old_names != new_names {
        return Rebuilt::Restart(format!(
            "modules were added, removed or renamed; restart `{}` to use the change",
            build.command
        ));
    }
    let changed: Vec<usize> = current
        .generated
        .modules
        .iter()
        .zip(&generated.modules)
        .enumerate()
        .filter(|(_, (old, new))| old.files != new.files)
        .map(|(i, _)| i)
        .collect();
    let tuned = tuned_values(current, &generated);
    if changed.is_empty() && !tuned.is_empty() {
        timings.generate = step.done();
        timings.builder = "none";
        let next = Current { analysis, generated, bindings };
        return Rebuilt::Tune(Tune { values: tuned, next, timings });
    }
    if changed.is_empty() {
        // Said out loud: after an error was fixed by undoing it, this is how
        // the user learns the program is in sync again.
        say!("[aether] checked: no code changed, nothing to reload");
        super::status::set("checked: no code changed");
        current.analysis = analysis;
        return Rebuilt::Nothing;
    }
    let fixed: Vec<String> = changed
        .iter()
        .filter_map(|i| generated.modules.get(*i))
        .filter(|m| m.excluded)
        .map(|m| {
            format!(
                "{}: excluded from hot reloading (`@no_hmr` or `hmr-exclude`); restart `{}` to use the change",
                m.file, build.command
            )
        })
        .collect();
    if !fixed.is_empty() {
        return Rebuilt::Restart(fixed.join("; "));
    }
    if let Err(e) = write_all(&build.ws, &generated) {
        refused(&[e.to_string().as_str()]);
        return Rebuilt::Nothing;
    }
    timings.generate = step.done();
    let packages: Vec<&str> =
        changed.iter().filter_map(|i| generated.modules.get(*i)).map(|m| m.package.as_str()).collect();
    let step = Step::start();
    let built = match replayed(build, current, &generated, &changed) {
        Ok(linked) => {
            timings.builder = "rustc";
            timings.linked = Some(linked);
            Ok(Ok(()))
        }
        Err(why) => {
            timings.builder = "cargo";
            if let (true, super::replay::NoReplay::Failed(reason)) = (build.timings, why) {
                say!("[aether] timings: replaying rustc failed, cargo builds instead:\n{reason}");
            }
            cargo_build(build, &packages, true, false)
        }
    };
    (timings.build, timings.crates) = (Some(step.done()), packages.len());
    match built {
        Ok(Ok(())) => {}
        Ok(Err(failure)) => {
            say!("{}", failure.text());
            let files: Vec<&str> =
                changed.iter().filter_map(|i| generated.modules.get(*i)).map(|m| m.file.as_str()).collect();
            explain_rustc_failure(&build.ws, Some(&files.join(", ")));
            super::status::set(&format!("not reloaded: rustc rejected the code generated from {}", files.join(", ")));
            return Rebuilt::Nothing;
        }
        Err(e) => {
            refused(&[e.to_string().as_str()]);
            return Rebuilt::Nothing;
        }
    }
    let functions = changed.iter().map(|i| changed_functions(&current.analysis, &analysis, *i)).sum();
    let modules = changed.iter().filter_map(|i| Some((*i, generated.modules.get(*i)?.library.clone()))).collect();
    let restart_main = main_changed(&current.analysis, &analysis);
    let next = Current { analysis, generated, bindings };
    Rebuilt::Reload(Reload { modules, changed: functions, restart_main, next, timings, tuned })
}

/// Rebuild the `changed` modules' crates by replaying rustc (`replay.rs`),
/// when nothing but their Rust sources changed.
fn replayed(
    build: &Build,
    current: &Current,
    generated: &aether_transpile::codegen::hmr::HmrGenerated,
    changed: &[usize],
) -> Result<&'static str, super::replay::NoReplay> {
    use super::replay::{NoReplay, Unit};
    // A manifest of the workspace or the host changed: the build graph may
    // have. The host's Rust (its table of functions, which an interface edit
    // changes) is no part of a module crate's build: a reload never
    // rebuilds the host, so it does not stop a replay.
    let manifests = |files: &[(PathBuf, String)]| -> Vec<(PathBuf, String)> {
        files.iter().filter(|(p, _)| p.extension().is_none_or(|e| e != "rs")).cloned().collect()
    };
    if manifests(&current.generated.files) != manifests(&generated.files) {
        return Err(NoReplay::NotRecorded);
    }
    let mut units = Vec::new();
    for &i in changed {
        let (Some(old), Some(new)) = (current.generated.modules.get(i), generated.modules.get(i)) else {
            return Err(NoReplay::NotRecorded);
        };
        let krate = new.package.as_str();
        let same_paths =
            old.files.len() == new.files.len() && old.files.iter().zip(&new.files).all(|((a, _), (b, _))| a == b);
        let only_rust =
            new.files.iter().zip(&old.files).all(|((p, a), (_, b))| a == b || p.extension().is_some_and(|e| e == "rs"));
        if !same_paths || !only_rust {
            build.replay.forget(krate);
            return Err(NoReplay::NotRecorded);
        }
        units.push(Unit { krate, library: &new.library });
    }
    build.replay.replay(&build.ws, &units)
}

/// The constants read from the host whose values differ from what runs (or
/// that are new).
fn tuned_values(current: &Current, generated: &aether_transpile::codegen::hmr::HmrGenerated) -> Vec<(String, Tuned)> {
    let before: HashMap<&str, &Tuned> = current.generated.tunables.iter().map(|t| (t.key.as_str(), &t.value)).collect();
    generated
        .tunables
        .iter()
        .filter(|t| before.get(t.key.as_str()) != Some(&&t.value))
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// Print the errors of a save that did not check.
pub(super) fn report_errors(session: &Session<'_>, analysis: &Analysis) {
    super::emit(analysis, Action { verb: "reload", done: "Checked" }, &session.name());
    super::status::set(&super::status::first_error(analysis));
    say!("[aether] not reloaded: the old code keeps running; fix the error and save again");
}

/// Print why a change was not applied.
pub(super) fn refused(lines: &[&str]) {
    super::status::set(&format!("refused: {}", lines.first().copied().unwrap_or_default()));
    let mut text = "[aether] reload refused; the old code and state keep running:".to_string();
    for line in lines {
        text.push_str("\n  ");
        text.push_str(line);
    }
    say!("{text}");
}

/// Whether the entry module's `main` differs in its source text: the
/// running `main` is then to start again with the new code.
fn main_changed(old: &Analysis, new: &Analysis) -> bool {
    let text = |a: &Analysis| -> Option<String> {
        let entry = a.program.entry?;
        let info = a.checked.fns.iter().find(|f| f.module == entry && f.name == "main" && f.receiver.is_none())?;
        let module = a.program.module(info.module);
        let item = module.ast.items.get(info.item)?;
        a.program.sources.get(module.file).text.get(item.span.range()).map(str::to_string)
    };
    text(old) != text(new)
}

/// How many functions of module `index` differ in their source text.
fn changed_functions(old: &Analysis, new: &Analysis, index: usize) -> usize {
    let texts = |a: &Analysis| -> HashMap<String, String> {
        let mut out = HashMap::new();
        for info in a.checked.fns.iter().filter(|f| f.module.0 as usize == index) {
            let module = a.program.module(info.module);
            let Some(item) = module.ast.items.get(info.item) else { continue };
            let text = &a.program.sources.get(module.file).text;
            let body = text.get(item.span.range()).unwrap_or_default().to_string();
            let key = match info.receiver {
                Some(t) => {
                    format!("{}.{}", a.checked.types.defs.get(t.0 as usize).map_or("", |d| d.name.as_str()), info.name)
                }
                None => info.name.clone(),
            };
            out.insert(key, body);
        }
        out
    };
    let (before, after) = (texts(old), texts(new));
    after.iter().filter(|(name, text)| before.get(*name) != Some(*text)).count()
}
