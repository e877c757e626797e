//! mandelbrot, mirroring ../../programs/mandelbrot.ae (plain PBM, P1).

const ITERATIONS: i64 = 50;
const LIMIT: f64 = 4.0;

fn in_set(cr: f64, ci: f64) -> bool {
    let (mut zr, mut zi, mut tr, mut ti) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut i = 0;
    while i < ITERATIONS && tr + ti <= LIMIT {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
        i += 1;
    }
    tr + ti <= LIMIT
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let mut out = String::with_capacity(n * (n + 1) + 16);
    out.push_str(&format!("P1\n{n} {n}\n"));
    let size = n as f64;
    for y in 0..n {
        let ci = 2.0 * y as f64 / size - 1.0;
        for x in 0..n {
            let cr = 2.0 * x as f64 / size - 1.5;
            out.push(if in_set(cr, ci) { '1' } else { '0' });
        }
        out.push('\n');
    }
    print!("{out}");
}
