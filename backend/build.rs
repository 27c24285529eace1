//! Embeds `../migrations/{sqlite,postgres}` in the server: writes `$OUT_DIR/migrations.rs`,
//! one `(version, description, include_str!(file))` per file, in version order, which
//! `store::migrations` hands to sqlx's migrator at start.
//!
//! This is what `sqlx::migrate!` does, without its proc macro: the macro pulls in
//! `sqlx-macros-core`, which compiles a second copy of sqlx's SQLite and PostgreSQL drivers
//! (and of SQLite's C source) for the compiler's side of the build, about a tenth of a cold
//! release build on this machine kind. File names follow sqlx's rule
//! (`<version>_<description>.sql`, underscores read as spaces), so the versions,
//! descriptions and checksums are those `migrate!` recorded in existing databases; a test
//! (`store::migrations`) compares them with what sqlx reads from the directory itself.
//! Reversible migrations (`.up.sql` / `.down.sql`) are not used here and fail the build.
//!
//! Cargo reruns this script when anything under `../migrations` changes, so a new migration
//! rebuilds the server even when no Rust file changed.

use std::error::Error;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

/// A build script fails the build by returning an error: cargo prints it.
type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=../migrations");
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR")?).join("../migrations");
    let mut code = String::new();
    for (name, dir) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        writeln!(code, "pub(super) static {name}: &[(i64, &str, &str)] = &[")?;
        for (version, description, file) in migrations(&root.join(dir))? {
            // The path from the crate's own directory at compile time, not this run's: a
            // checkout moved to another path (its target dir kept) reuses this output.
            let path = format!("/../migrations/{dir}/{file}");
            writeln!(
                code,
                "    ({version}, {description:?}, \
                 include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {path:?}))),"
            )?;
        }
        writeln!(code, "];")?;
    }
    fs::write(Path::new(&env::var("OUT_DIR")?).join("migrations.rs"), code)?;
    Ok(())
}

/// A directory's migrations as (version, description, file name), by version.
fn migrations(dir: &Path) -> Result<Vec<(i64, String, String)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry?.path();
        let shape = || format!("{}: not <version>_<description>.sql", path.display());
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .ok_or_else(shape)?;
        let (version, rest) = file.split_once('_').ok_or_else(shape)?;
        let description = rest.strip_suffix(".sql").ok_or_else(shape)?;
        if description.ends_with(".up") || description.ends_with(".down") {
            return Err(format!("{}: reversible migrations are not used", path.display()).into());
        }
        let version: i64 = version.parse().map_err(|_| shape())?;
        found.push((version, description.replace('_', " "), file.to_owned()));
    }
    found.sort();
    Ok(found)
}
