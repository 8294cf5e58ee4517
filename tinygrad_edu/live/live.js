// The live page: loads Python (Pyodide) and tinygrad_edu from the bytes inlined in this file,
// then asks the engine for every number it shows, through tinygrad_edu.live.bridge.call.
// Nothing is fetched from the network: the runtime's own requests go to a made-up address and
// are answered from the inlined files.
"use strict";
const $ = (id) => document.getElementById(id);
const BASE = "https://tinygrad-edu-live.invalid/"; // never reached: answered below
const FILES = {}; // name -> Uint8Array (decompressed)
const TYPES = { wasm: "application/wasm", mjs: "text/javascript", js: "text/javascript",
  json: "application/json" };
let pyCall = null; // (name, args) -> result, once Python is ready
let viz = null;

// ------------------------------------------------------------------ loading
function setLoad(pct, text) {
  $("load-progress").value = pct;
  $("load-status").textContent = text;
}
async function unpackAssets() {
  const blocks = [...document.querySelectorAll("script.asset")];
  let done = 0;
  for (const b of blocks) {
    const bin = atob(b.textContent);
    const packed = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) packed[i] = bin.charCodeAt(i);
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
    FILES[b.dataset.name] = new Uint8Array(await new Response(stream).arrayBuffer());
    b.textContent = ""; // free the text
    done++;
    setLoad(5 + (25 * done) / blocks.length, `unpacked ${b.dataset.name}`);
  }
}
const realFetch = window.fetch.bind(window);
window.fetch = async function (input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(BASE)) {
    const name = url.slice(BASE.length);
    const body = FILES[name];
    if (!body) return new Response("not inlined: " + name, { status: 404 });
    const ext = name.split(".").pop();
    return new Response(body, { headers: { "Content-Type": TYPES[ext] || "application/octet-stream" } });
  }
  return realFetch(input, init); // the page itself never asks for anything else
};
function moduleUrl(name) {
  return URL.createObjectURL(new Blob([FILES[name]], { type: "text/javascript" }));
}
function runScriptText(text) {
  const s = document.createElement("script");
  s.textContent = text;
  document.body.append(s);
}
async function boot() {
  const t0 = performance.now();
  setLoad(2, "unpacking the inlined files");
  await unpackAssets();
  const tUnpacked = performance.now();
  setLoad(32, "starting the Python runtime (WebAssembly)");
  const { loadPyodide } = await import(moduleUrl("pyodide.mjs"));
  const createPyodideModule = (await import(moduleUrl("pyodide.asm.mjs"))).default;
  const lock = JSON.parse(new TextDecoder().decode(FILES["pyodide-lock.json"]));
  const tick = setInterval(() => {
    const p = $("load-progress");
    if (p.value < 80) p.value += 1;
  }, 250);
  const pyodide = await loadPyodide({
    indexURL: BASE, packageBaseUrl: BASE, stdLibURL: BASE + "python_stdlib.zip",
    lockFileContents: lock, createPyodideModule,
  });
  clearInterval(tick);
  const tRuntime = performance.now();
  setLoad(85, "installing tinygrad_edu, graphviz, tqdm");
  for (const name of Object.keys(FILES).filter((n) => n.startsWith("wheel:")))
    pyodide.unpackArchive(FILES[name], "wheel");
  setLoad(90, "importing tinygrad_edu");
  await new Promise((r) => setTimeout(r, 0));
  pyodide.runPython("import tinygrad_edu.live.bridge as _bridge");
  const call = pyodide.globals.get("_bridge").call;
  const tImported = performance.now();
  pyCall = (name, args) => {
    const answer = JSON.parse(call(name, JSON.stringify(args || [])));
    if ("error" in answer) throw new Error(answer.error);
    return answer.result;
  };
  runScriptText(new TextDecoder().decode(FILES["viz-global.js"]));
  viz = await window.Viz.instance();
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  setLoad(100, `ready in ${seconds} s (Python ${pyodide.version}, tinygrad_edu from this file)`);
  $("loading").classList.add("ready");
  document.body.dataset.ready = "true";
  document.body.dataset.loadSeconds = seconds;
  const s1 = (a, b) => ((b - a) / 1000).toFixed(1);
  document.body.dataset.loadSteps = `unpack ${s1(t0, tUnpacked)} s, runtime ${s1(tUnpacked, tRuntime)} s, ` +
    `wheels + import ${s1(tRuntime, tImported)} s, viz ${s1(tImported, performance.now())} s`;
  for (const id of ["train-button", "code-check", "expr-draw", "reg-step", "reg-run", "reg-reset"])
    $(id).disabled = false;
}

// ------------------------------------------------------------------ settings and the link
const FIELDS = ["dataset", "hidden", "activation", "loss", "lr", "optimizer", "epochs", "seed"];
let points = []; // the learner's clicked points: [x1, x2, class]
function readSettings() {
  const s = {};
  for (const f of FIELDS) s[f] = $(f).value.trim();
  s.hidden = s.hidden.split(",").filter((t) => t.trim() !== "").map((t) => Number(t));
  s.lr = Number(s.lr);
  s.epochs = Number(s.epochs);
  s.seed = Number(s.seed);
  s.points = s.dataset === "points" ? points : [];
  return s;
}
function toFragment(s) {
  const q = new URLSearchParams();
  for (const f of FIELDS) q.set(f, Array.isArray(s[f]) ? s[f].join(",") : String(s[f]));
  if (s.points.length) q.set("points", s.points.map((p) => p.map((v) => +v.toFixed(3)).join(",")).join(";"));
  return q.toString();
}
function fromFragment(text) {
  const q = new URLSearchParams(text.replace(/^#/, ""));
  if (!q.has("dataset")) return false;
  for (const f of FIELDS) if (q.has(f)) $(f).value = q.get(f);
  points = (q.get("points") || "").split(";").filter(Boolean).map((p) => p.split(",").map(Number));
  return true;
}

// ------------------------------------------------------------------ the plane
const PLANE = { lo: -2, hi: 3 };
let shown = { X: [], y: [] };
function planeXY(canvas, x1, x2) {
  const w = canvas.width, h = canvas.height, k = PLANE.hi - PLANE.lo;
  return [((x1 - PLANE.lo) / k) * w, h - ((x2 - PLANE.lo) / k) * h];
}
function drawPlane() {
  const c = $("plane"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  g.strokeStyle = "#ccc";
  const [ox, oy] = planeXY(c, 0, 0);
  g.beginPath(); g.moveTo(ox, 0); g.lineTo(ox, c.height); g.moveTo(0, oy); g.lineTo(c.width, oy); g.stroke();
  const oneD = shown.X.length && shown.X[0].length === 1;
  shown.X.forEach((x, i) => {
    const [px, py] = oneD ? planeXY(c, x[0], shown.y[i]) : planeXY(c, x[0], x[1]);
    g.fillStyle = oneD ? "#444" : shown.y[i] > 0.5 ? "#1f5fbf" : "#c0392b";
    g.beginPath(); g.arc(px, py, 5, 0, 2 * Math.PI); g.fill();
  });
  if (document.activeElement === c) { // the keyboard's cursor
    const [cx, cy] = planeXY(c, cursor[0], cursor[1]);
    g.strokeStyle = "#000"; g.beginPath();
    g.moveTo(cx - 8, cy); g.lineTo(cx + 8, cy); g.moveTo(cx, cy - 8); g.lineTo(cx, cy + 8); g.stroke();
  }
}
function refreshPlane() {
  if (!pyCall) return;
  try {
    const s = readSettings();
    const [X, y] = pyCall("dataset", [s.dataset, s.seed || 0, s.points]);
    shown = { X, y };
  } catch (e) {
    shown = { X: [], y: [] };
  }
  drawPlane();
}
$("plane").addEventListener("click", (ev) => {
  const c = $("plane"), r = c.getBoundingClientRect(), k = PLANE.hi - PLANE.lo;
  const x1 = PLANE.lo + ((ev.clientX - r.left) / r.width) * k;
  const x2 = PLANE.lo + (1 - (ev.clientY - r.top) / r.height) * k;
  if (points.length >= 60) return;
  points.push([+x1.toFixed(3), +x2.toFixed(3), Number($("point-class").value)]);
  $("dataset").value = "points";
  refreshPlane();
});
const cursor = [0.5, 0.5]; // where Enter adds a point on the focused plane (arrows move it)
$("plane").addEventListener("keydown", (ev) => {
  const moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] };
  if (moves[ev.key]) {
    cursor[0] = Math.min(PLANE.hi, Math.max(PLANE.lo, cursor[0] + moves[ev.key][0]));
    cursor[1] = Math.min(PLANE.hi, Math.max(PLANE.lo, cursor[1] + moves[ev.key][1]));
  } else if (ev.key === "Enter" || ev.key === " ") {
    if (points.length < 60) points.push([+cursor[0].toFixed(3), +cursor[1].toFixed(3), Number($("point-class").value)]);
    $("dataset").value = "points";
    refreshPlane();
  } else return;
  ev.preventDefault();
  drawPlane();
});
$("plane").addEventListener("focus", drawPlane);
$("plane").addEventListener("blur", drawPlane);
$("clear-points").addEventListener("click", () => { points = []; refreshPlane(); });
for (const f of ["dataset", "seed"]) $(f).addEventListener("change", refreshPlane);

// ------------------------------------------------------------------ training
function drawLoss(losses) {
  const svg = $("live-loss"), W = 420, H = 240, pad = 34;
  svg.replaceChildren();
  const ok = losses.filter((v) => v !== null && v > 0);
  if (!ok.length) return;
  const lo = Math.log10(Math.min(...ok)), hi = Math.log10(Math.max(...ok)) + 1e-9;
  const n = Math.max(losses.length - 1, 1);
  const pts = losses.map((v, i) => [pad + ((W - pad - 6) * i) / n,
    v > 0 ? 6 + (H - pad - 6) * (1 - (Math.log10(v) - lo) / (hi - lo || 1)) : H - pad]);
  const path = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  path.setAttribute("points", pts.map((p) => p.join(",")).join(" "));
  path.setAttribute("fill", "none"); path.setAttribute("stroke", "#1f5fbf"); path.setAttribute("stroke-width", "2");
  svg.append(path);
  for (const [y, v] of [[6, hi], [H - pad, lo]]) {
    const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
    t.setAttribute("x", "2"); t.setAttribute("y", String(y + 10)); t.setAttribute("font-size", "11");
    t.textContent = Number((10 ** v).toPrecision(3)).toString();
    svg.append(t);
  }
}
let training = false;
async function train() {
  if (training || !pyCall) return;
  $("train-error").textContent = "";
  $("train-status").textContent = "starting";
  await new Promise((r) => setTimeout(r, 0)); // show it before Python takes the thread
  const s = readSettings();
  let started;
  try {
    started = pyCall("start", [s]);
  } catch (e) {
    $("train-error").textContent = "Not trained: " + e.message;
    return;
  }
  training = true;
  $("train-button").disabled = true;
  const frag = toFragment(started.settings);
  history.replaceState(null, "", "#" + frag);
  $("share").value = location.href;
  $("final-loss").textContent = "";
  delete $("final-loss").dataset.loss;
  const t0 = performance.now();
  let p = started;
  try {
    while (!p.done) {
      p = pyCall("advance", [0.12]);
      $("train-progress").value = (100 * p.epoch) / p.epochs;
      $("train-status").textContent = `epoch ${p.epoch} / ${p.epochs}, loss ${p.loss === null ? "diverged" : p.loss.toPrecision(5)}`;
      drawLoss(p.losses);
      await new Promise((r) => setTimeout(r, 0)); // let the page draw and answer
    }
  } catch (e) {
    $("train-error").textContent = "Training stopped: " + e.message;
    training = false;
    $("train-button").disabled = false;
    return;
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  $("train-status").textContent = `done: ${p.epochs} epochs in ${secs} s — ${started.title}`;
  $("final-loss").textContent = p.loss === null ? "diverged" : String(p.loss);
  $("final-loss").dataset.loss = String(p.loss);
  $("final-loss").dataset.weights = JSON.stringify(p.parameters_after); // for a comparison
  document.body.dataset.trained = String(Number(document.body.dataset.trained || 0) + 1);
  showExplorer(p.data);
  training = false;
  $("train-button").disabled = false;
}
$("train-button").addEventListener("click", train);
$("settings").addEventListener("submit", (e) => { e.preventDefault(); train(); });

let explorer = null; // what mount() returned: { stop() }
function showExplorer(data) {
  const root = $("explorer-root");
  if (explorer && !data) {
    explorer.stop(); // while its elements are still in the page
    explorer = null;
  }
  if (!data) {
    root.replaceChildren();
    $("explore-note").textContent = "The four phases show plain gradient descent (W − lr·∂L/∂W): " +
      "choose that optimizer to step through this run. Momentum and Adam change the update.";
    return;
  }
  $("explore-note").textContent = "The run just trained, recorded by the engine at " +
    `${data.frames.length} epochs.`;
  if (!window.TinygradExplorer) runScriptText($("explorer-js").textContent);
  explorer = window.TinygradExplorer.mount(root, data); // replaces the previous run's
}

// ------------------------------------------------------------------ the tutor and expressions
const STARTERS = {
  rule: "def my_rule(x, out):\n    # the local derivative d out / d x of the chosen op\n    return 1 - x**2\n",
  backward: "# topo_order, Value and math are there to use\ndef my_backward(root):\n" +
    "    order = topo_order(root)  # parents before children\n" +
    "    for node in order:\n        node.grad = 0.0\n    root.grad = 1.0\n" +
    "    for node in reversed(order):\n        for parent, local in zip(node.parents, node.local_grads):\n" +
    "            parent.grad += local * node.grad\n",
};
const OPS = ["tanh", "sigmoid", "relu", "exp", "log", "sin", "cos", "sqrt", "softplus", "abs", "neg",
  "add", "sub", "mul", "div", "pow", "powc"];
for (const op of OPS) $("code-op").append(new Option(op, op));
$("code").value = STARTERS.rule;
$("code-kind").addEventListener("change", () => {
  $("code").value = STARTERS[$("code-kind").value];
  $("code-op").disabled = $("code-kind").value !== "rule";
});
$("code-check").addEventListener("click", () => {
  let text;
  try {
    const r = pyCall("check_code", [$("code-kind").value, $("code").value, $("code-op").value]);
    text = r.text;
    $("tutor-report").dataset.diagnosis = r.diagnosis || "";
    $("tutor-report").dataset.ok = String(r.ok);
  } catch (e) {
    text = e.message;
  }
  $("tutor-report").textContent = text;
});
$("expr-draw").addEventListener("click", () => {
  $("expr-graph").replaceChildren();
  try {
    const r = pyCall("expression", [$("expr").value, $("expr-values").value]);
    const grads = Object.entries(r.grads).map(([k, v]) => `∂out/∂${k} = ${v}`).join(", ");
    $("expr-result").textContent = `value ${r.value}; ${grads}`;
    const svg = viz.renderSVGElement(r.dot);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "the graph of the expression: " + $("expr-result").textContent);
    svg.removeAttribute("width"); svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.height = "auto";
    $("expr-graph").append(svg);
  } catch (e) {
    $("expr-result").textContent = e.message;
  }
});

// ------------------------------------------------------------------ the line-fitting canvas
const REG = { x: [-0.5, 4.5], y: [-1, 6], w: [-1.5, 3.5], b: [-3, 4], n: 40 };
const reg = { pts: [[0.5, 1.2], [1, 1.6], [1.8, 2.4], [2.5, 2.6], [3.2, 3.3], [4, 3.9]],
  w: -1, b: 3, path: [], surface: null, running: false, drag: -1, last: null };
let regPick = 0; // the point the keyboard moves: Tab to the plane, [ ] pick, arrows move
function toPx(c, v, range, flip) {
  const t = (v - range[0]) / (range[1] - range[0]);
  return flip ? c.height * (1 - t) : c.width * t;
}
function drawRegPlane() {
  const c = $("reg-plane"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  g.fillStyle = "#1f5fbf";
  reg.pts.forEach(([x, y], k) => {
    g.beginPath(); g.arc(toPx(c, x, REG.x), toPx(c, y, REG.y, true), 7, 0, 2 * Math.PI); g.fill();
    if (k === regPick && document.activeElement === c) { g.strokeStyle = "#000"; g.lineWidth = 2; g.stroke(); }
  });
  if (Number.isFinite(reg.w) && Number.isFinite(reg.b)) {
    g.strokeStyle = "#c0392b"; g.lineWidth = 2; g.beginPath();
    g.moveTo(0, toPx(c, reg.w * REG.x[0] + reg.b, REG.y, true));
    g.lineTo(c.width, toPx(c, reg.w * REG.x[1] + reg.b, REG.y, true)); g.stroke();
  }
}
function drawSurface() {
  const c = $("reg-surface"), g = c.getContext("2d"), n = REG.n, S = reg.surface;
  g.clearRect(0, 0, c.width, c.height);
  if (!S) return;
  const flat = S.flat().filter((v) => v !== null && v > 0);
  const lo = Math.log(Math.min(...flat)), hi = Math.log(Math.max(...flat));
  const LEVELS = 12, t = (v) => (Math.log(Math.max(v, 1e-300)) - lo) / (hi - lo || 1);
  const cw = c.width / (n - 1), ch = c.height / (n - 1);
  const X = (j) => j * cw, Y = (i) => c.height - i * ch; // grid row i is b, column j is w
  for (let i = 0; i + 1 < n; i++) // shading: the mean level of each cell
    for (let j = 0; j + 1 < n; j++) {
      const k = (t(S[i][j]) + t(S[i][j + 1]) + t(S[i + 1][j]) + t(S[i + 1][j + 1])) / 4;
      g.fillStyle = `hsl(${210 - k * 190}, 55%, ${90 - k * 35}%)`;
      g.fillRect(X(j), Y(i + 1), cw + 0.5, ch + 0.5);
    }
  g.strokeStyle = "rgba(0, 0, 0, 0.45)"; g.lineWidth = 1; g.beginPath();
  for (let L = 1; L < LEVELS; L++) { // the contour lines: marching squares on log L
    const lv = L / LEVELS;
    for (let i = 0; i + 1 < n; i++)
      for (let j = 0; j + 1 < n; j++) {
        const corners = [[i, j], [i, j + 1], [i + 1, j + 1], [i + 1, j]];
        const cut = [];
        for (let e = 0; e < 4; e++) {
          const [a, b] = [corners[e], corners[(e + 1) % 4]];
          const va = t(S[a[0]][a[1]]) - lv, vb = t(S[b[0]][b[1]]) - lv;
          if ((va < 0) !== (vb < 0)) {
            const f = va / (va - vb);
            cut.push([X(a[1] + f * (b[1] - a[1])), Y(a[0] + f * (b[0] - a[0]))]);
          }
        }
        for (let q = 0; q + 1 < cut.length; q += 2) {
          g.moveTo(cut[q][0], cut[q][1]); g.lineTo(cut[q + 1][0], cut[q + 1][1]);
        }
      }
  }
  g.stroke();
  g.fillStyle = "#222"; g.font = "11px sans-serif";
  g.fillText("w →", c.width - 28, c.height - 4); g.fillText("b ↑", 3, 12);
  const P = (w, b) => [toPx(c, w, REG.w), toPx(c, b, REG.b, true)];
  g.strokeStyle = "#000"; g.lineWidth = 1.5; g.beginPath();
  reg.path.forEach(([w, b], i) => { const [x, y] = P(w, b); i ? g.lineTo(x, y) : g.moveTo(x, y); });
  g.stroke();
  if (reg.last && reg.last.dw !== null) {
    const [x, y] = P(reg.w, reg.b);
    const len = Math.hypot(reg.last.dw, reg.last.db) || 1, k = 40 / len;
    const [x2, y2] = [x + reg.last.dw * k, y - reg.last.db * k];
    g.strokeStyle = "#c0392b"; g.lineWidth = 2; g.beginPath(); g.moveTo(x, y); g.lineTo(x2, y2); g.stroke();
    const a = Math.atan2(y2 - y, x2 - x);
    g.beginPath(); g.moveTo(x2, y2);
    g.lineTo(x2 - 8 * Math.cos(a - 0.4), y2 - 8 * Math.sin(a - 0.4));
    g.lineTo(x2 - 8 * Math.cos(a + 0.4), y2 - 8 * Math.sin(a + 0.4)); g.closePath();
    g.fillStyle = "#c0392b"; g.fill();
    g.fillStyle = "#000"; g.beginPath(); g.arc(x, y, 5, 0, 2 * Math.PI); g.fill();
  }
}
function regMeasure() {
  const lr = Number($("reg-lr").value);
  reg.last = pyCall("regression_step", [reg.pts, reg.w, reg.b, lr]);
  return reg.last;
}
function regStatus(prev) {
  const r = reg.last;
  if (!r || r.loss === null) { $("reg-status").textContent = "diverged: the loss overflowed (the learning rate is too big)"; return; }
  let note = "";
  if (prev !== undefined && prev !== null) {
    if (r.loss > prev) note = " — the loss grew: the learning rate is too big, it diverges";
    else if (prev - r.loss < 1e-4 * prev) note = " — barely moving: too small a learning rate crawls (or it has arrived)";
  }
  $("reg-status").textContent = `w ${r.w_next === null ? "?" : reg.w.toPrecision(4)}, b ${reg.b.toPrecision(4)}, ` +
    `L ${r.loss.toPrecision(5)}, ∂L/∂w ${r.dw.toPrecision(4)}, ∂L/∂b ${r.db.toPrecision(4)}${note}`;
}
function regStep() {
  const before = regMeasure();
  if (before.loss === null || before.w_next === null) { reg.running = false; regStatus(); return; }
  reg.w = before.w_next; reg.b = before.b_next;
  reg.path.push([reg.w, reg.b]);
  regMeasure();
  regStatus(before.loss);
  drawRegPlane(); drawSurface();
  if (reg.last.loss === null || Math.abs(reg.w) > 1e6) reg.running = false;
}
function regSurface() {
  reg.surface = pyCall("regression_surface", [reg.pts, REG.w, REG.b, REG.n]);
}
function regReset() {
  reg.w = -1; reg.b = 3; reg.path = [[reg.w, reg.b]];
  regSurface(); regMeasure(); regStatus(); drawRegPlane(); drawSurface();
}
function regLoop() {
  if (!reg.running) { $("reg-run").textContent = "Run"; return; }
  regStep();
  setTimeout(regLoop, 60);
}
$("reg-step").addEventListener("click", regStep);
$("reg-reset").addEventListener("click", regReset);
$("reg-run").addEventListener("click", () => {
  reg.running = !reg.running;
  $("reg-run").textContent = reg.running ? "Pause" : "Run";
  regLoop();
});
function regPointAt(ev) {
  const c = $("reg-plane"), r = c.getBoundingClientRect();
  const px = ((ev.clientX - r.left) / r.width) * c.width, py = ((ev.clientY - r.top) / r.height) * c.height;
  return [px, py];
}
$("reg-plane").addEventListener("pointerdown", (ev) => {
  const c = $("reg-plane"), [px, py] = regPointAt(ev);
  reg.drag = reg.pts.findIndex(([x, y]) =>
    Math.hypot(toPx(c, x, REG.x) - px, toPx(c, y, REG.y, true) - py) < 16);
  if (reg.drag >= 0) c.setPointerCapture(ev.pointerId);
});
$("reg-plane").addEventListener("pointermove", (ev) => {
  if (reg.drag < 0) return;
  const c = $("reg-plane"), [px, py] = regPointAt(ev);
  const x = REG.x[0] + (px / c.width) * (REG.x[1] - REG.x[0]);
  const y = REG.y[0] + (1 - py / c.height) * (REG.y[1] - REG.y[0]);
  reg.pts[reg.drag] = [+Math.min(REG.x[1], Math.max(REG.x[0], x)).toFixed(3),
    +Math.min(REG.y[1], Math.max(REG.y[0], y)).toFixed(3)];
  drawRegPlane();
});
$("reg-plane").addEventListener("keydown", (ev) => {
  const moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] };
  if (ev.key === "[" || ev.key === "]") regPick = (regPick + (ev.key === "]" ? 1 : reg.pts.length - 1)) % reg.pts.length;
  else if (moves[ev.key]) {
    const [x, y] = reg.pts[regPick];
    reg.pts[regPick] = [+(x + moves[ev.key][0]).toFixed(3), +(y + moves[ev.key][1]).toFixed(3)];
    regSurface(); regMeasure(); regStatus(); drawSurface();
  } else return;
  ev.preventDefault();
  $("reg-status").textContent += ` — point ${regPick + 1} of ${reg.pts.length} selected`;
  drawRegPlane();
});
$("reg-plane").addEventListener("pointerup", () => {
  if (reg.drag < 0) return;
  reg.drag = -1;
  regSurface(); regMeasure(); regStatus(); drawSurface();
});

// ------------------------------------------------------------------ start
const linked = fromFragment(location.hash);
boot().then(() => {
  refreshPlane();
  regReset();
  if (linked) train();
}).catch((e) => {
  $("load-status").textContent = "Python did not start: " + e.message;
});
