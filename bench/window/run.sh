#!/usr/bin/env bash
# Frame times of examples/window-game, in one run, under Xvfb, the same debug
# build profile, the same scripted game (the AI plays), 60 frames a second:
#
# 1. Drawing: the frame drawn through the host's API (render.ae: `extern fn`
#    clear/rect/line/text) against Aether filling a list of pixels itself
#    that the host copies (pixels.ae, `--draw pixels`), static build,
#    alternated ROUNDS times so both see the same load.
# 2. Static against `--hmr`: the `--hmr` run is edited RELOADS times (a
#    colour constant in render.ae: one module rebuilt and swapped) while it
#    plays. Median and p99 of the Aether work per frame (ticks, drawing,
#    overlay) and of the whole frame (with showing it), and the ticks that
#    had no frame of their own (dropped frames), each put beside the saves
#    and the swaps: dropped while the module was being rebuilt (cargo and
#    rustc share the cores with the game) or at the swap itself (the game
#    waiting at its safe point, and the first calls into the new library).
#
#   bash bench/window/run.sh      # FRAMES=1800 RELOADS=10 DRAW_FRAMES=600 ROUNDS=2 by default
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
frames="${FRAMES:-1800}"
reloads="${RELOADS:-10}"
draw_frames="${DRAW_FRAMES:-600}"
rounds="${ROUNDS:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/bench-window}"
cargo build -q --manifest-path "$repo/cargo-aether/Cargo.toml" --bin cargo-aether
cli="$repo/target/debug/cargo-aether"
[ -x "$cli" ] || cli="$CARGO_TARGET_DIR/debug/cargo-aether"
now_ms() { date +%s%3N; }

game="$work/window-game"
mkdir -p "$game"
cp -r "$repo/examples/window-game/"{Cargo.lock,build.rs,src} "$game/"
sed "s|path = \"../../|path = \"$repo/|" "$repo/examples/window-game/Cargo.toml" > "$game/Cargo.toml"
cargo build -q --manifest-path "$game/Cargo.toml"
exe="$CARGO_TARGET_DIR/debug/window-game"
# The one summary line of a `--stats` run, without the frame count.
figures() { grep '^frames ' | sed 's/^frames [0-9]* //'; }

echo "== drawing, static build, $draw_frames frames a run, $rounds rounds (draw_ms: the draw call alone)"
for round in $(seq 1 "$rounds"); do
    for draw in host pixels; do
        line=$(xvfb-run -a "$exe" --scripted --frames "$draw_frames" --stats --draw "$draw" | figures)
        printf '  %-7s round %s: %s\n' "$draw" "$round" "$line"
    done
done

echo "== static (cargo build; $frames frames)"
xvfb-run -a "$exe" --scripted --frames "$frames" --stats | figures | sed 's/^/  /'

echo "== --hmr (cargo aether run --hmr; $frames frames, $reloads reloads of render.ae)"
# Each line of the CLI's stderr with the Unix ms it arrived at.
(cd "$game" && xvfb-run -a "$cli" aether run --hmr --timings -- --scripted --frames "$frames" --stats \
    --snap "$work/shots" --snap-every 60 > "$work/hmr.out" 2> >(while IFS= read -r l; do
        printf '%s %s\n' "$(now_ms)" "$l"; done > "$work/hmr.err")) &
runner=$!
until grep -q '^frame 60 ' "$work/hmr.out" 2>/dev/null; do sleep 0.2; done
for i in $(seq 1 "$reloads"); do
    colour=$(printf '0x%02x99ff' $((i * 20)))
    sed "s/const PLAYER_COLOR: int = 0x[0-9a-f]*/const PLAYER_COLOR: int = $colour/" "$game/src/game/render.ae" > "$work/render.tmp"
    now_ms >> "$work/saves"
    mv "$work/render.tmp" "$game/src/game/render.ae"
    sleep 2
done
wait "$runner"
sleep 0.5
figures < "$work/hmr.out" | sed 's/^/  /'
grep '\[aether\] reloaded' "$work/hmr.err" | cut -d' ' -f1 > "$work/swaps"
echo "reloads applied: $(wc -l < "$work/swaps") of $reloads"
grep '\[aether\] reloaded' "$work/hmr.err" | cut -d' ' -f2- | sed 's/^/  /'
grep '^dropped ' "$work/hmr.out" | awk '{print $4, $2}' > "$work/drops" || true
grep '^slow ' "$work/hmr.out" | awk '{print $4, $2}' > "$work/slow" || true
echo "load + swap, as the CLI's --timings line measures it (loading on the host's reload thread included):"
grep '\[aether\] timings:' "$work/hmr.err" | sed 's/.*load + swap \([0-9]*\) ms.*/\1/' | sort -n |
    awk '{v[NR] = $1} END { if (NR) printf "  median %d ms, max %d ms over %d reloads\n", v[int((NR + 1) / 2)], v[NR], NR }'
# Per reload: frames dropped between the save and the swap (the rebuild),
# around the swap (from 20 ms before the "reloaded" line to 150 ms after),
# and later before the next save; and the slowest Aether work of a frame
# around the swap (the frame thread held at its safe point shows there).
awk '
    FILENAME == ARGV[1] { save[++ns] = $1; next }
    FILENAME == ARGV[2] { swap[++nw] = $1; next }
    FILENAME == ARGV[3] { t = $1; n = $2
      for (k = ns; k >= 1; k--) if (t >= save[k]) break
      if (k < 1) { before += n; next }
      if (k <= nw && t < swap[k] - 20) build += n
      else if (k <= nw && t <= swap[k] + 150) at_swap += n
      else later += n
      next }
    { t = $1; ms = $2
      for (k = 1; k <= nw; k++) if (t >= swap[k] - 20 && t <= swap[k] + 150 && ms > worst[k]) worst[k] = ms }
    END {
      printf "dropped frames: %d before the first save; during the %d rebuilds %d; at the %d swaps %d (%.2f a reload); after %d\n",
        before, ns, build, nw, at_swap, nw ? at_swap / nw : 0, later
      printf "dropped per reload, all causes: %.2f\n", ns ? (build + at_swap + later) / ns : 0
      line = ""
      for (k = 1; k <= nw; k++) line = line sprintf(" %.1f", worst[k] + 0)
      printf "slowest frame work around each swap (ms; 0: none over 8 ms):%s\n", line
    }' "$work/saves" "$work/swaps" "$work/drops" "$work/slow"
