use clap::Parser;

/// mimalloc instead of the system allocator: requests allocate many short-lived small objects
/// from two worker threads at once, where glibc's malloc spends its time in arena locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = tessera_server::config::Cli::parse();
    match tessera_server::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            std::process::ExitCode::FAILURE
        }
    }
}

/// Why the server did not start, on standard error: the logs may not be set up yet.
#[expect(clippy::print_stderr, reason = "the command line's own failure message")]
fn report(e: &tessera_server::error::StartupError) {
    eprintln!("tessera: {e}");
}
