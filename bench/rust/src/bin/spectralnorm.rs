//! spectral-norm, mirroring ../../programs/spectralnorm.ae.

fn a(i: i64, j: i64) -> f64 {
    1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) as f64
}

fn times(v: &[f64]) -> Vec<f64> {
    let n = v.len() as i64;
    (0..n).map(|i| (0..n).map(|j| a(i, j) * v[j as usize]).sum()).collect()
}

fn times_transposed(v: &[f64]) -> Vec<f64> {
    let n = v.len() as i64;
    (0..n).map(|i| (0..n).map(|j| a(j, i) * v[j as usize]).sum()).collect()
}

fn times_at_a(v: &[f64]) -> Vec<f64> {
    times_transposed(&times(v))
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let mut u = vec![1.0; n];
    let mut v = Vec::new();
    for _ in 0..10 {
        v = times_at_a(&u);
        u = times_at_a(&v);
    }
    let vbv: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    println!("{:.9}", (vbv / vv).sqrt());
}
