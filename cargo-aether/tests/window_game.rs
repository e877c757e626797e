//! Issue 17: the windowed game (examples/window-game) under Xvfb, as a
//! game developer uses it: `cargo aether run --hmr` in the host crate, the
//! game playing itself (`--scripted`) and writing its framebuffer to a PNG
//! every few frames; the test edits the Aether code while it runs and reads
//! the pixels. A colour constant and a gameplay rule change on screen with
//! the score carried over; a broken save shows the overlay (file:line and
//! message) over the running game, and the fix takes it away.
//!
//! The screenshots stay in `target/window-game-shots/` (test artefacts; the
//! example's README shows them). Waits are generous (a cold first build
//! compiles the window crates and the runtime); nothing is asserted about time.
//!
//! The `window` template of `aether new` (the same host files) is built and
//! run here too, in the same target directory: the window crates compile
//! once for both. The two tests take turns (`ONE_AT_A_TIME`): a build of
//! one would hold the target directory while the other waits for a reload.
#![cfg(unix)]

use aether_test_support::{cargo, copy_example_to_edit, hmr_target_dir, repo_root, save, spawn_followed, Lines, Run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const FIRST_BUILD: Duration = Duration::from_secs(900);
const EDIT: Duration = Duration::from_secs(180);

/// The colours the test looks for (examples/window-game/src/game/render.ae
/// and src/overlay.rs).
const PLAYER: u32 = 0x33ccff;
const EDITED_PLAYER: u32 = 0xff00ff;
const COIN: u32 = 0xffcc33;
const BACKGROUND: u32 = 0x101820;
const PANEL: u32 = 0x7a1020;
const TOAST: u32 = 0x1f6f3a;

/// One line the game prints with each screenshot:
/// `frame F score S coins C hits H status ... | overlay ...`.
#[derive(Debug, Clone)]
struct Shot {
    frame: u64,
    score: i64,
    coins: i64,
    status: String,
    overlay: String,
}

fn shot(line: &str) -> Option<Shot> {
    let (head, overlay) = line.split_once(" | overlay ")?;
    let (numbers, status) = head.split_once(" status ")?;
    let words: Vec<&str> = numbers.split(' ').collect();
    let [_, frame, _, score, _, coins, _, _hits] = words.as_slice() else { return None };
    Some(Shot {
        frame: frame.parse().ok()?,
        score: score.parse().ok()?,
        coins: coins.parse().ok()?,
        status: status.to_string(),
        overlay: overlay.to_string(),
    })
}

/// The next screenshot line from `from` on that `ok` accepts.
fn wait_shot(out: &Lines, from: usize, timeout: Duration, ok: impl Fn(&Shot) -> bool) -> Option<(usize, Shot)> {
    out.wait_for(from, timeout, |l| shot(l).filter(|s| ok(s))).map(|(i, _, s)| (i, s))
}

/// The pixels of `dir/frame.png` as 0xRRGGBB, copied to the artefacts as `name`.
fn pixels(dir: &Path, name: &str) -> Vec<u32> {
    let artefacts = repo_root().join("target/window-game-shots");
    let _ = std::fs::create_dir_all(&artefacts);
    // The game renames each new screenshot over the old one: read one whole file.
    let bytes = std::fs::read(dir.join("frame.png")).expect("a screenshot");
    let _ = std::fs::write(artefacts.join(name), &bytes);
    decode(bytes)
}

/// A PNG's pixels as 0xRRGGBB.
fn decode(bytes: Vec<u8>) -> Vec<u32> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf[..info.buffer_size()].chunks(3).map(|p| (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32).collect()
}

fn count(pixels: &[u32], color: u32) -> usize {
    pixels.iter().filter(|p| **p == color).count()
}

#[test]
fn the_window_game_reloads_on_screen_and_shows_a_broken_save_over_the_running_game() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let game = dir.path().join("window-game");
    let colour = "const PLAYER_COLOR: int = 0x33ccff";
    let render = copy_example_to_edit("window-game", &game, "window-game-e2e", "src/game/render.ae", colour);
    let world = std::fs::read_to_string(game.join("src/game/world.ae")).expect("world.ae");
    let rule = "const COIN_POINTS: int = 10";
    assert!(world.contains(rule), "world.ae changed: update this test");
    let shots: PathBuf = dir.path().join("shots");

    // xvfb-run: a display of its own (-a: the first free one), ended with the game.
    let mut command = Command::new("xvfb-run");
    command
        .args(["-a", "-s", "-screen 0 800x600x24", env!("CARGO_BIN_EXE_cargo-aether"), "aether", "run", "--hmr"])
        .arg(&game)
        .args(["--", "--scripted", "--snap-every", "10", "--snap"])
        .arg(&shots)
        .env("CARGO_TARGET_DIR", hmr_target_dir());
    let (_child, out, err) =
        spawn_followed(&mut command).expect("xvfb-run starts (is Xvfb installed? .ci/run installs it)");
    let report = |what: &str| format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(20), err.text());

    // 1. The game runs and scores: the player in its colour.
    let Some((i, before)) = wait_shot(&out, 0, FIRST_BUILD, |s| s.coins >= 1) else { panic!("{}", report("no score")) };
    assert_eq!(before.score, 10 * before.coins, "{}", report("10 points a coin"));
    let px = pixels(&shots, "1-running.png");
    assert!(count(&px, PLAYER) >= 100, "{}", report("the player is not drawn"));
    assert_eq!(count(&px, EDITED_PLAYER), 0);

    // 2. A gameplay rule: a coin is worth 100 from the next tick on; the
    // score so far is kept.
    save(&game, "src/game/world.ae", &world.replace(rule, "const COIN_POINTS: int = 100"));
    // A new status that says so (the status of a save stays until the next).
    let reloaded = |file: &'static str, before: String| {
        move |s: &Shot| s.status.starts_with("reloaded") && s.status.contains(file) && s.status != before
    };
    let Some((i, first)) = wait_shot(&out, i, EDIT, reloaded("world.ae", before.status.clone())) else {
        panic!("{}", report("no reload"))
    };
    assert!(first.score >= before.score, "{}", report("the score was not carried over"));
    let Some((i, later)) = wait_shot(&out, i, EDIT, |s| s.coins > first.coins) else { panic!("{}", report("no coin")) };
    assert_eq!(later.score - first.score, 100 * (later.coins - first.coins), "{}", report("the new rule"));

    // 3. A colour: the player is drawn in the new one, and a toast says so.
    save(&game, "src/game/render.ae", &render.replace(colour, "const PLAYER_COLOR: int = 0xff00ff"));
    let Some((mut i, _)) = wait_shot(&out, i, EDIT, reloaded("render.ae", later.status.clone())) else {
        panic!("{}", report("no reload"))
    };
    // The status file says "reloaded" when the libraries are built; the game
    // swaps them in at its next safe point, so the screenshot that goes with
    // that line may still be of a frame of the old code. Within a few frames
    // the new colour is drawn, and from then on never the old one.
    let (mut toast, mut recoloured) = (false, false);
    for _ in 0..40 {
        let px = pixels(&shots, "2-reloaded.png");
        if recoloured {
            assert_eq!(count(&px, PLAYER), 0, "{}", report("the old colour is drawn again"));
        }
        recoloured |= count(&px, EDITED_PLAYER) >= 100 && count(&px, PLAYER) == 0;
        toast |= count(&px, TOAST) > 1000;
        if toast && recoloured {
            break;
        }
        i = wait_shot(&out, i + 1, EDIT, |_| true).expect("the game goes on").0;
    }
    assert!(recoloured, "{}", report("the new colour is not drawn"));
    assert!(toast, "{}", report("no toast after the reload"));

    // 4. A broken save: the overlay shows the first error, with its place,
    // over the game, which keeps running on the code it had.
    let edited = render.replace(colour, "const PLAYER_COLOR: int = 0xff00ff");
    save(&game, "src/game/render.ae", &edited.replace("clear(BACKGROUND)", "clear(\"black\")"));
    let broken = |s: &Shot| s.overlay.starts_with("not reloaded") && s.overlay.contains("render.ae:");
    let Some((i, shown)) = wait_shot(&out, i, EDIT, broken) else { panic!("{}", report("no overlay")) };
    assert!(shown.overlay.contains("error"), "{}", report("the overlay does not show the diagnostic"));
    let Some((i, on)) = wait_shot(&out, i + 1, EDIT, |s| s.overlay.starts_with("not reloaded")) else {
        panic!("{}", report("the game stopped"))
    };
    let px = pixels(&shots, "3-broken-save.png");
    assert!(count(&px, PANEL) > 5000, "{}", report("the overlay is not drawn"));
    assert!(count(&px, EDITED_PLAYER) > 0 || count(&px, PANEL) > 0);
    let Some((i, _)) = wait_shot(&out, i, EDIT, |s| s.frame >= on.frame + 60 && s.score >= shown.score) else {
        panic!("{}", report("the game does not keep running under the overlay"))
    };

    // 5. The fix takes the overlay away.
    save(&game, "src/game/render.ae", &edited);
    let Some((i, _)) = wait_shot(&out, i, EDIT, |s| s.overlay == "none") else {
        panic!("{}", report("the overlay stays"))
    };
    // The screenshot of a later frame than the line that said so.
    wait_shot(&out, i + 1, EDIT, |s| s.overlay == "none").expect("the game goes on");
    let px = pixels(&shots, "4-fixed.png");
    assert_eq!(count(&px, PANEL), 0, "{}", report("the overlay is still drawn"));
    assert!(count(&px, EDITED_PLAYER) >= 100, "{}", report("the player is not drawn"));

    // 6. New code that fails at run time: rolled back at once, and the
    // overlay says where the new code failed (its `.ae` place).
    let failing = edited
        .replace("    clear(BACKGROUND)\n", "    clear(BACKGROUND)\n    let empty: [int] = []\n    clear(empty[0])\n");
    assert_ne!(failing, edited);
    save(&game, "src/game/render.ae", &failing);
    let rolled = |s: &Shot| s.overlay.starts_with("rolled back") && s.overlay.contains("render.ae:");
    let Some((i, _)) = wait_shot(&out, i, EDIT, rolled) else { panic!("{}", report("no rollback with its place")) };
    let Some(_) = wait_shot(&out, i + 1, EDIT, |s| s.overlay.starts_with("rolled back")) else {
        panic!("{}", report("the game stopped after the rollback"))
    };
    let px = pixels(&shots, "5-rolled-back.png");
    assert!(count(&px, PANEL) > 5000, "{}", report("the overlay is not drawn"));
    // The previous code draws on (the player may be under the panel).
    assert!(count(&px, COIN) > 0 && count(&px, BACKGROUND) > 10_000, "{}", report("the previous code does not draw"));
}

/// `aether new --template window`: a project that builds with plain `cargo
/// build` (the lock file it comes with pins what the example was tested
/// with) and draws its gameplay, written in Aether, in a window.
#[test]
fn the_window_template_builds_and_draws_its_game_in_a_window() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    // Another name than the example's: its own binary in the shared target dir.
    let name = "window-template-e2e";
    let new = Run::of(
        Command::new(env!("CARGO_BIN_EXE_cargo-aether"))
            .args(["aether", "new", name, "--template", "window", "--vcs", "none"])
            .current_dir(dir.path())
            .env("CARGO_TARGET_DIR", hmr_target_dir()),
    );
    assert!(new.ok(), "{new:?}");
    assert!(new.stderr.contains("run --hmr"), "the template says how to run it with hot reloading: {new:?}");
    let project = dir.path().join(name);
    for file in ["Cargo.lock", "build.rs", "src/main.rs", "src/canvas.rs", "src/overlay.rs", "src/game/world.ae"] {
        assert!(project.join(file).is_file(), "{file} is missing: {new:?}");
    }
    let lock = std::fs::read_to_string(project.join("Cargo.lock")).expect("Cargo.lock");
    assert!(lock.contains(&format!("name = \"{name}\"")), "the lock file names the project");

    // The Aether code checks cleanly, and plain cargo builds the game.
    let check = Run::of(
        Command::new(env!("CARGO_BIN_EXE_cargo-aether"))
            .args(["aether", "check"])
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", hmr_target_dir()),
    );
    assert!(check.ok() && check.stderr.contains("(2 modules): no errors"), "{check:?}");
    let build = Run::of(
        cargo()
            .args(["build", "--manifest-path"])
            .arg(project.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", hmr_target_dir()),
    );
    assert!(build.ok(), "{build:?}");

    // A few frames in a window, the last one written out.
    let shot = dir.path().join("last.png");
    let exe = hmr_target_dir().join("debug").join(name);
    let run = Run::of(
        Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 800x600x24"])
            .arg(&exe)
            .args(["--frames", "20", "--snap"])
            .arg(&shot),
    );
    assert!(run.ok(), "{run:?}");
    assert_eq!(run.stdout, "20 frames, score 0\n", "{run:?}");
    let png = std::fs::read(&shot).expect("the screenshot");
    let artefacts = repo_root().join("target/window-game-shots");
    let _ = std::fs::create_dir_all(&artefacts);
    let _ = std::fs::write(artefacts.join("template.png"), &png);
    let px = decode(png);
    // templates/window/src/game/render.ae: the 12x12 player, the 8x8 coin,
    // the background, the score line.
    assert_eq!(count(&px, 0x33ccff), 144, "the player");
    assert_eq!(count(&px, 0xffcc33), 64, "the coin");
    assert!(count(&px, BACKGROUND) > 60_000, "the background");
    assert!(count(&px, 0xe0e0e0) > 320, "the score line");
}
