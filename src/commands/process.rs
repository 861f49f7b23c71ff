//! Process hardening: no core dump can hold a token.

/// Makes the process non-dumpable and sets its core size limit to 0, before any secret is read:
/// a crash leaves no core file with the access token in it, and other processes of the same
/// user cannot attach to it or read its memory through `/proc`. Failures are ignored (the
/// platform may not support it).
pub fn forbid_core_dumps() {
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and has no other effect on memory.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &none);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_DUMPABLE, 0) only changes a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
