//! Playback: a control thread owns the sound device; the device's own callback pulls hara's
//! mix ([`Mixer`]).
//!
//! - **Sample-accurate onsets.** Each callback carries the instant its first sample will be
//!   heard (cpal's playback timestamp, which includes the device's latency). From it the
//!   callback knows which sample is heard when, and starts each sound on the sample heard at
//!   exactly the instant it was asked for ([`Audio::sound_at`]). A run hands its sounds over
//!   [`LEAD`] before they fall due, longer than the device's buffer, so each is heard on the
//!   moment the screen shows its event; one not handed over in time plays at once.
//! - **A lost sound server** (PulseAudio killed, a USB speaker pulled) shows as stream errors
//!   or as callbacks that stop coming: the stream is closed (so cpal's thread cannot spin),
//!   the status says so, and the device is opened again with a growing pause between tries
//!   (a quarter of a second up to four seconds) until it plays again.
//! - **Idle.** When nothing has sounded for a few seconds the stream is paused, so neither
//!   hara's nor the sound server's threads wake; the next event starts it again.
//! - **Start-up** does not wait: the device opens on the control thread while the countdown
//!   runs.
//! - Nothing the sound libraries print reaches the terminal ([`Quiet`]).

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, StreamTrait};
use rodio::cpal::{self, BufferSize, StreamConfig};

use super::bed::BedVoice;
use super::devices::{self, Quiet};
use super::mix::{BedChange, Mixer, Voice};
use super::render::{Bank, Speech, voices};
use super::synth::RATE;
use crate::session::format::{Bell, Instrument};
use crate::timeline::EventKind;

/// How playback stands, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The device is being opened (a few tens of milliseconds after start-up).
    Opening,
    /// Playing on this device.
    Device(String),
    /// The device was playing and went away; hara is trying to open it again.
    Lost(String),
    /// No device could be opened; the session runs visually (hara keeps trying).
    NoDevice(String),
    /// Sound turned off on purpose (`--silent`), for people who strike their own bowl.
    Silent,
}

/// Frames hara asks the device to take at a time (150 ms, with a buffer of two; PulseAudio's
/// ALSA plugin makes that 100 ms periods, three to its 300 ms buffer). The buffer rides out a
/// moment when hara cannot run, and the sound server and hara wake 10 times a second while
/// sound plays (67 ms periods cost a third more: see docs/PERFORMANCE.md). The latency this
/// brings is not heard: sounds are handed over [`LEAD`] ahead.
pub const PERIOD: u32 = RATE * 3 / 20;
/// How long before its moment a sound is handed over to be heard exactly on it: longer than
/// the device's latency (300 ms at PulseAudio with these periods; at most a buffer, 300 ms,
/// on a device of its own), plus a period until the next callback, plus time for the sound
/// to arrive. Also the most a sound played at once takes to be heard.
pub const LEAD: Duration = Duration::from_millis(600);
/// Callbacks whose estimates of the stream's clock are kept (about a second's worth).
const ESTIMATES: usize = 15;
/// Nothing sounding for this long pauses the stream.
const IDLE: Duration = Duration::from_secs(3);
/// How long the callbacks may stop before the stream counts as lost.
const SILENCE: Duration = Duration::from_secs(4);
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(4);

/// The volume as a person sets it (0 to 100) is a loudness scale: each step of 10 is 3 dB,
/// so 100 is full level, 80 is −6 dB, 10 is −27 dB, and 0 is off.
pub fn percent_to_gain(percent: u8) -> f32 {
    if percent == 0 {
        0.0
    } else {
        10f32.powf(-0.3 * f32::from(100 - percent.min(100)) / 20.0)
    }
}

/// What the audio thread is asked to do.
enum Command {
    /// Something was given to the deck: a paused stream must play.
    Sounding,
    Gain(f32),
    Paused(bool),
    /// The stream reported an error.
    Wake,
    Stop,
}

/// Names the voices of one sound, so that a sound handed over ahead of its moment can be
/// taken back ([`Audio::cancel`]) until it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

/// When a voice is to start.
#[derive(Debug, Clone, Copy)]
enum Start {
    /// On the sample heard at this instant (at once, counted late, if that has gone).
    At(Instant),
    /// As soon as it can be heard: the next sample put out when the callback first sees it
    /// (then [`Start::Sample`], so that a bell's later strikes keep their distance).
    Now,
    /// On this output sample.
    Sample(u64),
}

/// A voice waiting for the callback to place it.
struct Pending {
    start: Start,
    /// Samples after `start` (a bell's later strikes).
    offset: u64,
    /// The sound's first voice (the one placed first).
    first: bool,
    ticket: Ticket,
    voice: Voice,
}

/// What the device's callback and the control thread share.
struct Deck {
    mixer: Mixer,
    pending: Vec<Pending>,
    base: Instant,
    /// When output sample 0 is heard, in seconds after `base` (smoothed over callbacks).
    origin: Option<f64>,
    /// The latest estimates of `origin`, one a callback.
    estimates: VecDeque<f64>,
    /// The stream has just started (again): forget the estimates.
    restarted: bool,
    /// Sounds placed late, and the worst lateness, for the benchmark.
    late: u64,
    worst_late: f64,
    placed: u64,
    /// The most frames a callback asked for, and the longest latency it reported.
    most_frames: usize,
    most_latency: Duration,
    /// The longest time between two callbacks, and when it ended (after `base`).
    longest_gap: (Duration, Duration),
    last_callback: Option<Instant>,
}

impl Deck {
    fn new(gain: f32) -> Self {
        Deck {
            mixer: Mixer::new(gain),
            pending: Vec::new(),
            base: Instant::now(),
            origin: None,
            estimates: VecDeque::with_capacity(ESTIMATES),
            restarted: true,
            late: 0,
            worst_late: 0.0,
            placed: 0,
            most_frames: 0,
            most_latency: Duration::ZERO,
            longest_gap: (Duration::ZERO, Duration::ZERO),
            last_callback: None,
        }
    }

    /// Places the waiting voices that start within the next `frames` samples (or should have
    /// started already); `heard` is when the next sample put out will be heard. Voices further
    /// ahead wait for a later callback, whose estimate of the stream's clock is better.
    fn place(&mut self, heard: Instant, frames: usize) {
        let position = self.mixer.position();
        let now_s = heard.saturating_duration_since(self.base).as_secs_f64();
        let origin = now_s - position as f64 / f64::from(RATE);
        // The median of the last second's estimates: the odd callback whose reported latency
        // is stale (the sound server's timing info lags on a busy machine) does not move it.
        // A stream that (re)started begins afresh.
        if std::mem::take(&mut self.restarted) {
            self.estimates.clear();
        }
        if self.estimates.len() == ESTIMATES {
            self.estimates.pop_front();
        }
        self.estimates.push_back(origin);
        // Sorted on the stack: the device's callback never allocates.
        let mut sorted = [0f64; ESTIMATES];
        let n = self.estimates.len();
        for (s, e) in sorted.iter_mut().zip(&self.estimates) {
            *s = *e;
        }
        sorted[..n].sort_unstable_by(f64::total_cmp);
        self.origin = Some(sorted[n / 2]);
        let o = self.origin.unwrap_or(origin);
        let horizon = (position + frames as u64) as i64;
        let mut i = 0;
        while i < self.pending.len() {
            let p = &mut self.pending[i];
            let start = match p.start {
                Start::At(heard) => {
                    let t = heard.saturating_duration_since(self.base).as_secs_f64();
                    ((t - o) * f64::from(RATE)).round() as i64 - Mixer::delay() as i64
                }
                Start::Now => {
                    p.start = Start::Sample(position);
                    position as i64
                }
                Start::Sample(n) => n as i64,
            };
            let sample = start + p.offset as i64;
            if sample >= horizon {
                i += 1;
                continue;
            }
            let Pending { ticket, voice, .. } = self.pending.swap_remove(i);
            if sample < position as i64 {
                self.late += 1;
                let late = (position as i64 - sample) as f64 / f64::from(RATE);
                self.worst_late = self.worst_late.max(late);
            }
            self.placed += 1;
            self.mixer.add_for(ticket.0, sample.max(0) as u64, voice);
        }
    }

    /// Takes back the voices of `ticket` if none has begun; true if it was taken back. A
    /// sound that has begun is left alone, and so is one whose first voice has played and
    /// ended (its later strikes still waiting): it has been heard.
    fn cancel(&mut self, ticket: Ticket) -> bool {
        let first_waiting = self.pending.iter().any(|p| p.ticket == ticket && p.first);
        // The first voice is placed before any later one (they are placed in sample order):
        // while it waits, nothing of the sound is in the mix.
        let taken = first_waiting || self.mixer.take_back(ticket.0);
        if taken {
            self.pending.retain(|p| p.ticket != ticket);
        }
        taken
    }
}

struct Shared {
    deck: Mutex<Deck>,
    output: Mutex<Output>,
    changed: Condvar,
    callbacks: AtomicU64,
    failed: AtomicBool,
    xruns: AtomicU64,
    /// How the callback thread's priority was raised ([`Priority`] as a number).
    priority: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn set(&self, output: Output) {
        *lock(&self.output) = output;
        self.changed.notify_all();
    }
}

/// An open stream.
struct Live {
    stream: cpal::Stream,
    playing: bool,
    can_pause: bool,
    callbacks: u64,
    checked: Instant,
    quiet_since: Option<Instant>,
}

impl Live {
    /// Plays a stream paused while nothing sounded, and keeps it from pausing for a while.
    fn wake(&mut self, shared: &Shared) {
        if !self.playing {
            let _quiet = Quiet::new();
            lock(&shared.deck).restarted = true;
            match self.stream.play() {
                Ok(()) => {
                    self.playing = true;
                    self.checked = Instant::now();
                }
                // The server went away while the stream was paused: reopen.
                Err(_) => shared.failed.store(true, Ordering::Release),
            }
        }
        self.quiet_since = None;
    }
}

fn open_stream(
    device: Option<&str>,
    shared: &Arc<Shared>,
    wake: &Sender<Command>,
) -> Result<(Live, String), String> {
    let _quiet = Quiet::new();
    // Threads started while the stream opens (cpal's, and the sound server's client thread
    // inside this process) inherit this thread's nice value: a busy machine must not starve
    // them either. Back to normal once the stream is open.
    let _nice = Nicer::new();
    let wanted = device;
    let device = devices::find(wanted)?;
    let mut last_error = String::new();
    // hara's own format (mono at the synth's rate) first, so nothing is converted; then
    // stereo, which some devices insist on.
    for channels in [1u16, 2] {
        let config = StreamConfig {
            channels,
            sample_rate: RATE,
            buffer_size: BufferSize::Fixed(PERIOD),
        };
        let cb_shared = shared.clone();
        let err_shared = shared.clone();
        let wake = Mutex::new(wake.clone());
        let mut mono: Vec<f32> = Vec::new();
        let mut raised = false;
        let prio_shared = shared.clone();
        let built = device.build_output_stream(
            config,
            move |data: &mut [f32], info: &cpal::OutputCallbackInfo| {
                if !raised {
                    raised = true;
                    let p = raise_priority();
                    prio_shared.priority.store(p as u64, Ordering::Relaxed);
                }
                let now = Instant::now();
                let ts = info.timestamp();
                let latency = ts.playback.duration_since(ts.callback);
                let frames = data.len() / usize::from(channels);
                mono.resize(frames, 0.0);
                {
                    let mut deck = lock(&cb_shared.deck);
                    deck.most_frames = deck.most_frames.max(frames);
                    // Not across a pause: the stream was meant to be still then.
                    if let Some(last) = deck.last_callback.filter(|_| !deck.restarted) {
                        let gap = now - last;
                        if gap > deck.longest_gap.0 {
                            deck.longest_gap = (gap, now - deck.base);
                        }
                    }
                    deck.last_callback = Some(now);
                    deck.most_latency = deck.most_latency.max(latency);
                    deck.place(now + latency, frames);
                    deck.mixer.fill(&mut mono);
                }
                for (frame, s) in data.chunks_mut(usize::from(channels)).zip(&mono) {
                    frame.fill(*s);
                }
                cb_shared.callbacks.fetch_add(1, Ordering::Relaxed);
            },
            move |error: cpal::Error| match error.kind() {
                // An underrun: the sound broke up for a moment and goes on (counted for the
                // benchmark).
                cpal::ErrorKind::Xrun => {
                    err_shared.xruns.fetch_add(1, Ordering::Relaxed);
                }
                cpal::ErrorKind::DeviceChanged => {}
                // cpal calls this over and over while the stream is broken: say it once, and
                // give up the raised priority so its loop cannot starve anything until the
                // stream is closed.
                _ => {
                    if !err_shared.failed.swap(true, Ordering::AcqRel) {
                        lower_priority();
                        let _ = lock(&wake).send(Command::Wake);
                    }
                }
            },
            None,
        );
        match built {
            Ok(stream) => {
                stream.play().map_err(|e| e.to_string())?;
                let live = Live {
                    stream,
                    playing: true,
                    can_pause: true,
                    callbacks: shared.callbacks.load(Ordering::Relaxed),
                    checked: Instant::now(),
                    quiet_since: None,
                };
                return Ok((live, devices::name(&device, wanted)));
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(match wanted {
        // The default output that does not open is no output at all, in plain words.
        None => devices::NO_OUTPUT.to_string(),
        Some(_) => format!(
            "{} cannot play now ({last_error})",
            devices::name(&device, wanted)
        ),
    })
}

/// How the device's callback thread runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Normal = 0,
    /// A lower nice value (−10): more of the CPU when the machine is busy.
    Nice = 1,
    /// Real-time round-robin: it runs as soon as the device needs it, however busy the
    /// machine (allowed for root, or where the audio group has an rtprio limit).
    RealTime = 2,
}

/// Raises the calling thread's priority as far as it is allowed to.
fn raise_priority() -> Priority {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread, with a valid parameter struct.
        unsafe {
            let param = libc::sched_param { sched_priority: 10 };
            if libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_RR, &param) == 0 {
                return Priority::RealTime;
            }
            if libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, -10) == 0 {
                return Priority::Nice;
            }
        }
    }
    Priority::Normal
}

/// While this lives, the calling thread runs at nice −10 (where allowed).
struct Nicer(bool);

impl Nicer {
    fn new() -> Self {
        #[cfg(target_os = "linux")]
        // SAFETY: setpriority on the calling thread's own id.
        unsafe {
            return Nicer(
                libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, -10) == 0,
            );
        }
        #[allow(unreachable_code)]
        Nicer(false)
    }
}

impl Drop for Nicer {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if self.0 {
            // SAFETY: as in `new`.
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 0);
            }
        }
    }
}

/// Back to an ordinary thread.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: as in `raise_priority`.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_OTHER, &param);
    }
}

/// The control thread: opens the device (again, after it is lost), places sounds, pauses an
/// idle stream, and fades out at the end.
fn control(
    shared: &Arc<Shared>,
    rx: &Receiver<Command>,
    wake: &Sender<Command>,
    device: Option<&str>,
) {
    let mut live: Option<Live> = None;
    let mut retry = FIRST_RETRY;
    let mut next_try = Instant::now();
    let mut ever_played = false;
    let mut warmed = false;
    loop {
        let now = Instant::now();
        if live.is_none() && now >= next_try {
            match open_stream(device, shared, wake) {
                Ok((l, name)) => {
                    shared.failed.store(false, Ordering::Release);
                    // Sounds asked for while there was no device are not played late; the sound
                    // bed is not a sound but what plays from now on, so it starts (fading in).
                    let mut deck = lock(&shared.deck);
                    for p in std::mem::take(&mut deck.pending) {
                        if matches!(p.voice, Voice::Bed(_)) {
                            let now = deck.mixer.position();
                            deck.mixer.add_for(p.ticket.0, now, p.voice);
                        }
                    }
                    deck.restarted = true;
                    drop(deck);
                    live = Some(l);
                    retry = FIRST_RETRY;
                    ever_played = true;
                    shared.set(Output::Device(name));
                }
                Err(why) => {
                    next_try = now + retry;
                    retry = (retry * 2).min(LAST_RETRY);
                    let lost = matches!(*lock(&shared.output), Output::Lost(_));
                    if !lost {
                        shared.set(if ever_played {
                            Output::Lost(why)
                        } else {
                            Output::NoDevice(why)
                        });
                    }
                }
            }
        }
        if !warmed && live.is_some() {
            // The instruments' loudness and lengths, worked out while the countdown runs (and
            // only when there is a device: with none, nothing is played, so nothing is spent).
            for i in Instrument::ALL {
                super::synth::measured(i);
            }
            warmed = true;
        }
        let timeout = match &live {
            None => next_try.saturating_duration_since(Instant::now()),
            Some(l) if l.playing => Duration::from_millis(500),
            Some(_) => Duration::from_secs(3600),
        };
        match rx.recv_timeout(timeout) {
            Ok(Command::Sounding) => {
                if let Some(l) = live.as_mut() {
                    l.wake(shared);
                }
            }
            Ok(Command::Gain(g)) => lock(&shared.deck).mixer.set_gain(g),
            Ok(Command::Paused(p)) => {
                lock(&shared.deck).mixer.set_paused(p);
                // What the pause held (a tone, speech, the bed) goes on: the stream, paused
                // while they were held, must play.
                if let (false, Some(l)) = (p, live.as_mut()) {
                    l.wake(shared);
                }
            }
            Ok(Command::Wake) | Err(RecvTimeoutError::Timeout) => {}
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => {
                if let Some(l) = live.take() {
                    close(shared, l);
                }
                return;
            }
        }
        // Lost: errors reported, or no callback for a while although the stream plays.
        if let Some(l) = live.as_mut() {
            let now = Instant::now();
            let count = shared.callbacks.load(Ordering::Relaxed);
            let stalled = l.playing && count == l.callbacks && now - l.checked > SILENCE;
            if count != l.callbacks || !l.playing {
                l.callbacks = count;
                l.checked = now;
            }
            if shared.failed.load(Ordering::Acquire) || stalled {
                let l = live.take().expect("checked above");
                {
                    let _quiet = Quiet::new();
                    drop(l);
                }
                let mut deck = lock(&shared.deck);
                deck.mixer.clear();
                deck.pending.clear();
                deck.origin = None;
                drop(deck);
                let name = match &*lock(&shared.output) {
                    Output::Device(n) => n.clone(),
                    other => format!("{other:?}"),
                };
                shared.set(Output::Lost(name));
                next_try = now + retry;
                continue;
            }
            // Idle: nothing sounding or waiting for a while pauses the stream.
            if l.playing && l.can_pause {
                let quiet = {
                    let deck = lock(&shared.deck);
                    deck.mixer.is_quiet() && deck.pending.is_empty()
                };
                match (quiet, l.quiet_since) {
                    (false, _) => l.quiet_since = None,
                    (true, None) => l.quiet_since = Some(now),
                    (true, Some(since)) if now - since >= IDLE => {
                        let _quiet = Quiet::new();
                        match l.stream.pause() {
                            Ok(()) => l.playing = false,
                            Err(_) => l.can_pause = false,
                        }
                    }
                    (true, Some(_)) => {}
                }
            }
        }
    }
}

/// Fades the mix out, waits until the fade has been heard, and closes the device.
fn close(shared: &Shared, live: Live) {
    if live.playing {
        lock(&shared.deck).mixer.set_gain(0.0);
        // The fade takes 30 ms, and the device holds up to two periods more.
        std::thread::sleep(Duration::from_millis(40) + 2 * period());
    }
    let _quiet = Quiet::new();
    drop(live);
}

fn period() -> Duration {
    Duration::from_secs_f64(f64::from(PERIOD) / f64::from(RATE))
}

/// How playback went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Sounds placed on their sample.
    pub placed: u64,
    /// Of those, how many were asked for too late to start on time (started at once).
    pub late: u64,
    pub worst_late: Duration,
    /// Times the device ran dry (the sound broke up).
    pub underruns: u64,
    pub priority: u64,
    /// The most frames a callback asked for, and the longest latency a callback reported.
    pub period: usize,
    pub latency: Duration,
    /// The longest time between two callbacks (while the stream played), and when it ended,
    /// after the audio was opened.
    pub longest_gap: (Duration, Duration),
}

/// A handle on the audio thread.
pub struct Audio {
    tx: Option<Sender<Command>>,
    shared: Option<Arc<Shared>>,
    thread: Option<std::thread::JoinHandle<()>>,
    bank: Arc<Bank>,
    percent: u8,
    muted: bool,
    /// When the last sound sent will be quiet (−40 dB below its peak).
    ringing_until: Cell<Option<Instant>>,
    /// The fade of the sound bed playing, if one is.
    bed_fade: Cell<Option<Duration>>,
    /// When the bed's last fade-out is over.
    bed_until: Cell<Option<Instant>>,
    /// The next sound's [`Ticket`].
    tickets: Cell<u64>,
}

impl Audio {
    /// Starts the audio thread, which opens `device` (or the default) while the caller goes
    /// on: nothing here waits for the device or synthesises anything. `volume` is the master
    /// volume, 0.0 to 1.0 (a loudness scale, see [`percent_to_gain`]).
    pub fn open(device: Option<&str>, bank: Bank, volume: f32) -> Self {
        let percent = (volume.clamp(0.0, 1.0) * 100.0).round() as u8;
        let shared = Arc::new(Shared {
            deck: Mutex::new(Deck::new(percent_to_gain(percent))),
            output: Mutex::new(Output::Opening),
            changed: Condvar::new(),
            callbacks: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            xruns: AtomicU64::new(0),
            priority: AtomicU64::new(Priority::Normal as u64),
        });
        let (tx, rx) = mpsc::channel::<Command>();
        let bank = Arc::new(bank);
        let (thread_shared, wake) = (shared.clone(), tx.clone());
        let device = device.map(str::to_string);
        let thread = std::thread::Builder::new()
            .name("hara-audio".into())
            .spawn(move || control(&thread_shared, &rx, &wake, device.as_deref()));
        let (tx, thread) = match thread {
            Ok(thread) => (Some(tx), Some(thread)),
            Err(e) => {
                shared.set(Output::NoDevice(e.to_string()));
                (None, None)
            }
        };
        Audio {
            tx,
            shared: Some(shared),
            thread,
            bank,
            percent,
            muted: false,
            ringing_until: Cell::new(None),
            bed_fade: Cell::new(None),
            bed_until: Cell::new(None),
            tickets: Cell::new(1),
        }
    }

    /// No sound at all, on purpose: no thread, no device, nothing synthesised.
    pub fn silent() -> Self {
        Self::silent_with(Bank::default())
    }

    /// No sound, with `bank`'s spoken guidance standing as it does (on, off or absent): what
    /// `v` and the status line do, without a device (a run driven on a manual clock).
    pub fn silent_with(bank: Bank) -> Self {
        Audio {
            tx: None,
            shared: None,
            thread: None,
            bank: Arc::new(bank),
            percent: 0,
            muted: true,
            ringing_until: Cell::new(None),
            bed_fade: Cell::new(None),
            bed_until: Cell::new(None),
            tickets: Cell::new(1),
        }
    }

    /// How playback stands now.
    pub fn output(&self) -> Output {
        self.shared
            .as_ref()
            .map_or(Output::Silent, |s| lock(&s.output).clone())
    }

    /// Waits (up to `timeout`) until the device has opened or failed to, and says how.
    pub fn wait_ready(&self, timeout: Duration) -> Output {
        let Some(s) = &self.shared else {
            return Output::Silent;
        };
        let guard = lock(&s.output);
        let (guard, _) = s
            .changed
            .wait_timeout_while(guard, timeout, |o| *o == Output::Opening)
            .unwrap_or_else(|e| e.into_inner());
        guard.clone()
    }

    fn send(&self, c: Command) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(c);
        }
    }

    /// Notes that something audible for `length` is heard from `from`.
    fn rings(&self, from: Instant, length: Duration) {
        let ends = from + length;
        let later = self.ringing_until.get().map_or(ends, |t| t.max(ends));
        self.ringing_until.set(Some(later));
    }

    /// How long until everything played so far has rung out: fallen 40 dB below its peak,
    /// which is practically inaudible (a bowl takes about 21 s). Closing the device then
    /// fades out what is left, so nothing is cut audibly.
    pub fn ringing_for(&self) -> Duration {
        self.ringing_until.get().map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(Instant::now())
        })
    }

    /// Plays what an event sounds (a bell's strikes, or a breath tone) now: as soon as it can
    /// be heard.
    pub fn event(&self, kind: &EventKind) {
        self.sound(kind, Start::Now);
    }

    /// How long before its moment a sound must be handed over ([`sound_at`](Self::sound_at))
    /// to be heard exactly on it: [`LEAD`] while a device plays or is about to (opening at
    /// start-up), nothing while there is none (lost, none found, or no sound at all): then
    /// nothing handed over would be heard, and a run need not wake to hand it over.
    pub fn lead(&self) -> Duration {
        match self.output() {
            Output::Device(_) | Output::Opening => LEAD,
            Output::Lost(_) | Output::NoDevice(_) | Output::Silent => Duration::ZERO,
        }
    }

    /// Plays what an event sounds starting on the sample heard at `heard` (handed over at
    /// least [`lead`](Self::lead) before it, it starts exactly there). Returns the ticket to
    /// take it back with, or `None` if nothing was taken (no device, or nothing to hear).
    pub fn sound_at(&self, kind: &EventKind, heard: Instant) -> Option<Ticket> {
        self.sound(kind, Start::At(heard))
    }

    /// Takes back a sound handed over ahead of its moment (the run was paused, skipped or
    /// made longer before it), unless it has begun to play: true if it was taken back.
    pub fn cancel(&self, ticket: Ticket) -> bool {
        self.shared
            .as_ref()
            .is_some_and(|s| lock(&s.deck).cancel(ticket))
    }

    fn sound(&self, kind: &EventKind, start: Start) -> Option<Ticket> {
        let (Some(s), Some(_)) = (&self.shared, &self.tx) else {
            return None;
        };
        // With no device nothing is heard, and nothing is left to ring out; but the bed is
        // kept track of, so it plays once a device opens.
        let device = matches!(*lock(&s.output), Output::Device(_));
        let bed = matches!(kind, EventKind::Ambient { .. } | EventKind::Finished);
        if !device && !bed {
            return None;
        }
        let audible = match kind {
            EventKind::Bell { bell } => self.bank.bell_audible(bell),
            EventKind::Phase {
                phase,
                length,
                tone: true,
            } if phase.has_tone() => *length,
            // A bed plays on until it is changed or ended: only its fade-out rings out.
            EventKind::Ambient { bed } => {
                let leaving = self.bed_fade.replace(bed.as_ref().map(|a| a.fade));
                match (leaving, bed) {
                    (Some(fade), None) => fade,
                    (None, None) => return None,
                    (_, Some(_)) => Duration::ZERO,
                }
            }
            EventKind::Finished => self.bed_fade.take()?,
            kind => match kind.said().map(|said| self.bank.said_length(said)) {
                Some(n) if n > 0 && self.bank.speaking() => {
                    Duration::from_secs_f64(n as f64 / f64::from(RATE))
                }
                _ => return None,
            },
        };
        // Played at once, it is heard within the device's latency: LEAD is longer.
        let heard = match start {
            Start::At(heard) => heard,
            Start::Now | Start::Sample(_) => Instant::now() + LEAD,
        };
        if device && matches!(kind, EventKind::Ambient { bed: None } | EventKind::Finished) {
            self.bed_until.set(Some(heard + audible));
        }
        let ticket = Ticket(self.tickets.get());
        self.tickets.set(ticket.0 + 1);
        {
            // Straight into the deck: the callback places them, whatever the control thread
            // is doing.
            let mut deck = lock(&s.deck);
            let voices = voices(&self.bank, kind);
            let first = voices.iter().map(|(offset, _)| *offset).min();
            for (offset, voice) in voices {
                deck.pending.push(Pending {
                    start,
                    offset,
                    first: Some(offset) == first,
                    ticket,
                    voice,
                });
            }
        }
        // Muted or at 0, it sounds (unmuting mid-ring brings it back) but nobody waits for it.
        // (A bed starting is heard until it is changed or ended: nothing to wait for yet.)
        if device && !self.muted && self.percent > 0 && !audible.is_zero() {
            self.rings(heard, audible);
        }
        self.send(Command::Sounding);
        Some(ticket)
    }

    /// Fades the sound bed out now (when a run is stopped), over its own fade or `at_most`,
    /// whichever is shorter. Nothing happens when no bed plays.
    pub fn end_bed(&self, at_most: Duration) {
        let (Some(s), Some(fade)) = (&self.shared, self.bed_fade.take()) else {
            return;
        };
        let fade = fade.min(at_most);
        let heard = Instant::now() + LEAD;
        let end = BedChange::End {
            fade: Some(BedVoice::fade_samples(fade)),
        };
        let ticket = Ticket(self.tickets.get());
        self.tickets.set(ticket.0 + 1);
        lock(&s.deck).pending.push(Pending {
            start: Start::Now,
            offset: 0,
            first: true,
            ticket,
            voice: Voice::Bed(end),
        });
        self.bed_until.set(Some(heard + fade));
        self.send(Command::Sounding);
    }

    /// How long until the sound bed has faded out (zero when none is fading).
    pub fn bed_fading_for(&self) -> Duration {
        self.bed_until.get().map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(Instant::now())
        })
    }

    /// Strikes a bell now (the sound check).
    pub fn bell(&self, bell: &Bell) {
        self.event(&EventKind::Bell { bell: bell.clone() });
    }

    /// Fades the breath tone out where it is (and holds it), or back in from there. Bells
    /// ring on.
    pub fn set_paused(&self, paused: bool) {
        self.send(Command::Paused(paused));
    }

    fn apply_volume(&self) {
        let gain = if self.muted {
            0.0
        } else {
            percent_to_gain(self.percent)
        };
        self.send(Command::Gain(gain));
    }

    pub fn toggle_mute(&mut self) {
        self.muted = !self.muted;
        self.apply_volume();
    }

    /// One step (3 dB) louder.
    pub fn volume_up(&mut self) {
        self.percent = (self.percent + 10).min(100);
        self.muted = false;
        self.apply_volume();
    }

    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// One step (3 dB) quieter.
    pub fn volume_down(&mut self) {
        self.percent = self.percent.saturating_sub(10);
        self.muted = false;
        self.apply_volume();
    }

    /// Louder (`step` > 0) or quieter by one step; kept for the key handlers.
    pub fn change_volume(&mut self, step: f32) {
        if step > 0.0 {
            self.volume_up();
        } else if step < 0.0 {
            self.volume_down();
        }
    }

    /// The master volume, 0 to 100.
    pub fn volume(&self) -> u8 {
        self.percent
    }

    /// Spoken guidance off, or on again: a spoken cue that falls due while it is off is only
    /// shown.
    pub fn toggle_speech(&mut self) {
        self.bank.toggle_speech();
        // Turned off, the voice stops now, not at the end of what it was saying.
        if let (Some(s), false) = (&self.shared, self.bank.speaking()) {
            lock(&s.deck).mixer.hush_speech();
        }
    }

    /// Whether spoken cues are heard.
    pub fn speaking(&self) -> bool {
        self.bank.speaking()
    }

    /// A few words for the status line.
    pub fn status(&self) -> String {
        let status = self.sound_status();
        match self.bank.speech_state() {
            Speech::Absent => status,
            Speech::On => format!("{status} · speech on"),
            Speech::Off => format!("{status} · speech off"),
        }
    }

    /// The text an event would say that is not ready as it falls due (speech on, the engine
    /// neither done with it nor failed on it): it is skipped, its words still shown.
    pub fn unready<'k>(&self, kind: &'k EventKind) -> Option<&'k str> {
        self.bank.unready(kind)
    }

    fn sound_status(&self) -> String {
        match self.output() {
            Output::NoDevice(_) => "no sound device".into(),
            Output::Lost(_) => "sound lost, reconnecting".into(),
            Output::Silent => "silent".into(),
            Output::Opening | Output::Device(_) if self.muted => "muted".into(),
            Output::Opening | Output::Device(_) => format!("vol {}%", self.percent),
        }
    }

    /// How playback went, for the benchmark (`HARA_SOUND_STATS=FILE` writes it at the end).
    pub fn stats(&self) -> Stats {
        self.shared.as_ref().map_or(Stats::default(), |s| {
            let d = lock(&s.deck);
            Stats {
                placed: d.placed,
                late: d.late,
                worst_late: Duration::from_secs_f64(d.worst_late),
                underruns: s.xruns.load(Ordering::Relaxed),
                priority: s.priority.load(Ordering::Relaxed),
                period: d.most_frames,
                latency: d.most_latency,
                longest_gap: d.longest_gap,
            }
        })
    }
}

impl Drop for Audio {
    /// Fades out and closes the device (what still rings is faded over 30 ms, not cut).
    fn drop(&mut self) {
        self.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(path) = std::env::var_os("HARA_SOUND_STATS") {
            let s = self.stats();
            let _ = std::fs::write(
                path,
                format!(
                    "placed {} late {} worst_late_ms {:.3} underruns {} priority {} period {} latency_ms {:.1} longest_gap_ms {:.1} at_s {:.3}\n",
                    s.placed,
                    s.late,
                    s.worst_late.as_secs_f64() * 1e3,
                    s.underruns,
                    ["normal", "nice", "realtime"][s.priority.min(2) as usize],
                    s.period,
                    s.latency.as_secs_f64() * 1e3,
                    s.longest_gap.0.as_secs_f64() * 1e3,
                    s.longest_gap.1.as_secs_f64()
                ),
            );
        }
    }
}

#[cfg(test)]
impl Audio {
    /// Audio standing in `output`, with no thread and no device behind it: what is handed
    /// to it waits in its deck until [`callback`](Self::callback) plays it.
    pub(crate) fn standing(output: Output) -> Audio {
        let shared = Arc::new(Shared {
            deck: Mutex::new(Deck::new(percent_to_gain(80))),
            output: Mutex::new(output),
            changed: Condvar::new(),
            callbacks: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            xruns: AtomicU64::new(0),
            priority: AtomicU64::new(Priority::Normal as u64),
        });
        Audio {
            tx: Some(mpsc::channel().0),
            shared: Some(shared),
            thread: None,
            bank: Arc::new(Bank::default()),
            percent: 80,
            muted: false,
            ringing_until: Cell::new(None),
            bed_fade: Cell::new(None),
            bed_until: Cell::new(None),
            tickets: Cell::new(1),
        }
    }

    /// The sounds waiting to be placed: the ticket, and the instant each is to be heard
    /// (`None`: as soon as possible, counted from when the callback first saw it).
    pub(crate) fn waiting(&self) -> Vec<(Ticket, Option<Instant>)> {
        let deck = lock(&self.shared.as_ref().expect("standing audio").deck);
        deck.pending
            .iter()
            .map(|p| {
                let at = match p.start {
                    Start::At(heard) => Some(heard),
                    Start::Now | Start::Sample(_) => None,
                };
                (p.ticket, at)
            })
            .collect()
    }

    /// What the device's callback does: `frames` samples, the first heard at `heard`.
    pub(crate) fn callback(&self, heard: Instant, frames: usize) {
        let mut deck = lock(&self.shared.as_ref().expect("standing audio").deck);
        deck.place(heard, frames);
        deck.mixer.fill(&mut vec![0.0; frames]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::synth::samples_in;

    #[test]
    fn volume_steps_are_even_in_loudness() {
        let db = |p| 20.0 * percent_to_gain(p).log10();
        assert!((db(100) - 0.0).abs() < 1e-4);
        for p in (20..=100).step_by(10) {
            let step = db(p) - db(p - 10);
            assert!((step - 3.0).abs() < 1e-3, "{p}: {step} dB");
        }
        assert_eq!(percent_to_gain(0), 0.0);
    }

    #[test]
    fn silent_audio_says_so_and_plays_nothing() {
        let mut a = Audio::silent();
        a.change_volume(0.1);
        assert_eq!(a.status(), "silent");
        a.event(&EventKind::Finished);
        assert_eq!(a.ringing_for(), Duration::ZERO);
        assert_eq!(a.wait_ready(Duration::from_secs(1)), Output::Silent);
    }

    fn deck() -> Deck {
        Deck::new(1.0)
    }

    #[test]
    fn with_no_device_nothing_is_left_to_ring_out() {
        // The state an open that found no device leaves (built here rather than by opening,
        // which would wake the machine's sound system from inside a unit test).
        let a = Audio::standing(Output::NoDevice("no sound output can play here".into()));
        assert!(matches!(
            a.wait_ready(Duration::from_secs(10)),
            Output::NoDevice(_)
        ));
        assert_eq!(a.status(), "no sound device");
        a.bell(&Bell::default());
        assert_eq!(a.ringing_for(), Duration::ZERO);
        // A bed is kept, to play when a device opens; nothing waits for it.
        a.event(&EventKind::Ambient {
            bed: Some(crate::audio::bed::tests::bed(
                crate::session::format::Noise::Rain,
                0.2,
                Duration::from_secs(3),
            )),
        });
        a.event(&EventKind::Finished);
        assert_eq!(a.ringing_for(), Duration::ZERO);
        assert_eq!(a.bed_fading_for(), Duration::ZERO);
        let deck = lock(&a.shared.as_ref().unwrap().deck);
        assert_eq!(deck.pending.len(), 2);
    }

    #[test]
    fn a_bed_rings_out_only_as_it_fades_and_a_stop_fades_it_quickly() {
        let a = Audio::standing(Output::Device("test".into()));
        let bed = |secs| EventKind::Ambient {
            bed: Some(crate::audio::bed::tests::bed(
                crate::session::format::Noise::Surf,
                0.2,
                Duration::from_secs(secs),
            )),
        };
        a.event(&bed(5));
        assert_eq!(
            a.ringing_for(),
            Duration::ZERO,
            "a bed plays on: nothing to wait for"
        );
        a.event(&EventKind::Finished);
        let wait = a.ringing_for();
        assert!(wait > LEAD + Duration::from_millis(4900) && wait <= LEAD + Duration::from_secs(5));
        assert!(
            a.bed_fading_for() <= wait && a.bed_fading_for() + Duration::from_millis(100) > wait
        );
        // Stopped part-way: a long fade is cut to the stop's.
        a.event(&bed(30));
        a.end_bed(Duration::from_secs(2));
        let fading = a.bed_fading_for();
        assert!(
            fading > LEAD + Duration::from_millis(1900) && fading <= LEAD + Duration::from_secs(2)
        );
        let placed = lock(&a.shared.as_ref().unwrap().deck).pending.len();
        a.end_bed(Duration::from_secs(2));
        assert_eq!(
            lock(&a.shared.as_ref().unwrap().deck).pending.len(),
            placed,
            "once"
        );
    }

    fn heard_at(heard: Instant, voice: Voice) -> Pending {
        Pending {
            start: Start::At(heard),
            offset: 0,
            first: true,
            ticket: Ticket(1),
            voice,
        }
    }

    fn click() -> Voice {
        Voice::Samples {
            data: vec![0.5; 4].into(),
            at: 0,
            gain: 1.0,
        }
    }

    #[test]
    fn a_sound_starts_on_the_sample_heard_at_its_instant() {
        let mut d = deck();
        let heard = d.base + Duration::from_millis(100);
        // Asked for 250 ms after the base; the next sample put out is heard at 100 ms.
        d.pending
            .push(heard_at(d.base + Duration::from_millis(250), click()));
        d.place(heard, RATE as usize);
        let mut out = vec![0.0; RATE as usize];
        d.mixer.fill(&mut out);
        let first = out.iter().position(|s| *s != 0.0).unwrap();
        assert_eq!(first, samples_in(Duration::from_millis(150)));
        assert_eq!(d.late, 0);
    }

    #[test]
    fn placement_follows_the_stream_across_callbacks_and_counts_late_sounds() {
        let mut d = deck();
        let period = Duration::from_millis(50);
        let mut out = vec![0.0; samples_in(period)];
        // Callbacks whose heard-instant wobbles by ±3 ms around the true stream clock.
        let mut all = Vec::new();
        for k in 0..40u32 {
            let wobble = if k % 2 == 0 { 3 } else { 0 };
            let heard = d.base + period * k + Duration::from_millis(80 + wobble);
            if k == 20 {
                d.pending
                    .push(heard_at(d.base + Duration::from_millis(1234), click()));
            }
            d.place(heard, out.len());
            d.mixer.fill(&mut out);
            all.extend_from_slice(&out);
        }
        let first = all.iter().position(|s| *s != 0.0).unwrap() as i64;
        // Heard at 1234 ms; output sample 0 is heard at about 80 ms (+ the wobble's mean).
        let planned = samples_in(Duration::from_micros(1_234_000 - 81_500)) as i64;
        assert!(
            (first - planned).abs() <= 96,
            "{first} vs {planned} (±2 ms)"
        );
        // One that should have been heard before the stream got there is late, and counted.
        d.pending.push(heard_at(d.base, click()));
        d.place(d.base + period * 40 + Duration::from_millis(80), out.len());
        assert_eq!(d.late, 1);
    }

    #[test]
    fn a_bell_whose_first_strike_has_played_out_is_not_taken_back() {
        // A bell of short strikes (a click-like sound file), two strikes a second apart,
        // handed over ahead: the first strike is placed, played and over before the event is
        // delivered; the second still waits. It has begun: it must not be taken back (that
        // would let the practice hand the whole bell over again, striking it twice).
        let mut d = Deck::new(1.0);
        let at = d.base + Duration::from_millis(100);
        for (offset, voice) in [(0, click()), (u64::from(RATE), click())] {
            d.pending.push(Pending {
                start: Start::At(at),
                offset,
                first: offset == 0,
                ticket: Ticket(5),
                voice,
            });
        }
        d.place(d.base + Duration::from_millis(50), 4800);
        let mut out = vec![0.0; 4800];
        d.mixer.fill(&mut out);
        assert!(out.iter().any(|s| *s != 0.0), "the first strike is heard");
        assert!(
            !d.cancel(Ticket(5)),
            "taken back after its first strike was heard"
        );
        assert_eq!(d.pending.len(), 1, "the second strike still comes");
    }

    #[test]
    fn a_bell_played_at_once_strikes_all_its_strikes() {
        let mut d = Deck::new(1.0);
        for offset in [0, u64::from(RATE)] {
            d.pending.push(Pending {
                start: Start::Now,
                offset,
                first: offset == 0,
                ticket: Ticket(7),
                voice: click(),
            });
        }
        let period = Duration::from_millis(100);
        let mut out = vec![0.0; 4800];
        for k in 0..30 {
            d.place(d.base + period * k, out.len());
            d.mixer.fill(&mut out);
        }
        assert_eq!(d.placed, 2, "the second strike was never placed");
        assert!(
            d.pending.is_empty(),
            "it waits for ever: the stream never idles"
        );
    }
}
