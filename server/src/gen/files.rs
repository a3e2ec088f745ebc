//! Generator mode: N classification results files for benchmarks.

use std::path::Path;

pub fn write_results(seed: u64, n: usize, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut r = crate::rng::Rng::new(seed ^ 0xBE7C);
    for k in 0..n {
        let id = r.hex_id();
        let v = super::results::classification(seed, &id);
        let json = serde_json::to_vec(&v).map_err(std::io::Error::other)?;
        let z = super::results::encode(super::results::Encoding::Zstd, &json);
        std::fs::write(dir.join(format!("{:05}_{id}.json.zst", k + 1)), z)?;
    }
    println!("wrote {n} results files to {}", dir.display());
    Ok(())
}
