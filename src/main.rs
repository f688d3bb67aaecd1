//! The `kalshi-actor` binary: parses the command line and hands off to [`kalshi_actor::cli`].

fn main() -> std::process::ExitCode {
    kalshi_actor::cli::main()
}
