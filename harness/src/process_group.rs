//! Commands the user gives (an effects command, a capture trigger) run in a process group
//! of their own, led by `sh`, so that ending one ends everything it started: a background
//! job left running would outlive hookcheck and hold its output open.

/// Sends SIGKILL to the process group led by `leader`, if there is one.
pub fn end_group(leader: Option<u32>) {
    let Some(pid) = leader.and_then(|pid| i32::try_from(pid).ok()) else {
        return;
    };
    // SAFETY: kill(2) with a negative pid signals the process group; it touches no memory.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}
