//! Stamps the binary with the commit it was built from (`tessera --version`, the start line):
//! `git rev-parse` when the source is a git checkout, `unknown` otherwise (a source tarball).

fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TESSERA_COMMIT={commit}");
    // The reflog moves with every commit and checkout; a missing file (no git) reruns cheaply.
    println!("cargo:rerun-if-changed=../../.git/logs/HEAD");
}
