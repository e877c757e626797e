//! A real editor on `aether lsp`: Neovim's built-in LSP client, headless
//! (`tests/editors/neovim.lua`), opens a project, introduces an error in an
//! unsaved buffer, and reads back the diagnostics, a hover and a
//! definition. `.ci/run` installs Debian's `neovim`.

use std::process::Command;
use std::time::{Duration, Instant};

const MAIN: &str =
    "import game\n\nfn main() {\n    let b = game.fall(game.Ball { y: 10.0 }, 0.5)\n    println(\"{b.y}\")\n}\n";
const GAME: &str = "/// A falling ball.\npub struct Ball {\n    y: float\n}\n\n/// `b`, `dt` seconds later.\npub fn fall(b: Ball, dt: float) -> Ball {\n    Ball { y: b.y - 9.8 * dt }\n}\n";
const MANIFEST: &str =
    "[package]\nname = \"falling\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.aether]\nentry = \"main.ae\"\n";

#[test]
fn neovim_shows_diagnostics_hover_and_definition() {
    let nvim = Command::new("nvim").arg("--version").output();
    assert!(
        nvim.is_ok_and(|o| o.status.success()),
        "this test needs Neovim (`apt-get install neovim`; .ci/run installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("Cargo.toml"), MANIFEST).unwrap();
    std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(project.join("src/main.ae"), MAIN).unwrap();
    std::fs::write(project.join("src/game.ae"), GAME).unwrap();
    let result = project.join("result.txt");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/editors/neovim.lua");

    let mut cmd = Command::new("nvim");
    cmd.args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {script}"))
        .env("AETHER_BIN", env!("CARGO_BIN_EXE_aether"))
        .env("PROJECT", &project)
        .env("RESULT", &result)
        .current_dir(&project)
        .stdin(std::process::Stdio::null());
    let mut child = aether_test_support::KillOnDrop::spawn(&mut cmd).expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "nvim did not finish: {}",
            std::fs::read_to_string(&result).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let said = std::fs::read_to_string(&result).unwrap_or_default();
    let lines: Vec<&str> = said.lines().collect();
    assert!(lines.contains(&"done") && !said.contains("\nerror "), "{said}");
    assert!(lines.contains(&"diagnostic 5:22 E0300 mismatched types: expected `int`, found `str`"), "{said}");
    assert!(
        lines.iter().any(|l| l.starts_with("hover ```aether|fn fall(b: Ball, dt: float) -> Ball|```")
            && l.ends_with("`b`, `dt` seconds later.")),
        "{said}"
    );
    assert!(lines.contains(&"definition game.ae 7:8"), "{said}");
}
