//! The `kalshi-actor` binary: parses the command line and hands off to [`kalshi_actor::cli`].

/// jemalloc instead of glibc's malloc. Under the fault soak (reconnections, large REST
/// answers between long-lived small objects) glibc's arenas kept growing while the live
/// heap stayed flat; jemalloc's size classes and decay-based purging keep the resident set
/// close to what is live.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    kalshi_actor::cli::main()
}
