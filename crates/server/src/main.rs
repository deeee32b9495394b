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
            eprintln!("tessera: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
