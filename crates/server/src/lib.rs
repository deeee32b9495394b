//! The Tessera server: the Sisense REST API over HTTP.
//!
//! `main.rs` only parses the command line; [`run`] starts everything, and tests build the same
//! [`startup::Application`] on port 0.

pub mod admin;
pub mod bootstrap;
pub mod config;
pub mod connections;
pub mod datadir;
pub mod error;
pub mod http;
pub mod meters;
pub mod password;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod token;
pub mod transfer;

use config::{Cli, Command};

/// The version and the commit it was built from, as `--version` and the start line show them.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("TESSERA_COMMIT"), ")");

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> Result<(), error::StartupError> {
    match cli.command {
        Command::Serve(args) => {
            let settings = config::Settings::load(*args)?;
            telemetry::init(settings.log_format);
            let app = startup::Application::build(settings).await?;
            app.run_until_stopped(startup::shutdown_signal()).await
        }
        Command::Admin(args) => admin::run(args).await,
        Command::Backup(args) => admin::backup(args),
        Command::Export(args) => transfer::run_export(args).await,
        Command::Import(args) => transfer::run_import(args).await,
    }
}
