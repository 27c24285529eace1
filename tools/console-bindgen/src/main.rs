//! `console-bindgen INPUT.wasm OUT_DIR NAME`: what `wasm-bindgen --target web
//! --no-typescript --out-dir OUT_DIR --out-name NAME INPUT.wasm` does, from the same library
//! (`wasm-bindgen-cli-support`), so the console's build compiles that library and not the
//! whole CLI. Writes `OUT_DIR/NAME.js` and `OUT_DIR/NAME_bg.wasm`.

use std::process::ExitCode;

use wasm_bindgen_cli_support::Bindgen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, name] = args.as_slice() else {
        eprintln!("usage: console-bindgen INPUT.wasm OUT_DIR NAME");
        return ExitCode::from(2);
    };
    let generated = Bindgen::new()
        .input_path(input)
        .web(true)
        .and_then(|bindgen| {
            bindgen
                .typescript(false)
                .demangle(true)
                // The CLI's default, which the library's differs from: the glue finds the
                // wasm beside itself when called without a path.
                .omit_default_module_path(false)
                .out_name(name)
                .generate(out_dir)
        });
    match generated {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("console-bindgen: {error:#}");
            ExitCode::FAILURE
        }
    }
}
