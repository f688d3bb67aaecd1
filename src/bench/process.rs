//! Memory and CPU of a process, read from Linux's `/proc` (`None` elsewhere, or when the
//! file cannot be read or parsed).

/// Clock ticks per second of `/proc/*/stat` times (`USER_HZ`, 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

/// Resident set and its peak, MB, from the text of `/proc/PID/status`.
pub fn parse_status(text: &str) -> Option<(f64, f64)> {
    Some((status_mb(text, "VmRSS:")?, status_mb(text, "VmHWM:")?))
}

/// One `kB` field of `/proc/PID/status`, in MB.
pub fn status_mb(text: &str, key: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let n: f64 = line[key.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(n / 1024.0)
}

/// Anonymous resident memory (heap, stacks), MB: the resident set without the pages of the
/// program's own file, which grow as more of its code runs and are not a leak.
pub fn anon_mb(pid: Option<u32>) -> Option<f64> {
    let path = pid.map_or_else(|| "/proc/self/status".to_owned(), |p| format!("/proc/{p}/status"));
    status_mb(&std::fs::read_to_string(path).ok()?, "RssAnon:")
}

/// User + system CPU seconds from the text of `/proc/PID/stat`.
pub fn parse_stat(text: &str) -> Option<f64> {
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_S)
}

/// Resident set and peak of `pid` (`None`: this process), MB.
pub fn memory_mb(pid: Option<u32>) -> Option<(f64, f64)> {
    let path = pid.map_or_else(|| "/proc/self/status".to_owned(), |p| format!("/proc/{p}/status"));
    parse_status(&std::fs::read_to_string(path).ok()?)
}

/// CPU seconds used so far by `pid` (`None`: this process).
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = pid.map_or_else(|| "/proc/self/stat".to_owned(), |p| format!("/proc/{p}/stat"));
    parse_stat(&std::fs::read_to_string(path).ok()?)
}

/// jemalloc's view of this process's heap, MB: `(allocated, resident)`, what the program
/// holds and what the allocator keeps resident for it. `None` when jemalloc is not the
/// global allocator (the binary's is; a library test's is not) or cannot be read.
pub fn heap_mb() -> Option<(f64, f64)> {
    use tikv_jemalloc_ctl::{epoch, stats};
    epoch::advance().ok()?;
    let (allocated, resident) = (stats::allocated::read().ok()?, stats::resident::read().ok()?);
    (allocated > 0).then(|| (allocated as f64 / 1048576.0, resident as f64 / 1048576.0))
}
