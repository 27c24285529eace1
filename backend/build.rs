//! `sqlx::migrate!` embeds `../migrations` when the server compiles, but cargo only knows
//! to recompile for files the macro read: a migration added without touching any Rust file
//! would be left out of the build. Watching the directory rebuilds the server for it (the
//! build script sqlx's own CLI generates, `sqlx migrate build-script`, does the same).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
