//! Soak test of hot reloading (issue 5): a live `cargo aether run --hmr`
//! program of three modules takes a long run of random edits, valid and
//! invalid, chosen by a fixed-seed PRNG. After each edit the test waits for
//! its evidence (new code's output, or the diagnostic of a refused edit),
//! then checks that the process is alive and that every frame line printed
//! so far agrees with what the edit history says the state must be.
//!
//! `AETHER_SOAK_EDITS` overrides the number of edits (default 200) and
//! `AETHER_SOAK_SEED` the seed, for long local runs. Waits are generous and
//! nothing is asserted about time; the timings are printed (`--nocapture`).
//!
//! The fixture (`tests/hmr-fixtures/soak/*.ae.tmpl`) is rendered from a model
//! of the program: every valid edit bumps the `rev()` of the files it writes
//! to the edit's index, so the output names exactly which version of each
//! module produced it.
#![cfg(unix)]

use aether_test_support::{repo_root, run_hmr, save, spawn_followed, KillOnDrop, Lines};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

/// What a reload does to `state player` when its struct gains or loses a
/// field: carried over field by field (docs/state-migration.md).
const STRUCT_EDIT_OUTCOME: StateOutcome = StateOutcome::Migrated;

/// What a reload does to `state trail` when its type flips between `[int]`
/// and `[str]`: reset with a warning (neither is a lossless widening of the
/// other).
const RETYPE_OUTCOME: StateOutcome = StateOutcome::Reset;

const DEFAULT_EDITS: usize = 200;
const DEFAULT_SEED: u64 = 0x5eed_a37e_0005;
const FIRST_BUILD: Duration = Duration::from_secs(600);
const EDIT_TIMEOUT: Duration = Duration::from_secs(180);
/// Frame lines that must follow an edit's evidence, all showing its version.
const SETTLE_FRAMES: usize = 3;

#[test]
fn hundreds_of_random_edits_keep_the_program_alive_and_its_state_right() {
    let edits = env_number("AETHER_SOAK_EDITS").unwrap_or(DEFAULT_EDITS as u64) as usize;
    let seed = env_number("AETHER_SOAK_SEED").unwrap_or(DEFAULT_SEED);
    let dir = tempfile::tempdir().expect("tempdir");
    let program = dir.path().join("soak");
    std::fs::create_dir_all(&program).expect("mkdir");
    let templates = Templates::load();
    let mut model = Model::initial();
    for file in FILES {
        save(&program, file.name(), &templates.render(&model, file));
    }

    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &program);
    command.env("AETHER_CACHE_DIR", dir.path().join("cache"));
    let (mut child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");

    let mut soak = Soak {
        out,
        err,
        history: Vec::new(),
        seed,
        checker: Checker::new(&model),
        started: Instant::now(),
        broken: None,
        stopped: false,
    };
    let started = Instant::now();
    soak.wait_frames(&mut child, FIRST_BUILD, |_| true, 3, "the first frames of the program");
    let first_frames = started.elapsed();

    let mut rng = XorShift::new(seed);
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut reload_times = Vec::new();
    let soak_started = Instant::now();
    for index in 1..=edits {
        let edit = choose(&mut rng, &model, soak.broken);
        *kinds.entry(edit.name()).or_default() += 1;
        soak.history.push(format!("#{index} {}", edit.describe()));
        let t0 = Instant::now();
        soak.apply(&mut child, &templates, &mut model, index, &edit, &program);
        if edit.is_valid() {
            reload_times.push(t0.elapsed());
        }
    }
    let soak_time = soak_started.elapsed();
    soak.alive(&mut child, "after the last edit");

    let mean = reload_times.iter().sum::<Duration>().checked_div(reload_times.len().max(1) as u32).unwrap_or_default();
    let slowest = reload_times.iter().max().copied().unwrap_or_default();
    println!(
        "soak: seed {seed:#x}, {edits} edits in {:.1} s (first frames after {:.1} s); \
         valid edit -> settled output: mean {} ms, slowest {} ms; frames seen {}",
        soak_time.as_secs_f64(),
        first_frames.as_secs_f64(),
        mean.as_millis(),
        slowest.as_millis(),
        soak.checker.last_frame
    );
    println!("soak: edit mix {kinds:?}");
}

/// How a state whose type changed comes through a reload.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StateOutcome {
    /// Back to its initializer, with a warning naming it.
    Reset,
    /// Carried field by field: the hits the player had are kept.
    Migrated,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum File {
    World,
    Look,
    Main,
}

const FILES: [File; 3] = [File::World, File::Look, File::Main];

impl File {
    fn name(self) -> &'static str {
        match self {
            File::World => "world.ae",
            File::Look => "look.ae",
            File::Main => "main.ae",
        }
    }
}

/// What the running program's source is: every value the frame line shows
/// that an edit can change.
#[derive(Clone, Debug, PartialEq)]
struct Model {
    tag: String,
    bonus: i64,
    /// `Some(n)`: world.ae has `pub fn extra_n() -> int { n }` and look.ae shows it.
    extra: Option<u64>,
    /// Ids of the defaulted fields `f<id>: int = <id>` of `Player`.
    fields: Vec<u64>,
    /// `state trail` is `[str]` (else `[int]`).
    trail_str: bool,
    /// `Some(n)`: world.ae has `pub state combo_n: int = frames + total()`.
    combo: Option<u64>,
    rev: [u64; 3],
}

impl Model {
    fn initial() -> Model {
        Model {
            tag: "v0".into(),
            bonus: 0,
            extra: None,
            fields: Vec::new(),
            trail_str: false,
            combo: None,
            rev: [0; 3],
        }
    }

    fn rev(&self, file: File) -> u64 {
        self.rev[file as usize]
    }
}

#[derive(Clone, Debug)]
enum Edit {
    /// look.ae: the tag `tag()` returns (a body change).
    Tag,
    /// look.ae saved twice, this many ms apart, with two tags: the second
    /// save may land during the first one's build; whatever ran in between,
    /// the second version is what runs in the end.
    Burst(u64),
    /// world.ae: the value of `pub const BONUS`, with its `rev()`. A literal
    /// constant is tuned under --hmr (#13): its new value is sent to the
    /// running program and its importers are not rebuilt, so only world.ae's
    /// body change is swapped in.
    Const,
    /// A function body in one module: its `rev()`.
    Body(File),
    /// world.ae gains `extra_n` and look.ae calls it, written world first.
    AddFunction,
    /// look.ae stops calling `extra_n` and world.ae drops it, look first.
    RemoveFunction,
    /// `Player`, held in `state player`, gains a defaulted field.
    AddField,
    /// `Player` loses one of the fields an earlier edit added.
    RemoveField,
    /// `state trail` changes its type.
    Retype,
    /// A syntax error appended to a module: refused with a diagnostic.
    SyntaxError(File),
    /// A type error appended to a module: refused with a diagnostic.
    TypeError(File),
    /// A `pub state` whose initializer fails appended to a module: it checks
    /// and builds, the host refuses the reload; the edits after it apply.
    RefusedByHost(File),
    /// look.ae's `line` panics every frame: `main` stops, the process stays.
    Panic,
    /// look.ae's `tag` spins in a loop that makes no call: the program is
    /// stuck in it until the next save (the fix) replaces `tag`.
    Spin,
    /// world.ae gets a new `state` (replacing the one an earlier such edit
    /// added) whose initializer reads state and calls a function.
    NewState,
    /// The module an invalid edit or a panic broke is written valid again.
    Fix(File),
}

impl Edit {
    fn name(&self) -> &'static str {
        match self {
            Edit::Tag => "tag",
            Edit::Burst(_) => "burst",
            Edit::Const => "const",
            Edit::Body(_) => "body",
            Edit::AddFunction => "add-fn",
            Edit::RemoveFunction => "remove-fn",
            Edit::AddField => "add-field",
            Edit::RemoveField => "remove-field",
            Edit::Retype => "retype-state",
            Edit::SyntaxError(_) => "syntax-error",
            Edit::TypeError(_) => "type-error",
            Edit::RefusedByHost(_) => "refused-by-host",
            Edit::Panic => "panic",
            Edit::Spin => "spin",
            Edit::NewState => "new-state",
            Edit::Fix(_) => "fix",
        }
    }

    fn describe(&self) -> String {
        match self {
            Edit::Body(f) | Edit::SyntaxError(f) | Edit::TypeError(f) | Edit::RefusedByHost(f) | Edit::Fix(f) => {
                format!("{} {}", self.name(), f.name())
            }
            Edit::Burst(ms) => format!("burst look.ae, {ms} ms apart"),
            _ => self.name().to_string(),
        }
    }

    fn is_valid(&self) -> bool {
        !matches!(self, Edit::SyntaxError(_) | Edit::TypeError(_) | Edit::RefusedByHost(_) | Edit::Panic | Edit::Spin)
    }
}

/// An invalid edit or a panic leaves its file `broken`: the next edit fixes
/// it, so that every other edit is judged on a program that checks.
fn choose(rng: &mut XorShift, model: &Model, broken: Option<File>) -> Edit {
    if let Some(file) = broken {
        return Edit::Fix(file);
    }
    let file = |rng: &mut XorShift| FILES[rng.below(3) as usize];
    loop {
        return match rng.below(100) {
            0..=9 => Edit::Tag,
            10..=14 => Edit::Burst(rng.below(400)),
            15..=23 => Edit::Const,
            24..=32 => Edit::Body(file(rng)),
            33..=37 => Edit::Retype,
            38..=45 if model.extra.is_none() => Edit::AddFunction,
            38..=45 => Edit::RemoveFunction,
            46..=52 if model.fields.len() < 4 => Edit::AddField,
            46..=52 => Edit::RemoveField,
            53..=56 if !model.fields.is_empty() => Edit::RemoveField,
            53..=56 => continue,
            57..=62 => Edit::NewState,
            63..=73 => Edit::SyntaxError(file(rng)),
            74..=82 => Edit::TypeError(file(rng)),
            83..=87 => Edit::RefusedByHost(file(rng)),
            88..=93 => Edit::Spin,
            _ => Edit::Panic,
        };
    }
}

struct Templates {
    world: String,
    look: String,
    main: String,
}

impl Templates {
    fn load() -> Templates {
        let dir = repo_root().join("tests/hmr-fixtures/soak");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("fixture template");
        Templates { world: read("world.ae.tmpl"), look: read("look.ae.tmpl"), main: read("main.ae.tmpl") }
    }

    fn render(&self, model: &Model, file: File) -> String {
        self.render_with(model, file, None)
    }

    /// `broken`: look.ae's `line` panics with "soak panic <n>", or its
    /// `tag` spins.
    fn render_with(&self, model: &Model, file: File, broken: Option<Broken>) -> String {
        let rev = model.rev(file).to_string();
        match file {
            File::World => {
                let fields: String = model.fields.iter().map(|id| format!("    f{id}: int = {id}\n")).collect();
                let extra = match model.extra {
                    Some(n) => format!("\npub fn extra_{n}() -> int {{\n    {n}\n}}\n"),
                    None => String::new(),
                };
                let (trail_type, trail_item) =
                    if model.trail_str { ("[str]", "\"{frames}\"") } else { ("[int]", "frames") };
                let combo = match model.combo {
                    Some(n) => format!("\npub state combo_{n}: int = frames + total()\n"),
                    None => String::new(),
                };
                self.world
                    .replace("@TRAIL_TYPE@", trail_type)
                    .replace("@TRAIL_ITEM@", trail_item)
                    .replace("@BONUS@", &model.bonus.to_string())
                    .replace("@FIELDS@", &fields)
                    .replace("@REV@", &rev)
                    .replace("@EXTRA@", &(extra + &combo))
            }
            File::Look => {
                let call = match model.extra {
                    Some(n) => format!("{{world.extra_{n}()}}"),
                    None => "-".to_string(),
                };
                let panic = match broken {
                    Some(Broken::Panic(n)) => {
                        format!("    if world.frames > 0 {{\n        panic(\"soak panic {n}\")\n    }}\n")
                    }
                    _ => String::new(),
                };
                let spin = match broken {
                    // No state read: `tag` keeps its signature (reading state
                    // would give it a `ctx`, an interface change).
                    Some(Broken::Spin) => "    var spin = 1\n    while spin > 0 {\n        spin = 1\n    }\n",
                    _ => "",
                };
                self.look
                    .replace("@TAG@", &model.tag)
                    .replace("@EXTRA_CALL@", &call)
                    .replace("@PANIC@", &panic)
                    .replace("@SPIN@", spin)
                    .replace("@REV@", &rev)
            }
            File::Main => self.main.replace("@REV@", &rev),
        }
    }
}

/// How look.ae is rendered broken.
#[derive(Clone, Copy, Debug)]
enum Broken {
    /// `line` panics with "soak panic <n>".
    Panic(usize),
    /// `tag` spins in a loop without calls.
    Spin,
}

/// One frame line: `frame N v=T b=B x=X p=P tr=R len=L tags=G total=S w=W l=L m=M`.
#[derive(Clone, Debug, PartialEq)]
struct Frame {
    frame: u64,
    tag: String,
    bonus: i64,
    extra: Option<u64>,
    hits: u64,
    trail: u64,
    len: u64,
    tags: u64,
    total: u64,
    rev: [u64; 3],
}

impl Frame {
    fn parse(line: &str) -> Option<Frame> {
        let mut words = line.split_whitespace();
        if words.next()? != "frame" {
            return None;
        }
        let frame = words.next()?.parse().ok()?;
        let fields: BTreeMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
        let num = |k: &str| fields.get(k)?.parse::<u64>().ok();
        let extra = match *fields.get("x")? {
            "-" => None,
            n => Some(n.parse().ok()?),
        };
        Some(Frame {
            frame,
            tag: fields.get("v")?.to_string(),
            bonus: fields.get("b")?.parse().ok()?,
            extra,
            hits: num("p")?,
            trail: num("tr")?,
            len: num("len")?,
            tags: num("tags")?,
            total: num("total")?,
            rev: [num("w")?, num("l")?, num("m")?],
        })
    }

    /// The values an edit can change, compared with a model (`trail`'s type
    /// shows only through its reset).
    fn shows(&self, model: &Model) -> bool {
        self.versions() == Frame::versions_of(model)
    }

    fn versions(&self) -> [String; 6] {
        let extra = self.extra.map_or("-".to_string(), |n| n.to_string());
        let [w, l, m] = self.rev.map(|r| r.to_string());
        [self.tag.clone(), self.bonus.to_string(), extra, w, l, m]
    }

    /// What a line of the program `model` describes shows, in `versions`' order.
    fn versions_of(model: &Model) -> [String; 6] {
        let extra = model.extra.map_or("-".to_string(), |n| n.to_string());
        let [w, l, m] = model.rev.map(|r| r.to_string());
        [model.tag.clone(), model.bonus.to_string(), extra, w, l, m]
    }
}

/// Follows every frame line and checks it against the edit history.
struct Checker {
    last_frame: u64,
    /// `frames - player.hits` and `frames - trail.len()`: each grows by one
    /// a frame, so these change only when their state is reset.
    offset: [Option<u64>; 2],
    tags: BTreeSet<String>,
    /// Lines of stdout already checked.
    seen: usize,
    /// The model before the current edit, the versions its saves went
    /// through, and the last one (`new`): a line shows, field by field, one of
    /// them, never going back to an earlier one.
    stages: Vec<Model>,
    new: Model,
    /// Per field of `Frame::versions`, the earliest stage it may still show.
    stage: [usize; 6],
    /// Whether the current edit may reset `player` / `trail`, and whether it did.
    reset_allowed: [bool; 2],
    reset_seen: [bool; 2],
    /// Lines since every field showed the new model.
    settled: usize,
}

impl Checker {
    fn new(model: &Model) -> Checker {
        Checker {
            last_frame: 0,
            offset: [None; 2],
            tags: BTreeSet::new(),
            seen: 0,
            stages: vec![model.clone()],
            new: model.clone(),
            stage: [0; 6],
            reset_allowed: [false; 2],
            reset_seen: [false; 2],
            settled: 0,
        }
    }

    /// A new edit whose saves go through `saved`, the last being what runs
    /// once it settled.
    fn begin(&mut self, saved: &[&Model], reset_allowed: [bool; 2]) {
        let mut stages = vec![self.new.clone()];
        stages.extend(saved.iter().map(|m| (*m).clone()));
        self.new = stages.last().cloned().unwrap_or_else(|| self.new.clone());
        self.stages = stages;
        self.stage = [0; 6];
        self.reset_allowed = reset_allowed;
        self.reset_seen = [false; 2];
        self.settled = 0;
    }

    /// Checks one frame line; `Err` says what the history contradicts.
    fn check(&mut self, f: &Frame) -> Result<(), String> {
        if f.frame <= self.last_frame {
            return Err(format!("frame went from {} to {}: the counter went back", self.last_frame, f.frame));
        }
        self.last_frame = f.frame;
        if f.len != f.frame || f.total != f.frame {
            return Err(format!(
                "frame {} but log has {} entries and seen counts {}: state was lost",
                f.frame, f.len, f.total
            ));
        }
        self.tags.insert(f.tag.clone());
        if f.tags != self.tags.len() as u64 {
            return Err(format!("{} distinct tags ran but the map holds {}", self.tags.len(), f.tags));
        }
        for (i, (name, count)) in [("player.hits", f.hits), ("trail.len()", f.trail)].into_iter().enumerate() {
            let Some(offset) = f.frame.checked_sub(count) else {
                return Err(format!("{name} is {count} after {} frames", f.frame));
            };
            match self.offset[i] {
                Some(old) if offset != old => {
                    if !self.reset_allowed[i] || self.reset_seen[i] || offset < old {
                        return Err(format!("{name} jumped (frames - it: {old} -> {offset}) and no edit reset it"));
                    }
                    self.reset_seen[i] = true;
                }
                _ => {}
            }
            self.offset[i] = Some(offset);
        }
        let shown = f.versions();
        for (i, value) in shown.iter().enumerate() {
            let from = self.stage[i];
            let Some(at) = self.stages.iter().skip(from).position(|m| &Frame::versions_of(m)[i] == value) else {
                return Err(format!(
                    "field {i} of the line shows a version the history does not have (or an older one): \
                     it went through {:?}",
                    self.stages
                ));
            };
            self.stage[i] = from + at;
        }
        if f.shows(&self.new) {
            self.settled += 1;
        }
        Ok(())
    }
}

struct Soak {
    out: Lines,
    err: Lines,
    history: Vec<String>,
    seed: u64,
    checker: Checker,
    started: Instant,
    /// The file the last edit left invalid or panicking.
    broken: Option<File>,
    /// `main` stopped on a panic and waits for the next reload.
    stopped: bool,
}

impl Soak {
    fn apply(
        &mut self,
        child: &mut KillOnDrop,
        templates: &Templates,
        model: &mut Model,
        index: usize,
        edit: &Edit,
        program: &Path,
    ) {
        let errors_from = self.err.len();
        let index_rev = index as u64;
        let mut next = model.clone();
        match edit {
            Edit::SyntaxError(file) | Edit::TypeError(file) => {
                let junk = if matches!(edit, Edit::SyntaxError(_)) {
                    format!("\nfn soak_syntax_{index}( {{\n")
                } else {
                    format!("\nfn soak_type_{index}() -> int {{\n    \"not an int\"\n}}\n")
                };
                save(program, file.name(), &(templates.render(model, *file) + &junk));
                self.broken = Some(*file);
                self.checker.begin(&[model], [false; 2]);
                let what = format!("the diagnostic of {} (\"not reloaded\")", edit.describe());
                self.wait_stderr(child, errors_from, &what, |l| l.contains("not reloaded"));
                let shown = self.err.text_from(errors_from);
                if !shown.contains(&format!("{}:", file.name())) || !shown.contains("error") {
                    self.fail(&format!("the diagnostic of {} does not name {}", edit.describe(), file.name()));
                }
                // The old code keeps running: more frames, all of the old version.
                self.wait_frames(child, EDIT_TIMEOUT, |_| true, SETTLE_FRAMES, "old frames after a refused edit");
                self.alive(child, "after a refused edit");
                return;
            }
            Edit::RefusedByHost(file) => {
                let junk = format!(
                    "\npub state soak_refused_{index}: int = soak_explode_{index}()\n\n\
                     fn soak_explode_{index}() -> int {{\n    panic(\"soak refused {index}\")\n}}\n"
                );
                save(program, file.name(), &(templates.render(model, *file) + &junk));
                self.broken = Some(*file);
                self.checker.begin(&[model], [false; 2]);
                self.wait_stderr(child, errors_from, "the host's refusal of a failing initializer", |l| {
                    l.contains("refused; the old code and state keep running")
                });
                // Nothing was swapped: more frames, all of the old version.
                self.wait_frames(child, EDIT_TIMEOUT, |_| true, SETTLE_FRAMES, "old frames after a refused reload");
                self.alive(child, "after a reload the host refused");
                return;
            }
            Edit::Panic => {
                save(program, File::Look.name(), &templates.render_with(model, File::Look, Some(Broken::Panic(index))));
                self.broken = Some(File::Look);
                self.checker.begin(&[model], [false; 2]);
                // The frame panics right after the swap, within the grace
                // window: the reload is rolled back, the state restored as
                // it was at the swap, and the old code's frames go on.
                self.wait_stderr(child, errors_from, "\"rolled back\" after a panicking frame", |l| {
                    l.contains("rolled back to the previous version")
                });
                let shown = self.err.text_from(errors_from);
                if !shown.contains(&format!("soak panic {index}")) || !shown.contains("look.ae:") {
                    self.fail("the panic is not reported with its message and look.ae location");
                }
                self.wait_frames(child, EDIT_TIMEOUT, |_| true, SETTLE_FRAMES, "old frames after a rollback");
                self.alive(child, "after a panic in a frame");
                return;
            }
            Edit::Spin => {
                save(program, File::Look.name(), &templates.render_with(model, File::Look, Some(Broken::Spin)));
                self.broken = Some(File::Look);
                self.checker.begin(&[model], [false; 2]);
                // The spinning `tag` is swapped in; the program is stuck in
                // it until the fix, which the next edit saves.
                self.wait_stderr(child, errors_from, "the reload line of the spinning look.ae", |l| {
                    l.starts_with("[aether] reloaded ") && l.contains("look.ae")
                });
                self.quiet_stderr(child, Duration::from_millis(500));
                self.alive(child, "while a loop spins");
                return;
            }
            Edit::NewState => {
                next.combo = Some(index_rev);
                next.rev[File::World as usize] = index_rev;
            }
            Edit::Tag | Edit::Burst(_) => {
                next.tag = format!("v{index}");
                next.rev[File::Look as usize] = index_rev;
            }
            Edit::Const => {
                next.bonus = index as i64;
                next.rev[File::World as usize] = index_rev;
            }
            Edit::Body(file) | Edit::Fix(file) => next.rev[*file as usize] = index_rev,
            Edit::AddFunction => {
                next.extra = Some(index_rev);
                next.rev[File::World as usize] = index_rev;
                next.rev[File::Look as usize] = index_rev;
            }
            Edit::RemoveFunction => {
                next.extra = None;
                next.rev[File::World as usize] = index_rev;
                next.rev[File::Look as usize] = index_rev;
            }
            Edit::AddField => {
                next.fields.push(index_rev);
                next.rev[File::World as usize] = index_rev;
            }
            Edit::Retype => {
                next.trail_str = !next.trail_str;
                next.rev[File::World as usize] = index_rev;
            }
            Edit::RemoveField => {
                let at = (index_rev as usize) % next.fields.len().max(1);
                if at < next.fields.len() {
                    next.fields.remove(at);
                }
                next.rev[File::World as usize] = index_rev;
            }
        }
        let struct_edit = matches!(edit, Edit::AddField | Edit::RemoveField);
        let retype = matches!(edit, Edit::Retype);
        let was_stopped = std::mem::take(&mut self.stopped);
        self.broken = None;
        let order: &[File] = match edit {
            Edit::AddFunction => &[File::World, File::Look],
            Edit::RemoveFunction => &[File::Look, File::World],
            _ => &FILES,
        };
        let mut first_save = next.clone();
        first_save.tag = format!("x{index}");
        let saved: &[&Model] = match edit {
            Edit::Burst(_) => &[&first_save, &next],
            _ => &[&next],
        };
        self.checker.begin(
            saved,
            [
                struct_edit && STRUCT_EDIT_OUTCOME == StateOutcome::Reset,
                retype && RETYPE_OUTCOME == StateOutcome::Reset,
            ],
        );
        if let Edit::Burst(ms) = edit {
            save(program, File::Look.name(), &templates.render(&first_save, File::Look));
            std::thread::sleep(Duration::from_millis(*ms));
        }
        for file in order {
            let text = templates.render(&next, *file);
            if text != templates.render(model, *file) || matches!(edit, Edit::Fix(f) if f == file) {
                save(program, file.name(), &text);
            }
        }
        *model = next;
        self.wait_frames(
            child,
            EDIT_TIMEOUT,
            |c| c.settled >= SETTLE_FRAMES,
            0,
            &format!("output of {}", edit.describe()),
        );
        // stdout and stderr are two pipes: the new code's output may be read
        // before the reload line, so wait for that line too.
        let names = |line: &str, file: File| {
            line.starts_with("[aether] reloaded ")
                && (line.contains(&format!("/{} ", file.name())) || line.contains(&format!("/{},", file.name())))
        };
        match edit {
            Edit::Tag | Edit::Burst(_) | Edit::Body(_) | Edit::Fix(_) => {
                let file = match edit {
                    Edit::Body(f) | Edit::Fix(f) => *f,
                    _ => File::Look,
                };
                self.wait_stderr(child, errors_from, &format!("the reload line of {}", file.name()), |l| {
                    names(l, file)
                });
            }
            Edit::Const => {
                self.wait_stderr(child, errors_from, "a `tuned` line naming BONUS", |l| {
                    l.starts_with("[aether] tuned ") && l.contains("BONUS")
                });
                self.wait_stderr(child, errors_from, "the reload line of world", |l| names(l, File::World));
            }
            _ => self.wait_stderr(child, errors_from, "a reload line naming all three modules", |l| {
                FILES.iter().all(|f| names(l, *f))
            }),
        }
        if was_stopped {
            self.wait_stderr(child, errors_from, "\"`main` starts again (state kept)\"", |l| {
                l.contains("`main` starts again (state kept)")
            });
        }
        if matches!(edit, Edit::Burst(_) | Edit::AddFunction | Edit::RemoveFunction) {
            // Two saves make one or two reloads: let the second one's line
            // arrive here rather than in the next edit's window.
            self.quiet_stderr(child, Duration::from_secs(1));
        }
        let shown = self.err.text_from(errors_from);
        if shown.contains("not reloaded") {
            self.fail(&format!("a valid edit ({}) was refused", edit.describe()));
        }
        let reloads: Vec<&str> = shown.lines().filter(|l| l.starts_with("[aether] reloaded ")).collect();
        match edit {
            // A body change swaps only its own module.
            Edit::Tag | Edit::Burst(_) | Edit::Body(_) | Edit::Fix(_) => {
                let file = match edit {
                    Edit::Body(f) | Edit::Fix(f) => *f,
                    _ => File::Look,
                };
                if !reloads.iter().any(|l| names(l, file))
                    || reloads.iter().any(|l| FILES.iter().any(|f| *f != file && names(l, *f)))
                {
                    self.fail(&format!("{} did not reload {} alone", edit.describe(), file.name()));
                }
            }
            // A constant's new value reaches the program with no importer rebuilt.
            Edit::Const => {
                if reloads.iter().any(|l| names(l, File::Look) || names(l, File::Main)) {
                    self.fail(&format!("{} rebuilt the importers of world.ae", edit.describe()));
                }
            }
            // An interface change of world.ae swaps it with both its importers in one step.
            _ => {
                if !reloads.iter().any(|l| FILES.iter().all(|f| names(l, *f))) {
                    self.fail(&format!("{} did not reload world.ae with look.ae and main.ae at once", edit.describe()));
                }
            }
        }
        if matches!(edit, Edit::NewState) && !reloads.iter().any(|l| l.contains(", new: 1)")) {
            self.fail("the new state (its initializer reads state and calls a function) was not added");
        }
        if !struct_edit && !retype && reloads.iter().any(|l| !l.contains(" reset: 0")) {
            self.fail(&format!("{} reset a state", edit.describe()));
        }
        for (i, name, edited, outcome) in
            [(0, "player", struct_edit, STRUCT_EDIT_OUTCOME), (1, "trail", retype, RETYPE_OUTCOME)]
        {
            if !edited {
                continue;
            }
            // The warning names the file by its path.
            let warned = shown
                .lines()
                .any(|l| l.contains("warning") && l.contains(&format!("state `{name}`")) && l.contains("world.ae"));
            let reset = self.checker.reset_seen[i];
            match outcome {
                StateOutcome::Reset if !(warned && reset) => {
                    self.fail(&format!("{} did not reset `state {name}` with a warning", edit.describe()))
                }
                StateOutcome::Migrated if warned || reset => {
                    self.fail(&format!("{} did not carry `state {name}` over", edit.describe()))
                }
                _ => {}
            }
        }
        self.alive(child, &format!("after {}", edit.describe()));
    }

    /// Waits until `done` holds for the checker and `count` more frames were
    /// printed, checking every new frame line against the history.
    fn wait_frames(
        &mut self,
        child: &mut KillOnDrop,
        timeout: Duration,
        done: impl Fn(&Checker) -> bool,
        count: usize,
        what: &str,
    ) {
        let from = self.out.len();
        let deadline = Instant::now() + timeout;
        loop {
            self.check_new_lines();
            let printed = self.out.lines_from(from).iter().filter(|l| Frame::parse(l).is_some()).count();
            if done(&self.checker) && printed >= count {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("timed out after {} s waiting for {what}", timeout.as_secs()));
            }
            if child.0.try_wait().ok().flatten().is_some() {
                self.check_new_lines();
                self.fail(&format!("the process ended while waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn check_new_lines(&mut self) {
        let lines = self.out.lines_from(self.checker.seen);
        for line in lines {
            self.checker.seen += 1;
            if let Some(frame) = Frame::parse(&line) {
                if let Err(why) = self.checker.check(&frame) {
                    self.fail(&format!("{why}\n  at line: {line}"));
                }
            }
        }
    }

    fn wait_stderr(&mut self, child: &mut KillOnDrop, from: usize, what: &str, pick: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + EDIT_TIMEOUT;
        loop {
            self.check_new_lines();
            if self.err.lines_from(from).iter().any(|l| pick(l)) {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("timed out waiting for {what}"));
            }
            if child.0.try_wait().ok().flatten().is_some() {
                self.fail(&format!("the process ended while waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until stderr printed nothing for `quiet`.
    fn quiet_stderr(&mut self, child: &mut KillOnDrop, quiet: Duration) {
        let deadline = Instant::now() + EDIT_TIMEOUT;
        let mut count = self.err.len();
        let mut since = Instant::now();
        while since.elapsed() < quiet {
            std::thread::sleep(Duration::from_millis(20));
            self.check_new_lines();
            if self.err.len() != count {
                count = self.err.len();
                since = Instant::now();
            }
            if Instant::now() > deadline {
                self.fail("stderr never went quiet");
            }
        }
        self.alive(child, "while waiting for stderr to go quiet");
    }

    fn alive(&mut self, child: &mut KillOnDrop, when: &str) {
        if let Ok(Some(status)) = child.0.try_wait() {
            self.fail(&format!("the process ended {when}: {status}"));
        }
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "soak failed after {:.1} s: {what}\nseed {:#x}; edit history:\n  {}\n--- stdout (tail)\n{}--- stderr (tail)\n{}",
            self.started.elapsed().as_secs_f64(),
            self.seed,
            self.history.join("\n  "),
            self.out.tail(60),
            self.err.tail(60)
        );
    }
}

/// xorshift64*: small, deterministic, good enough to pick edits.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
