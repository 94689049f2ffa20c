// The room display's page: follows one hara practice, read-only.
//
// The server sends the session (hello), the run's events at offsets from the start of the
// countdown (events), and where the run is (state: at practice clock reading `now` it was at
// `offset`, moving or not). The page sets a clock by the server's (/clock, the sample with
// the shortest round trip), and from then on draws every frame from those alone. Sounds are
// the server's own samples, scheduled on the page's audio clock at their planned instants.
// Every text goes in as text (textContent), never as markup.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const view = {
    title: $("title"), stepName: $("step-name"), round: $("round"), phase: $("phase"),
    words: $("words"), left: $("left"), status: $("status"), sound: $("sound"),
    volume: $("volume"), volumeLabel: $("volume-label"), showLeft: $("show-left"),
    shape: $("shape"), hollow: $("hollow"), fill: $("fill"),
  };

  // --- what the server said -------------------------------------------------------------
  let hello = null;          // title, steps, rate, sound, reduce_motion
  let plan = null;           // { revision, prepare, events: [...] }
  let state = { state: "waiting" };
  let ended = false;         // the server said the session is over

  // --- the server's clock ---------------------------------------------------------------
  // serverNow = (performance.now() - sample.mid) * rate + sample.server
  let samples = [];
  let best = null;
  const rate = () => (hello && hello.rate) || 1;

  async function sampleClock() {
    const t0 = performance.now();
    const reply = await fetch("/clock", { cache: "no-store" });
    const body = await reply.json();
    const t1 = performance.now();
    samples.push({ rtt: t1 - t0, mid: (t0 + t1) / 2, server: body.now });
    samples = samples.slice(-8);
    best = samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
  }

  async function syncClock(count) {
    for (let i = 0; i < count; i++) {
      try { await sampleClock(); } catch (_) { return; }
    }
  }

  function serverNow(at = performance.now()) {
    if (best) return best.server + (at - best.mid) * rate();
    // Until the clock is set, the last state's own reading is close (it was just sent).
    if (state.received !== undefined) return state.now + (at - state.received) * rate();
    return 0;
  }

  // --- where the run is -----------------------------------------------------------------
  // "open": in an open step, whose time counts up until the person moves on. `state.hold`
  // (in one, or before one): nothing from there on is due until a new state says so.
  const moving = () => state.state === "preparing" || state.state === "running" || state.state === "open";
  const hasHold = () => state.hold !== null && state.hold !== undefined;
  const held = (at) => hasHold() && at >= state.hold;

  function offsetAt(now) {
    let at = moving() ? state.offset + (now - state.now) : state.offset;
    const events = plan ? plan.events : [];
    let end = events.length ? events[events.length - 1].at : at;
    if (hasHold()) end = Math.min(end, state.hold);
    return Math.max(0, Math.min(at, end));
  }

  /** Index of the last event at or before `offset` (-1 if none). */
  function lastAt(offset) {
    const events = plan.events;
    let lo = 0, hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid].at <= offset) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  /** What is current at `offset`: the step, its cue, the breath phase; and whether it ended. */
  function current(offset) {
    const events = plan.events;
    const found = { step: null, stepAt: 0, cue: null, phase: null, end: false };
    for (let i = lastAt(offset); i >= 0; i--) {
      const e = events[i];
      if (e.kind === "end") found.end = true;
      if (e.kind === "phase" && found.phase === null && found.step === null) {
        found.phase = e.at + e.length > offset ? e : false;
      }
      if (e.kind === "cue" && found.cue === null && found.step === null) found.cue = e;
      if (e.kind === "step") { found.step = e.step; found.stepAt = e.at; break; }
    }
    return found;
  }

  const ceilSecs = (ms) => Math.ceil(Math.round(ms) / 1000);
  const WORDS = { inhale: "in", top_up: "top up", hold: "hold", exhale: "out", rest: "rest" };

  function clockText(ms) {
    const s = Math.max(0, ceilSecs(ms));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
  }

  function reducedMotion() {
    return (hello && hello.reduce_motion) ||
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  const ease = (x) => (1 - Math.cos(Math.PI * x)) / 2;

  /** How full the belly is, 0 to 1, as the terminal's view fills it. */
  function level(phase, offset) {
    if (!phase) return 0;
    const rising = reducedMotion() ? 1 : ease(Math.min(1, (offset - phase.at) / phase.length));
    switch (phase.phase) {
      case "inhale": return rising;
      case "top_up": case "hold": return 1;
      case "exhale": return 1 - rising;
      case "rest": return 0;
      default: return 0.5;
    }
  }

  // --- drawing --------------------------------------------------------------------------
  const shown = {};
  function text(el, key, value) {
    if (shown[key] !== value) { el.textContent = value; shown[key] = value; }
  }

  function drawBelly(fill) {
    // A shallow dome over a deep, round bowl, a little larger when full.
    const grow = 0.9 + 0.1 * fill;
    const rx = 92 * grow, below = 56 * grow, above = below * 0.6;
    const cx = 100, cy = (130 + above - below) / 2;
    const d = `M ${cx - rx} ${cy} A ${rx} ${above} 0 0 1 ${cx + rx} ${cy} ` +
      `A ${rx} ${below} 0 0 1 ${cx - rx} ${cy} Z`;
    if (shown.belly !== d) {
      view.shape.setAttribute("d", d);
      view.hollow.setAttribute("d", d);
      shown.belly = d;
    }
    const line = cy + below - (above + below) * fill;
    view.fill.setAttribute("y", line.toFixed(2));
    view.fill.setAttribute("height", Math.max(0, 130 - line).toFixed(2));
  }

  function draw() {
    const now = serverNow();
    let label = "", words = "", quiet = false, stepName = "", round = "", left = "", fill = 0;
    let belly = false;
    if (!hello) {
      words = "connecting…"; quiet = true;
    } else if (!plan || state.state === "waiting") {
      words = hello.summary ? `${hello.title}: ${hello.summary}` : hello.title;
      label = "";
      stepName = "waiting to begin";
    } else {
      const offset = offsetAt(now);
      const here = current(offset);
      const end = plan.events.length ? plan.events[plan.events.length - 1].at : 0;
      const finished = state.state === "finished" || here.end;
      if (here.step !== null) {
        const step = hello.steps[here.step];
        stepName = `${here.step + 1}/${hello.steps.length}  ${step.title}`;
        if (step.round) {
          round = `· ${step.round.group ? step.round.group + " " : ""}round ${step.round.number} of ${step.round.of}`;
        }
        words = here.cue ? here.cue.text : (step.text || "");
      }
      if (finished) {
        label = "end";
        words = "Finished";
        quiet = true;
      } else if (state.state === "paused") {
        label = "paused";
      } else if (offset < plan.prepare) {
        label = String(ceilSecs(plan.prepare - offset));
        stepName = "starting";
        words = "settle in · the bell will begin";
        quiet = true;
      } else {
        const p = here.phase;
        label = !p || p.phase === "still" ? "still" : `${WORDS[p.phase]} ${ceilSecs(p.at + p.length - offset)}`;
      }
      if (!finished && offset >= plan.prepare) {
        belly = true;
        fill = level(here.phase || null, offset);
      }
      if (!finished) left = `${clockText(end - Math.max(offset, plan.prepare))} left`;
      if (!finished && state.state === "open") left = `open · ${clockText(offset - here.stepAt)} · waits for the leader`;
      else if (!finished && hasHold()) {
        // Until the open step ahead begins; after it, nothing has a time yet.
        const opens = plan.events.filter((e) => e.kind === "step" && e.at < state.hold).pop();
        left = `${clockText((opens ? opens.at : end) - Math.max(offset, plan.prepare))} to an open step`;
      }
    }
    text(view.phase, "phase", label);
    text(view.words, "words", words);
    view.words.classList.toggle("quiet", quiet);
    text(view.stepName, "step", stepName);
    text(view.round, "round", round);
    text(view.left, "left", view.showLeft.checked ? left : "");
    document.body.classList.toggle("still-belly", !belly);
    if (belly) drawBelly(fill);
  }

  function frame() {
    draw();
    requestAnimationFrame(frame);
  }

  // --- sound ----------------------------------------------------------------------------
  // Each participant's own: off until they press the button (browsers need a gesture), at
  // their own volume. Clips are fetched a little ahead and started on the audio clock.
  const LOOKAHEAD = 3000;    // ms of server time scheduled ahead
  const PREFETCH = 30000;    // ms of server time fetched ahead
  const sound = { on: false, ctx: null, gain: null, buffers: new Map(), started: new Map(), key: "" };

  function savedVolume() {
    const v = Number(localStorage.getItem("hara-volume"));
    return Number.isFinite(v) && localStorage.getItem("hara-volume") !== null ? v : 80;
  }

  function clipBuffer(id) {
    if (!sound.buffers.has(id)) {
      const loading = fetch(`/clip/${id}`, { cache: "no-store" })
        .then((r) => { if (!r.ok) throw new Error(r.status); return r.arrayBuffer(); })
        .then((bytes) => sound.ctx.decodeAudioData(bytes))
        .then((buffer) => { loading.buffer = buffer; return buffer; })
        .catch(() => { sound.buffers.delete(id); });
      sound.buffers.set(id, loading);
    }
    return sound.buffers.get(id).buffer || null;
  }

  /** The audio clock's reading at page time `at` (performance.now()). */
  function audioTime(at) {
    const ts = sound.ctx.getOutputTimestamp ? sound.ctx.getOutputTimestamp() : null;
    if (ts && ts.performanceTime > 0) return ts.contextTime + (at - ts.performanceTime) / 1000;
    return sound.ctx.currentTime + (at - performance.now()) / 1000;
  }

  /** The plan changed under what was scheduled: stops what has not begun, and forgets what
   *  lies ahead of `offset` (after a step back it is due again). What rings, rings out. */
  function unschedule(offset) {
    const t = sound.ctx ? sound.ctx.currentTime : 0;
    for (const [key, s] of sound.started) {
      if (s.when > t) { try { s.source.stop(); } catch (_) { /* already stopped */ } }
      if (s.when > t || s.at > offset) sound.started.delete(key);
    }
  }

  function schedule() {
    if (!sound.on || sound.ctx.state !== "running" || !plan || ended) return;
    const pageNow = performance.now();
    const now = serverNow(pageNow);
    const offset = offsetAt(now);
    // What places the sounds: the events, and when offset zero is (or where it stopped).
    const key = moving()
      ? `${plan.revision}/moving/${Math.round(state.now - state.offset)}`
      : `${plan.revision}/${state.state}/${state.offset}`;
    if (key !== sound.key) { unschedule(offset); sound.key = key; }
    if (!moving()) return;
    for (let i = Math.max(0, lastAt(offset)); i < plan.events.length; i++) {
      const e = plan.events[i];
      const wait = (e.at - offset); // ms of server time until it is due
      if (wait > PREFETCH || held(e.at)) break;
      if (e.clip === null || e.clip === undefined || wait < -40) continue;
      const buffer = clipBuffer(e.clip);
      if (wait > LOOKAHEAD || !buffer || sound.started.has(e.at + ":" + e.clip)) continue;
      const when = audioTime(pageNow + wait / rate());
      if (when < sound.ctx.currentTime - 0.04) continue; // too late to be on time
      const source = sound.ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(sound.gain);
      source.start(Math.max(when, sound.ctx.currentTime));
      sound.started.set(e.at + ":" + e.clip, { source, when, at: e.at });
    }
  }

  function setVolume(v) {
    localStorage.setItem("hara-volume", String(v));
    if (sound.gain) sound.gain.gain.setTargetAtTime(v / 100, sound.ctx.currentTime, 0.05);
  }

  view.sound.addEventListener("click", () => {
    if (!sound.ctx) {
      const Context = window.AudioContext || window.webkitAudioContext;
      sound.ctx = new Context({ latencyHint: "playback" });
      sound.gain = sound.ctx.createGain();
      sound.gain.gain.value = savedVolume() / 100;
      sound.gain.connect(sound.ctx.destination);
    }
    sound.on = !sound.on;
    if (sound.on) {
      sound.key = "";
      sound.ctx.resume().then(schedule);
      view.sound.textContent = "Sound off";
    } else {
      unschedule(Infinity);
      sound.ctx.suspend();
      view.sound.textContent = "Sound on";
    }
  });
  view.volume.value = savedVolume();
  view.volume.addEventListener("input", () => setVolume(Number(view.volume.value)));
  view.showLeft.checked = localStorage.getItem("hara-show-left") !== "no";
  view.showLeft.addEventListener("change", () =>
    localStorage.setItem("hara-show-left", view.showLeft.checked ? "yes" : "no"));

  // --- the event stream -----------------------------------------------------------------
  function connect() {
    const stream = new EventSource("/events");
    stream.addEventListener("hello", (e) => {
      hello = JSON.parse(e.data);
      document.title = `${hello.title} · hara`;
      text(view.title, "title", hello.title);
      view.sound.hidden = !hello.sound;
      view.volumeLabel.hidden = !hello.sound;
      view.status.textContent = "";
      samples = []; best = null;
      syncClock(5);
    });
    stream.addEventListener("events", (e) => { plan = JSON.parse(e.data); });
    stream.addEventListener("state", (e) => {
      state = JSON.parse(e.data);
      state.received = performance.now();
      if (sound.ctx) schedule();
    });
    stream.addEventListener("end", () => {
      ended = true;
      stream.close();
      view.status.textContent = "the session has ended";
    });
    stream.addEventListener("error", () => {
      if (!ended) view.status.textContent = "reconnecting…";
    });
  }

  connect();
  setInterval(() => { if (!ended) syncClock(1); }, 30000);
  setInterval(schedule, 250);
  requestAnimationFrame(frame);
})();
