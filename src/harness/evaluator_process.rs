//! The judge's handle on the learner's evaluator process: start it, send it
//! one call at a time, and stop it, whatever the learner's code does.
//!
//! - The evaluator is started in a process group of its own, with one end of
//!   a Unix socket pair as its descriptor 3 (the exchange), an empty standard
//!   input, and its standard output and error read into bounded buffers.
//! - Each call has a time limit. An evaluator that runs past it, dies, or
//!   answers with bytes that do not read is killed, its whole process group
//!   with it; the next call starts a fresh one. So a hang or a crash is just
//!   that input's result, and the judge can go on shrinking it.
//! - The whole group is killed again when the handle is dropped (the end of
//!   a check), and by the Ctrl-C handler, so nothing the learner's code spawned
//!   outlives the check. The judge never waits for the learner's output pipes
//!   to close: a grandchild that escaped the group and keeps them open only
//!   keeps a reader thread alive, not the check.
//! - On Linux the evaluator also dies with the judge (parent-death signal),
//!   its address space is capped (a huge allocation fails at once instead of
//!   swapping the machine) and it leaves no core file.

use super::judge::{Evaluate, Reply};
use crate::evaluator::wire::{from_bytes, to_bytes};
use crate::evaluator::{Answer, Call, JUDGE_FD, MAX_FRAME_BYTES};
use serde::Serialize;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How much of each output stream is kept (its end, where crashes speak).
const OUTPUT_TAIL_BYTES: usize = 4096;
/// The evaluator's address-space limit on Linux.
const ADDRESS_SPACE_BYTES: u64 = 8 << 30;
/// How many call limits a heavy call (a long case, such as a memory check) may
/// take: it is no hang to spend seconds on 512 positions in an unoptimised build.
const HEAVY_CALL_FACTOR: u32 = 5;
/// How long a dead evaluator's output is waited for before it is read as it is.
const OUTPUT_GRACE: Duration = Duration::from_millis(100);

/// The tail of what the learner's code printed.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Output {
    /// Standard output (at most the last 4 KiB).
    pub stdout: String,
    /// Standard error (at most the last 4 KiB).
    pub stderr: String,
}

impl Output {
    /// Whether nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.stdout.trim().is_empty() && self.stderr.trim().is_empty()
    }
}

/// The evaluator program of one check, started as needed.
pub struct EvaluatorProcess {
    executable: PathBuf,
    call_limit: Duration,
    deadline: Instant,
    running: Option<Running>,
    /// What the last evaluator stopped had printed.
    last_output: Output,
}

/// One running evaluator.
struct Running {
    child: Child,
    socket: UnixStream,
    stdout: Tail,
    stderr: Tail,
}

impl EvaluatorProcess {
    /// A handle on `executable`; no process runs until the first call. A
    /// call may take `call_limit`, and none is started after `deadline`.
    pub fn new(executable: &Path, call_limit: Duration, deadline: Instant) -> Self {
        install_interrupt_handler();
        EvaluatorProcess {
            executable: executable.to_path_buf(),
            call_limit,
            deadline,
            running: None,
            last_output: Output::default(),
        }
    }

    /// The running evaluator, started if there is none.
    fn running(&mut self) -> io::Result<&mut Running> {
        if self.running.is_none() {
            self.running = Some(Running::start(&self.executable)?);
        }
        Ok(self.running.as_mut().expect("just started"))
    }

    /// Stops the running evaluator (if any), keeping what it printed.
    fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            self.last_output = running.stop();
        }
    }

    /// Sends one call and waits for its answer, within `limit`.
    fn exchange(&mut self, call: &Call, limit: Duration) -> Reply {
        let running = match self.running() {
            Ok(running) => running,
            Err(error) => return Reply::Crashed { reason: format!("the evaluator could not start: {error}") },
        };
        let sent = running
            .socket
            .set_write_timeout(Some(limit))
            .and_then(|()| crate::evaluator::write_frame(&mut running.socket, &to_bytes(call)));
        let received = sent.and_then(|()| read_frame_within(&mut running.socket, limit));
        match received.map(|frame| frame.map(|f| from_bytes::<Answer>(&f))) {
            Ok(Some(Ok(Answer::Returned { results, peak_heap_bytes }))) => Reply::Returned { results, peak_heap_bytes },
            Ok(Some(Ok(Answer::Panicked(panicked)))) => Reply::Panicked(panicked),
            Ok(Some(Ok(Answer::Unreadable(why)))) => {
                self.stop();
                Reply::Crashed { reason: format!("the evaluator could not read the call ({why})") }
            }
            Ok(Some(Err(error))) => {
                self.stop();
                Reply::Crashed { reason: format!("the evaluator answered with bytes that do not read ({error})") }
            }
            Err(error) if error.kind() == io::ErrorKind::TimedOut => {
                self.stop();
                Reply::Hung
            }
            // The socket closed or broke: the process is gone, or going.
            Ok(None) | Err(_) => {
                let status = self.running.as_mut().and_then(Running::exit_status);
                self.stop();
                Reply::Crashed { reason: describe_crash(status, &self.last_output) }
            }
        }
    }
}

impl EvaluatorProcess {
    /// How long a call may take: the call limit, or for a heavy call (a long
    /// case) as many times it as [`HEAVY_CALL_FACTOR`] says.
    fn limit(&self, heavy: bool) -> Duration {
        if heavy { self.call_limit * HEAVY_CALL_FACTOR } else { self.call_limit }
    }
}

impl Evaluate for EvaluatorProcess {
    fn evaluate(&mut self, arguments: Vec<u8>, trace_panic: bool, heavy: bool) -> Reply {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Reply::OutOfTime;
        }
        let limit = self.limit(heavy);
        let cut_short = left < limit;
        match self.exchange(&Call { trace_panic, arguments }, left.min(limit)) {
            Reply::Hung if cut_short => Reply::OutOfTime,
            reply => reply,
        }
    }

    fn output_of(&mut self, arguments: Vec<u8>, heavy: bool) -> Output {
        self.stop();
        // A fresh evaluator runs this one call, so all it prints is this call's.
        let limit = self.limit(heavy).min(self.deadline.saturating_duration_since(Instant::now())).max(OUTPUT_GRACE);
        self.last_output = Output::default();
        let _ = self.exchange(&Call { trace_panic: false, arguments }, limit);
        self.stop();
        std::mem::take(&mut self.last_output)
    }
}

impl Drop for EvaluatorProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Running {
    /// Starts the evaluator in a process group of its own.
    fn start(executable: &Path) -> io::Result<Running> {
        let (judge_end, evaluator_end) = UnixStream::pair()?;
        let mut command = Command::new(executable);
        command
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let inherited = std::os::fd::AsRawFd::as_raw_fd(&evaluator_end);
        // SAFETY: between fork and exec the closure only makes system calls
        // that are async-signal-safe (fcntl, dup2, close, setrlimit, prctl).
        unsafe { command.pre_exec(move || prepare_evaluator(inherited)) };
        let mut child = command.spawn()?;
        drop(evaluator_end);
        CURRENT_GROUP.store(child.id() as i32, Ordering::SeqCst);
        let stdout = Tail::read(child.stdout.take().expect("stdout is piped"), OUTPUT_TAIL_BYTES);
        let stderr = Tail::read(child.stderr.take().expect("stderr is piped"), OUTPUT_TAIL_BYTES);
        Ok(Running { child, socket: judge_end, stdout, stderr })
    }

    /// How the process ended, waiting a moment for a process that is exiting.
    fn exit_status(&mut self) -> Option<ExitStatus> {
        let until = Instant::now() + OUTPUT_GRACE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(2)),
                _ => return None,
            }
        }
    }

    /// Kills the process group, reaps the evaluator and returns its output.
    fn stop(mut self) -> Output {
        kill_group(self.child.id() as i32);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = CURRENT_GROUP.compare_exchange(self.child.id() as i32, 0, Ordering::SeqCst, Ordering::SeqCst);
        Output { stdout: self.stdout.text(), stderr: self.stderr.text() }
    }
}

/// In the forked child, before exec: the socket end becomes descriptor 3,
/// and (on Linux) the limits are set.
fn prepare_evaluator(inherited: i32) -> io::Result<()> {
    let check = |result: libc::c_int| if result < 0 { Err(io::Error::last_os_error()) } else { Ok(result) };
    // SAFETY: plain system calls on descriptors and limits of this process.
    unsafe {
        // Through a high copy, in case the socket end already is descriptor 3
        // (dup2 onto itself would keep its close-on-exec flag).
        let high = check(libc::fcntl(inherited, libc::F_DUPFD, 10))?;
        check(libc::dup2(high, JUDGE_FD))?;
        check(libc::close(high))?;
        #[cfg(target_os = "linux")]
        {
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL))?;
            let cap = |bytes: u64| libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            check(libc::setrlimit(libc::RLIMIT_AS, &cap(ADDRESS_SPACE_BYTES)))?;
            check(libc::setrlimit(libc::RLIMIT_CORE, &cap(0)))?;
        }
    }
    Ok(())
}

/// Reads one frame from `socket`, giving up with `TimedOut` after `limit`.
fn read_frame_within(socket: &mut UnixStream, limit: Duration) -> io::Result<Option<Vec<u8>>> {
    let until = Instant::now() + limit;
    let mut read_exactly = |buffer: &mut [u8]| -> io::Result<bool> {
        let mut filled = 0;
        while filled < buffer.len() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            socket.set_read_timeout(Some(left))?;
            match socket.read(&mut buffer[filled..]) {
                Ok(0) => return Ok(false),
                Ok(n) => filled += n,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    };
    let mut length = [0u8; 4];
    if !read_exactly(&mut length)? {
        return Ok(None);
    }
    let length = u32::from_le_bytes(length) as usize;
    if length > MAX_FRAME_BYTES {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("a frame of {length} bytes")));
    }
    let mut frame = vec![0; length];
    if !read_exactly(&mut frame)? {
        return Ok(None);
    }
    Ok(Some(frame))
}

/// The end of a stream, read on a thread of its own into a shared buffer
/// that can be looked at any time (the stream need not have ended).
pub(crate) struct Tail {
    kept: Arc<Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Tail {
    /// Starts reading `stream`, keeping its last `max_bytes`.
    pub fn read(mut stream: impl Read + Send + 'static, max_bytes: usize) -> Tail {
        let kept = Arc::<Mutex<Vec<u8>>>::default();
        let buffer = Arc::clone(&kept);
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n @ 1..) = stream.read(&mut chunk) {
                let mut kept = buffer.lock().unwrap_or_else(|e| e.into_inner());
                kept.extend_from_slice(&chunk[..n]);
                let excess = kept.len().saturating_sub(max_bytes);
                kept.drain(..excess);
            }
        });
        Tail { kept, reader }
    }

    /// What has been kept so far, after a moment for the last bytes in flight.
    pub fn text(&self) -> String {
        let until = Instant::now() + Duration::from_millis(20);
        while !self.reader.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
        String::from_utf8_lossy(&self.kept.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Everything kept, once the stream has ended (for a process that is
    /// known to close it, such as cargo).
    pub fn join(self) -> String {
        let _ = self.reader.join();
        String::from_utf8_lossy(&self.kept.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

/// The process group of the evaluator running now (0: none), for the Ctrl-C handler.
static CURRENT_GROUP: AtomicI32 = AtomicI32::new(0);

/// Kills every process of a group.
fn kill_group(group: i32) {
    if group > 0 {
        // SAFETY: sends a signal; no memory is touched.
        unsafe { libc::killpg(group, libc::SIGKILL) };
    }
}

/// On Ctrl-C (or SIGTERM), kills the running evaluator's group, then dies of
/// the signal as before: the evaluator sits in another process group, out of
/// reach of the terminal's Ctrl-C.
fn install_interrupt_handler() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    extern "C" fn on_signal(signal: libc::c_int) {
        kill_group(CURRENT_GROUP.load(Ordering::SeqCst));
        // SAFETY: async-signal-safe calls: restore the default action and re-raise.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    INSTALL.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: installs a handler that only makes async-signal-safe calls.
            unsafe { libc::signal(signal, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t) };
        }
    });
}

/// In words, why an evaluator stopped without answering: a stack overflow,
/// a signal, or an exit of its own.
pub fn describe_crash(status: Option<ExitStatus>, output: &Output) -> String {
    if output.stderr.contains("has overflowed its stack") {
        return "stack overflow (unbounded recursion?)".into();
    }
    if output.stderr.contains("memory allocation of") {
        return "a memory allocation failed (an allocation far too large?)".into();
    }
    let Some(status) = status else { return "the evaluator closed its connection to attn-quiz".into() };
    if let Some(signal) = status.signal() {
        return format!("killed by signal {signal} ({})", signal_name(signal));
    }
    match status.code() {
        Some(code) => format!(
            "the program exited with code {code} in the middle of a call \
             (does your code call std::process::exit?)"
        ),
        None => "the program ended abnormally".into(),
    }
}

/// The usual meaning of the signals a crashing program dies of.
fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL: illegal instruction",
        6 => "SIGABRT: aborted, e.g. std::process::abort, a panic while panicking or a failed allocation",
        7 => "SIGBUS: bad memory access",
        8 => "SIGFPE: arithmetic fault",
        9 => "SIGKILL: killed, possibly for using too much memory",
        11 => "SIGSEGV: segmentation fault",
        _ => "unexpected signal",
    }
}
