use clap::Parser;

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
