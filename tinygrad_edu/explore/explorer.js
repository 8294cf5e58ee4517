// The explorer page: draws and formats the numbers the Python engine recorded (run-data).
// Nothing here computes a forward value, a gradient or an update: it looks them up.
"use strict";
const R = JSON.parse(document.getElementById("run-data").textContent);
const M = R.meta;
const NL = M.sizes.length - 1; // layers of neurons
const SVGNS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

const S = {
  f: 0, // recorded frame index
  ex: 0, // training example
  step: -1, // last revealed step (-1: nothing yet)
  sel: [0, 0], // selected neuron [layer, index]
  predict: "off",
  pending: null, // the step a question is waiting on
  answers: [],
  asked: new Set(),
  drillKey: null,
  drillK: 0,
};

// ------------------------------------------------------------------ formatting (only)
function fmt(x) {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(3);
}
function num(x, q) {
  const s = document.createElement("span");
  s.className = "num";
  if (q) s.dataset.q = q;
  s.textContent = fmt(x);
  return s;
}
function par(x, q) {
  // a number in parentheses, so "(∂L/∂y) − ŷ" can never be misread
  const s = document.createElement("span");
  s.append("(", num(x, q), ")");
  return s;
}
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}
function sv(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// ------------------------------------------------------------------ names
const actSym = { sigmoid: "σ", tanh: "tanh", relu: "ReLU", linear: "id" };
const zName = (l, j) => `z${l + 1}[${j}]`;
const aName = (l, j) => (l === NL - 1 ? "ŷ" : `a${l + 1}[${j}]`);
const inName = (l, i) => (l === 0 ? `x[${i}]` : `a${l}[${i}]`);
const wName = (l, j, i) => `W${l + 1}[${j}, ${i}]`; // as tinygrad_edu.names writes it
const bName = (l, j) => `b${l + 1}[${j}]`;
const dName = (l, j) => `δ${l + 1}[${j}]`;

// ------------------------------------------------------------------ the steps ①–④
const STEPS = [];
for (let l = 0; l < NL; l++)
  for (let j = 0; j < M.sizes[l + 1]; j++) STEPS.push({ phase: 1, l, j, kind: "forward" });
STEPS.push({ phase: 2, l: NL - 1, j: 0, kind: "loss" });
for (let l = NL - 1; l >= 0; l--)
  for (let j = 0; j < M.sizes[l + 1]; j++) STEPS.push({ phase: 3, l, j, kind: "delta" });
for (let l = NL - 1; l >= 0; l--)
  for (let j = 0; j < M.sizes[l + 1]; j++) STEPS.push({ phase: 4, l, j, kind: "grad" });
STEPS.push({ phase: 4, l: NL - 1, j: 0, kind: "update" });
const stepIndex = (kind, l, j) => STEPS.findIndex((s) => s.kind === kind && s.l === l && s.j === j);
const revealed = (kind, l, j) => {
  const k = stepIndex(kind, l, j);
  return k >= 0 && k <= S.step;
};
const updateRevealed = () => S.step >= STEPS.length - 1;

const frame = () => R.frames[S.f];
const rec = () => frame().ex[S.ex];
const inputs = (l) => (l === 0 ? R.X[S.ex] : rec().a[l - 1]);

// ------------------------------------------------------------------ network drawing
function layout() {
  const W = 820, H = 430, cols = M.sizes.length;
  const pos = [];
  for (let c = 0; c < cols; c++) {
    const n = M.sizes[c], x = 80 + (c * (W - 210)) / (cols - 1), col = [];
    for (let k = 0; k < n; k++) col.push([x, n === 1 ? H / 2 : 55 + (k * (H - 110)) / (n - 1)]);
    pos.push(col);
  }
  return pos;
}
const POS = layout();

function drawNetwork() {
  const svg = $("network");
  svg.replaceChildren();
  const fr = frame(), r = rec();
  const after = updateRevealed();
  const Wshow = after ? fr.Wa : fr.Wb;
  let wmax = 1e-12;
  for (const L of Wshow) for (const row of L) for (const w of row) wmax = Math.max(wmax, Math.abs(w));
  const [sl, sj] = S.sel;
  for (let l = 0; l < NL; l++) {
    for (let j = 0; j < M.sizes[l + 1]; j++) {
      for (let i = 0; i < M.sizes[l]; i++) {
        const w = Wshow[l][j][i], [x1, y1] = POS[l][i], [x2, y2] = POS[l + 1][j];
        svg.append(sv("line", {
          x1, y1, x2, y2, "stroke-width": (0.6 + (4.4 * Math.abs(w)) / wmax).toFixed(2),
          stroke: w >= 0 ? "#2b6cb0" : "#c53030", "stroke-opacity": 0.75,
          "data-edge": `${l}:${j}:${i}`,
        }));
      }
    }
  }
  // labels on the selected neuron's incoming edges: ∂L/∂W in ④, the new weight after the update
  for (let i = 0; i < M.sizes[sl]; i++) {
    const [x1, y1] = POS[sl][i], [x2, y2] = POS[sl + 1][sj];
    const x = x1 + 0.62 * (x2 - x1), y = y1 + 0.62 * (y2 - y1) - 4;
    if (after) {
      svg.append(sv("text", { x, y, "font-size": 12, fill: "#553", "text-anchor": "middle",
        "data-q": `after:${sl}:${sj}:${i}` }, fmt(fr.Wa[sl][sj][i])));
    } else if (revealed("grad", sl, sj)) {
      svg.append(sv("text", { x, y, "font-size": 12, fill: "#7a3e00", "text-anchor": "middle",
        "data-q": `dW:${sl}:${sj}:${i}` }, fmt(r.dW[sl][sj][i])));
    }
  }
  POS[0].forEach(([x, y], i) => {
    svg.append(sv("rect", { x: x - 30, y: y - 18, width: 60, height: 36, fill: "#eef",
      stroke: "#557" }));
    svg.append(sv("text", { x, y: y + 5, "font-size": 13, "text-anchor": "middle",
      "data-q": `x:${i}` }, fmt(R.X[S.ex][i])));
    svg.append(sv("text", { x: x - 34, y: y + 5, "font-size": 12, "text-anchor": "end" }, `x[${i}]`));
  });
  for (let l = 0; l < NL; l++) {
    for (let j = 0; j < M.sizes[l + 1]; j++) {
      const [x, y] = POS[l + 1][j];
      const g = sv("g", { class: "neuron" + (l === sl && j === sj ? " selected" : ""),
        "data-neuron": `${l}:${j}` });
      const fw = revealed("forward", l, j);
      g.append(sv("circle", { cx: x, cy: y, r: 24, fill: fw ? "#fff3d6" : "#f4f4f4",
        stroke: "#555", "stroke-width": 1.5 }));
      g.append(sv("text", { x, y: y + 5, "font-size": 13, "text-anchor": "middle",
        "data-q": fw ? `a:${l}:${j}` : "" }, fw ? fmt(r.a[l][j]) : "?"));
      if (fw) g.append(sv("text", { x, y: y + 40, "font-size": 11.5, "text-anchor": "middle",
        fill: "#333", "data-q": `z:${l}:${j}` }, "z " + fmt(r.z[l][j])));
      g.append(sv("text", { x, y: y - 30, "font-size": 11, "text-anchor": "middle",
        fill: "#666" }, aName(l, j)));
      if (revealed("delta", l, j)) g.append(sv("text", { x: x + 28, y: y - 14, "font-size": 12,
        fill: "#b00020", "data-q": `delta:${l}:${j}` }, "δ " + fmt(r.d[l][j])));
      g.addEventListener("click", () => selectNeuron(l, j, true));
      svg.append(g);
    }
  }
  if (S.step >= stepIndex("loss", NL - 1, 0)) {
    const [x, y] = POS[NL][0];
    svg.append(sv("text", { x: x + 34, y: y + 42, "font-size": 13, fill: "#222" },
      `y = ${fmt(R.y[S.ex])}`));
    svg.append(sv("text", { x: x + 34, y: y + 60, "font-size": 13, fill: "#222",
      "data-q": "L" }, `L ${fmt(r.L)}`));
    svg.append(sv("text", { x: x + 34, y: y + 78, "font-size": 12, fill: "#7a3e00",
      "data-q": "seed" }, `∂L/∂ŷ ${fmt(r.seed)}`));
  }
}

// ------------------------------------------------------------------ the formula panel
function line(...parts) {
  const d = el("div", {});
  d.append(...parts);
  return d;
}
function drawFormula() {
  const box = $("formula");
  box.replaceChildren();
  const [l, j] = S.sel, r = rec(), fr = frame();
  const cur = STEPS[Math.max(S.step, 0)];
  const phase = S.step < 0 ? 1 : cur.phase;
  const act = M.activations[l];
  const ins = inputs(l);
  $("formula-title").textContent =
    `Neuron ${aName(l, j)} (layer ${l + 1}, ${act}) — phase ${"①②③④"[phase - 1]}`;
  const hidden = (what) => line(el("em", {}, `${what}: not revealed yet (step on with →)`));
  if (phase === 1) {
    if (!revealed("forward", l, j)) return box.append(hidden("z and a"));
    const terms = [];
    ins.forEach((v, i) => {
      if (i) terms.push(" + ");
      terms.push(par(fr.Wb[l][j][i]), "·", par(v));
    });
    box.append(line(`${zName(l, j)} = Σᵢ ${wName(l, j, "i")}·${inName(l, "i")} + ${bName(l, j)}`));
    box.append(line("  = ", ...terms, " + ", par(fr.bb[l][j]), " = ", num(r.z[l][j], "f-z")));
    box.append(line(`${aName(l, j)} = ${actSym[act]}(z) = ${actSym[act]}`, par(r.z[l][j]),
      " = ", num(r.a[l][j], "f-a")));
  } else if (phase === 2) {
    const o = NL - 1;
    if (S.step < stepIndex("loss", o, 0)) return box.append(hidden("the loss"));
    box.append(line(M.loss_formula));
    box.append(line("  with ŷ = ", par(r.out), ", y = ", par(R.y[S.ex]), ":  L = ", num(r.L, "f-L")));
    box.append(line(M.seed_formula));
    box.append(line("  = ", num(r.seed, "f-seed"), "  (the grad of the output node: it seeds backward)"));
    box.append(line(el("span", { class: "small" },
      `batch loss (mean over the ${R.X.length} rows, before this epoch's update): `),
      num(fr.loss, "f-batch-loss")));
  } else if (phase === 3) {
    if (!revealed("delta", l, j)) return box.append(hidden("δ"));
    const slope = line(`σ′ = ∂a/∂z = `, num(r.s[l][j], "f-slope"),
      "  (the engine's local gradient on the edge z → a)");
    if (l === NL - 1) {
      if (M.loss === "bce" && act === "sigmoid") {
        box.append(line(`δᴸ = ∂L/∂z = a − y  (sigmoid + BCE: σ′ cancels the 1/(ŷ(1−ŷ)))`));
        box.append(line("  = ", par(r.a[l][j]), " − ", par(R.y[S.ex]), " = ",
          num(r.d[l][j], "f-delta")));
      } else {
        box.append(line(`δᴸ = ∂L/∂ŷ · σ′(zᴸ)`));
        box.append(line("  = ", par(r.seed), " · ", par(r.s[l][j]), " = ", num(r.d[l][j], "f-delta")));
      }
      box.append(slope);
    } else {
      const terms = [];
      for (let k = 0; k < M.sizes[l + 2]; k++) {
        if (k) terms.push(" + ");
        terms.push(par(fr.Wb[l + 1][k][j]), "·", par(r.d[l + 1][k]));
      }
      box.append(line(`${dName(l, j)} = [Σₖ ${wName(l + 1, "k", j)} ${dName(l + 1, "k")}] · σ′(${zName(l, j)})`));
      box.append(line("  = [", ...terms, "] · ", par(r.s[l][j])));
      box.append(line("  = ", par(r.up[l][j]), " · ", par(r.s[l][j]), " = ", num(r.d[l][j], "f-delta")));
      box.append(line(el("span", { class: "small" },
        "(Wᵀδ: the same weights as the forward pass, read backward; ∂L/∂a = "),
        num(r.up[l][j], "f-up"), el("span", { class: "small" }, ")")));
      box.append(slope);
    }
  } else {
    if (!revealed("grad", l, j)) return box.append(hidden("∂L/∂W"));
    box.append(line(`∂L/∂${wName(l, j, "i")} = ${dName(l, j)} · ${inName(l, "i")}   (δ aᵀ, one row)`));
    ins.forEach((v, i) => box.append(line(`  ∂L/∂${wName(l, j, i)} = `, par(r.d[l][j]), " · ",
      par(v), " = ", num(r.dW[l][j][i], `f-dW-${i}`))));
    box.append(line(`  ∂L/∂${bName(l, j)} = ${dName(l, j)} = `, num(r.db[l][j], "f-db")));
    if (updateRevealed()) {
      box.append(line(`Update, W ← W − η ∂L/∂W with η = ${fmt(M.lr)} and ∂L/∂W the mean over the ` +
        `${R.X.length} rows (the batch gradient):`));
      ins.forEach((_, i) => box.append(line(`  ${wName(l, j, i)}: `, par(fr.Wb[l][j][i]), " − ",
        par(M.lr), "·", par(fr.gW[l][j][i]), " = ", num(fr.Wa[l][j][i], `f-after-${i}`))));
      box.append(line(`  ${bName(l, j)}: `, par(fr.bb[l][j]), " − ", par(M.lr), "·",
        par(fr.gb[l][j]), " = ", num(fr.ba[l][j], "f-after-b")));
    }
  }
}

function drawWeights() {
  const t = $("weights");
  t.replaceChildren();
  const [l, j] = S.sel, fr = frame();
  const show = S.predict === "off" || updateRevealed();
  t.append(el("tr", {}, el("th", {}, "parameter"), el("th", {}, "before"),
    el("th", {}, "batch ∂L/∂·"), el("th", {}, "after the update")));
  const row = (name, b, g, a, q) => t.append(el("tr", {}, el("td", {}, name), el("td", {}, num(b)),
    el("td", {}, show ? num(g) : "?"), el("td", {}, show ? num(a, q) : "?")));
  for (let i = 0; i < M.sizes[l]; i++)
    row(wName(l, j, i), fr.Wb[l][j][i], fr.gW[l][j][i], fr.Wa[l][j][i], `t-after:${l}:${j}:${i}`);
  row(bName(l, j), fr.bb[l][j], fr.gb[l][j], fr.ba[l][j], `t-after-b:${l}:${j}`);
}

// ------------------------------------------------------------------ training replay
function drawLoss() {
  const svg = $("loss-curve");
  svg.replaceChildren();
  const W = 440, H = 260, x0 = 52, x1 = W - 10, y0 = 12, y1 = H - 34;
  const ls = R.losses.map((v) => Math.log10(Math.max(v, 1e-12)));
  const lo = Math.floor(Math.min(...ls)), hi = Math.ceil(Math.max(...ls));
  const X = (e) => x0 + ((x1 - x0) * e) / Math.max(1, R.losses.length - 1);
  const Y = (v) => y1 - ((y1 - y0) * (v - lo)) / Math.max(1e-9, hi - lo);
  svg.append(sv("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: "#fafafa",
    stroke: "#999" }));
  for (let p = lo; p <= hi; p++) {
    svg.append(sv("line", { x1: x0, x2: x1, y1: Y(p), y2: Y(p), stroke: "#ddd" }));
    svg.append(sv("text", { x: x0 - 4, y: Y(p) + 4, "font-size": 11, "text-anchor": "end" },
      `1e${p}`));
  }
  const pts = ls.map((v, e) => `${X(e).toFixed(1)},${Y(v).toFixed(1)}`).join(" ");
  svg.append(sv("polyline", { points: pts, fill: "none", stroke: "#2b6cb0", "stroke-width": 1.6 }));
  const e = frame().epoch;
  svg.append(sv("line", { x1: X(e), x2: X(e), y1: y0, y2: y1, stroke: "#c77a00",
    "stroke-width": 2 }));
  svg.append(sv("circle", { cx: X(e), cy: Y(ls[e]), r: 4, fill: "#c77a00" }));
  svg.append(sv("text", { x: (x0 + x1) / 2, y: H - 6, "font-size": 12, "text-anchor": "middle" },
    `epoch (1 … ${R.losses.length}); this epoch's loss ${fmt(R.losses[e])}`));
  svg.onclick = (ev) => {
    const bb = svg.getBoundingClientRect();
    const ep = ((ev.clientX - bb.left - x0) / (x1 - x0)) * (R.losses.length - 1);
    let best = 0;
    R.frames.forEach((f, k) => {
      if (Math.abs(f.epoch - ep) < Math.abs(R.frames[best].epoch - ep)) best = k;
    });
    setFrame(best);
  };
}

function shade(p) {
  // diverging about the 0.5 threshold: blue below, orange above, white at 0.5
  const t = Math.max(-1, Math.min(1, 2 * (p - 0.5)));
  const c = t < 0 ? [66, 133, 244] : [245, 150, 40];
  const k = Math.abs(t) * 0.75;
  return `rgb(${Math.round(255 + (c[0] - 255) * k)},${Math.round(255 + (c[1] - 255) * k)},${Math.round(255 + (c[2] - 255) * k)})`;
}
function drawSurface() {
  const cv = $("surface"), g = cv.getContext("2d"), W = cv.width, H = cv.height;
  g.clearRect(0, 0, W, H);
  const ax = R.axes, s = frame().surface;
  if (ax.length === 0) {
    $("surface-title").textContent = "Decision boundary";
    $("surface-note").textContent = "more than 2 inputs: no picture of the input space";
    return;
  }
  const sx = (u) => ((u - ax[0][0]) / (ax[0][ax[0].length - 1] - ax[0][0])) * W;
  if (ax.length === 2) {
    $("surface-title").textContent = "Decision boundary (network output over the inputs)";
    const nx = ax[0].length, ny = ax[1].length;
    // one pixel per grid sample, scaled up smoothly: the samples sit at the cell centres
    const small = document.createElement("canvas");
    small.width = nx;
    small.height = ny;
    const sg = small.getContext("2d");
    for (let b = 0; b < ny; b++)
      for (let a = 0; a < nx; a++) {
        sg.fillStyle = shade(s[b * nx + a]);
        sg.fillRect(a, ny - 1 - b, 1, 1);
      }
    g.imageSmoothingEnabled = true;
    g.drawImage(small, 0, 0, W, H);
    const sy = (v) => H - ((v - ax[1][0]) / (ax[1][ny - 1] - ax[1][0])) * H;
    R.X.forEach((x, i) => {
      g.lineWidth = 2;
      g.strokeStyle = "#000";
      if (R.y[i] >= 0.5) {
        g.fillStyle = "#000";
        g.fillRect(sx(x[0]) - 7, sy(x[1]) - 7, 14, 14);
      } else {
        g.fillStyle = "#fff";
        g.beginPath();
        g.arc(sx(x[0]), sy(x[1]), 7, 0, 2 * Math.PI);
        g.fill();
        g.stroke();
      }
      if (i === S.ex) {
        g.strokeStyle = "#c77a00";
        g.lineWidth = 3;
        g.strokeRect(sx(x[0]) - 11, sy(x[1]) - 11, 22, 22);
      }
    });
    $("surface-note").textContent = "orange: output ≥ 0.5 (class 1), blue: below; black squares: " +
      "class 1, white circles: class 0; framed: the chosen example. Grid values are the model's " +
      "own forward passes at this epoch.";
  } else {
    $("surface-title").textContent = "Fit (network output over the input)";
    const ys = [...s, ...R.y], lo = Math.min(...ys), hi = Math.max(...ys);
    const sy = (v) => H - 10 - ((v - lo) / Math.max(1e-9, hi - lo)) * (H - 20);
    g.strokeStyle = "#2b6cb0";
    g.lineWidth = 2;
    g.beginPath();
    ax[0].forEach((u, k) => (k ? g.lineTo(sx(u), sy(s[k])) : g.moveTo(sx(u), sy(s[k]))));
    g.stroke();
    R.X.forEach((x, i) => {
      g.fillStyle = i === S.ex ? "#c77a00" : "#000";
      g.beginPath();
      g.arc(sx(x[0]), sy(R.y[i]), 4, 0, 2 * Math.PI);
      g.fill();
    });
    $("surface-note").textContent = "line: the model's output at this epoch; dots: the data.";
  }
}

function drawHealth() {
  const t = $("health");
  t.replaceChildren();
  t.append(el("tr", {}, el("th", {}, "layer"), el("th", {}, "mean |δ|"),
    el("th", {}, "dead ReLUs"), el("th", {}, "saturated σ")));
  frame().health.forEach((h, l) => {
    const act = M.activations[l];
    t.append(el("tr", {}, el("td", {}, `${l + 1} (${act})`), el("td", {}, num(h.d, `h-d:${l}`)),
      el("td", {}, act === "relu" ? `${Math.round(100 * h.dead)} %` : "—"),
      el("td", {}, act === "sigmoid" ? `${Math.round(100 * h.sat)} %` : "—")));
  });
  $("health-note").textContent = `Over the ${R.X.length} rows at this epoch. Dead: a ReLU with ` +
    `z ≤ 0 on every row (its gradient is 0). Saturated: a sigmoid with a < ${M.saturated} or ` +
    `a > ${1 - M.saturated} (σ′ < 0.01, little gradient flows back).`;
}

const LAYER_COLOURS = ["#2b6cb0", "#c77a00", "#2f855a", "#805ad5", "#c53030", "#555"];
function drawHealthCurve() {
  const svg = $("health-curve");
  svg.replaceChildren();
  const W = 500, H = 180, x0 = 52, x1 = W - 90, y0 = 20, y1 = H - 28;
  const logs = R.frames.map((f) => f.health.map((h) => Math.log10(Math.max(h.d, 1e-12))));
  const flat = logs.flat();
  const lo = Math.floor(Math.min(...flat)), hi = Math.max(lo + 1, Math.ceil(Math.max(...flat)));
  const last = R.frames[R.frames.length - 1].epoch;
  const X = (e) => x0 + ((x1 - x0) * e) / Math.max(1, last);
  const Y = (v) => y1 - ((y1 - y0) * (v - lo)) / (hi - lo);
  svg.append(sv("text", { x: x0, y: 12, "font-size": 12 }, "mean |δ| per layer over the epochs (log)"));
  svg.append(sv("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: "#fafafa",
    stroke: "#999" }));
  for (let p = lo; p <= hi; p++)
    svg.append(sv("text", { x: x0 - 4, y: Y(p) + 4, "font-size": 11, "text-anchor": "end" }, `1e${p}`));
  for (let l = 0; l < NL; l++) {
    const colour = LAYER_COLOURS[l % LAYER_COLOURS.length];
    const pts = R.frames.map((f, k) => `${X(f.epoch).toFixed(1)},${Y(logs[k][l]).toFixed(1)}`);
    svg.append(sv("polyline", { points: pts.join(" "), fill: "none", stroke: colour,
      "stroke-width": 1.6 }));
    svg.append(sv("text", { x: x1 + 6, y: y0 + 12 + 16 * l, "font-size": 12, fill: colour },
      `layer ${l + 1}`));
  }
  const e = frame().epoch;
  svg.append(sv("line", { x1: X(e), x2: X(e), y1: y0, y2: y1, stroke: "#c77a00",
    "stroke-width": 2 }));
  svg.append(sv("text", { x: (x0 + x1) / 2, y: H - 8, "font-size": 11, "text-anchor": "middle" },
    `recorded epochs 1 … ${last + 1}`));
}

// ------------------------------------------------------------------ predict, then reveal
function question(step) {
  const r = rec(), fr = frame(), { l, j } = step, sign = S.predict === "sign";
  if (step.kind === "forward")
    return sign ? { text: `Sign of ${zName(l, j)} = W·a + b?`, value: r.z[l][j] }
      : { text: `Value of ${aName(l, j)} = ${actSym[M.activations[l]]}(${zName(l, j)})?`, value: r.a[l][j] };
  if (step.kind === "loss")
    return sign ? { text: "Sign of the seed ∂L/∂ŷ?", value: r.seed }
      : { text: "Value of the loss L for this example?", value: r.L };
  if (step.kind === "delta")
    return { text: `${sign ? "Sign" : "Value"} of ${dName(l, j)} = ∂L/∂${zName(l, j)}?`, value: r.d[l][j] };
  if (step.kind === "grad")
    return { text: `${sign ? "Sign" : "Value"} of ∂L/∂${wName(l, j, 0)}?`, value: r.dW[l][j][0] };
  const [sl, sj] = [NL - 1, 0];
  return sign ? { text: `After the update, does ${wName(sl, sj, 0)} go up (+) or down (−)?`,
    value: fr.Wa[sl][sj][0] - fr.Wb[sl][sj][0] }
    : { text: `Value of ${wName(sl, sj, 0)} after the update?`, value: fr.Wa[sl][sj][0] };
}
const TOL = () => `Right when |answer − value| ≤ ${M.tolerance.abs} + ${100 * M.tolerance.rel} % ` +
  "of |value|. Signs: answer +, − or 0.";
function parseSign(text) {
  const t = text.trim();
  if (["+", "+1", "1", "up", "positive", "pos"].includes(t)) return 1;
  if (["-", "−", "-1", "down", "negative", "neg"].includes(t)) return -1;
  if (t === "0") return 0;
  return null;
}
function check(text, value, mode) {
  if (mode === "sign") {
    const s = parseSign(text);
    return s === null ? null : s === Math.sign(value);
  }
  const v = Number(text.trim().replace("−", "-"));
  if (text.trim() === "" || !Number.isFinite(v)) return null;
  // the difference and tolerance are about the learner's answer: the value itself is recorded
  return Math.abs(v - value) <= M.tolerance.abs + M.tolerance.rel * Math.abs(value);
}
function ask(q, where, onReveal) {
  S.pending = { q, where, onReveal, mode: S.predict };
  $("question").hidden = false;
  $("question-text").textContent = q.text;
  $("question-tolerance").textContent = S.predict === "sign"
    ? "Answer +, − or 0." : TOL();
  $("answer").value = "";
  $("answer").focus();
}
function submit(skip) {
  const p = S.pending;
  if (!p) return;
  const text = $("answer").value;
  let right = null;
  if (!skip) {
    right = check(text, p.q.value, p.mode);
    if (right === null) {
      $("verdict").className = "wrong";
      $("verdict").textContent = p.mode === "sign" ? "Please answer +, − or 0."
        : "Please type a number (or reveal without answering).";
      return;
    }
  }
  S.answers.push({ question: p.q.text, where: p.where, mode: p.mode, answer: skip ? null : text,
    value: p.q.value, right, tolerance: M.tolerance });
  S.pending = null;
  $("answer").blur(); // at once: the next arrow key steps on, whenever the browser would blur it
  $("question").hidden = true;
  const v = $("verdict");
  v.className = right === null ? "" : right ? "right" : "wrong";
  v.textContent = right === null ? `Revealed: ${fmt(p.q.value)}.`
    : `${right ? "Right" : "Not quite"}: the engine's value is ${fmt(p.q.value)}` +
      (p.mode === "sign" ? "" : `, you said ${text.trim()}.`);
  p.onReveal();
  drawScore();
}
function drawScore() {
  const scored = S.answers.filter((a) => a.right !== null);
  $("score").textContent = `score ${scored.filter((a) => a.right).length} / ${scored.length}`;
}
function download() {
  const blob = new Blob([JSON.stringify({ run: M.title, seed: M.seed, answers: S.answers }, null, 2)],
    { type: "application/json" });
  const a = el("a", { href: URL.createObjectURL(blob), download: "explorer-answers.json" });
  document.body.append(a);
  a.click();
  a.remove();
}

// ------------------------------------------------------------------ stepping
function setStep(k) {
  S.step = Math.max(-1, Math.min(STEPS.length - 1, k));
  if (S.step >= 0) {
    const st = STEPS[S.step];
    S.sel = [st.l, st.j];
  }
  drawAll();
}
function next() {
  if (S.pending || S.step >= STEPS.length - 1) return;
  const k = S.step + 1, key = `${S.f}:${S.ex}:${k}:${S.predict}`;
  if (S.predict !== "off" && !S.asked.has(key)) {
    S.asked.add(key);
    const st = STEPS[k];
    S.sel = [st.l, st.j];
    drawAll();
    ask(question(st), { epoch: frame().epoch, example: S.ex, step: k, phase: st.phase }, () => setStep(k));
    return;
  }
  setStep(k);
}
function prev() {
  if (S.pending) return;
  setStep(S.step - 1);
}
function gotoPhase(p) {
  if (S.pending) return;
  const first = STEPS.findIndex((s) => s.phase === p);
  setStep(first - 1);
  next();
}
function setFrame(k) {
  if (S.pending) return;
  S.f = Math.max(0, Math.min(R.frames.length - 1, k));
  if (S.predict !== "off") S.step = -1;
  drawAll();
}

// ------------------------------------------------------------------ drill-down
function drillFor(l, j) {
  return R.drills.find((d) => d.epoch === frame().epoch && d.example === S.ex && d.layer === l &&
    d.neuron === j);
}
function selectNeuron(l, j, open) {
  S.sel = [l, j];
  if (open) {
    S.drillKey = `${frame().epoch}:${S.ex}:${l}:${j}`;
    S.drillK = 0;
  }
  drawAll();
}
function drawDrill() {
  const box = $("drill");
  if (S.drillKey === null) return (box.hidden = true);
  box.hidden = false;
  const [l, j] = S.sel;
  const d = drillFor(l, j);
  $("drill-title").textContent = `Scalar graph of neuron ${aName(l, j)} at epoch ${frame().epoch + 1}, ` +
    `example ${S.ex + 1}`;
  const g = $("drill-graph");
  g.replaceChildren();
  if (!d) {
    const have = [...new Set(R.drills.map((x) => x.epoch + 1))];
    $("drill-caption").textContent = have.length
      ? `The neuron graphs were recorded at epoch ${have.join(", ")}; step the timeline there.`
      : "No neuron graphs were recorded for this run.";
    $("drill-label").textContent = "";
    return;
  }
  const n = d.steps.length;
  S.drillK = Math.max(0, Math.min(n, S.drillK));
  $("drill-label").textContent = `backward step ${S.drillK} / ${n}`;
  const cap = [];
  if (S.drillK === 0) cap.push(`Seed: ∂a/∂(${aName(l, j)}) = 1. Nothing passed on yet.`);
  for (let k = 0; k < S.drillK; k++) {
    const st = d.steps[k];
    const parts = st.parts.map((c) => `${c.parent}.grad += (${fmt(c.local)}) × (${fmt(st.up)}) = ` +
      `${fmt(c.contribution)} → ${fmt(c.total)}`);
    cap.push(`Step ${k + 1}: at ${st.node} (${st.op}), ∂a/∂(${st.node}) = ${fmt(st.up)}. ` +
      parts.join("; "));
  }
  $("drill-caption").textContent = cap.join("\n");
  const finished = S.drillK === n;
  if (S.predict !== "off" && !finished) {
    g.append(el("p", { class: "small" }, "Predict mode: the graph (which shows every gradient) " +
      "appears once every backward step is revealed."));
  } else if (d.svg) {
    g.innerHTML = d.svg;
  } else {
    g.append(el("p", {}, "Graphviz's dot program was not available when this page was written, " +
      "so here is the graph as Mermaid text (paste it into any Mermaid viewer) and as DOT:"));
    g.append(el("pre", {}, d.mermaid), el("pre", {}, d.dot));
  }
}
function drillStep(delta) {
  if (S.pending || S.drillKey === null) return;
  const d = drillFor(...S.sel);
  if (!d) return;
  const k = S.drillK + delta;
  if (k < 0 || k > d.steps.length) return;
  const key = `drill:${S.drillKey}:${k}:${S.predict}`;
  if (delta > 0 && S.predict !== "off" && !S.asked.has(key)) {
    S.asked.add(key);
    const st = d.steps[k - 1];
    ask({ text: `${S.predict === "sign" ? "Sign" : "Value"} of ∂a/∂(${st.node}), the upstream ` +
      `gradient at this step?`, value: st.up },
    { drill: S.drillKey, step: k }, () => { S.drillK = k; drawAll(); });
    return;
  }
  S.drillK = k;
  drawAll();
}

// ------------------------------------------------------------------ wiring
function drawAll() {
  const fr = frame();
  $("epoch").value = S.f;
  $("epoch-label").textContent = `epoch ${fr.epoch + 1} of ${M.epochs} (recorded every ${M.every})`;
  const st = S.step >= 0 ? STEPS[S.step] : null;
  $("step-label").textContent = st
    ? `step ${S.step + 1} / ${STEPS.length}: ${"①②③④"[st.phase - 1]} ${st.kind} ${aName(st.l, st.j)}`
    : `step 0 / ${STEPS.length}: nothing revealed`;
  document.querySelectorAll("button.phase").forEach((b) =>
    b.classList.toggle("active", st !== null && Number(b.dataset.phase) === st.phase));
  drawNetwork();
  drawFormula();
  drawWeights();
  drawLoss();
  drawSurface();
  drawHealth();
  drawHealthCurve();
  drawDrill();
}
function init() {
  $("meta").textContent = `${M.title} · seed ${M.seed === null ? "none" : M.seed} · learning rate ` +
    `${M.lr} · ${M.epochs} epochs, full batch of ${R.X.length} rows · loss ${M.loss}`;
  $("notes").textContent = R.notes.join(" ");
  const ex = $("example");
  const kept = R.frames[0].ex.length; // the rows that kept their per-example records
  if (kept < R.X.length) $("notes").textContent += ` The phases are shown for the first ${kept} ` +
    `of the ${R.X.length} rows; the update, the loss and the health use all of them.`;
  R.X.slice(0, kept).forEach((x, i) => ex.append(el("option", { value: i },
    `${i + 1}: x = (${x.map(fmt).join(", ")}), y = ${fmt(R.y[i])}`)));
  $("epoch").max = R.frames.length - 1;
  $("epoch").addEventListener("input", () => setFrame(Number($("epoch").value)));
  $("epoch-prev").onclick = () => setFrame(S.f - 1);
  $("epoch-next").onclick = () => setFrame(S.f + 1);
  ex.addEventListener("change", () => {
    S.ex = Number(ex.value);
    if (S.predict !== "off") S.step = -1;
    drawAll();
  });
  document.querySelectorAll("button.phase").forEach((b) =>
    (b.onclick = () => gotoPhase(Number(b.dataset.phase))));
  $("step-next").onclick = next;
  $("step-prev").onclick = prev;
  $("predict").addEventListener("change", () => {
    S.predict = $("predict").value;
    drawAll();
  });
  $("answer-check").onclick = () => submit(false);
  $("answer-skip").onclick = () => submit(true);
  $("answer").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      submit(false);
    }
  });
  $("download").onclick = download;
  $("drill-next").onclick = () => drillStep(1);
  $("drill-prev").onclick = () => drillStep(-1);
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && t.type !== "range"))
      return; // typing an answer, choosing an example: the keys are theirs
    const onSlider = t instanceof HTMLInputElement && t.type === "range";
    const actions = {
      ArrowRight: onSlider ? () => setFrame(S.f + 1) : next,
      ArrowLeft: onSlider ? () => setFrame(S.f - 1) : prev,
      "]": () => setFrame(S.f + 1),
      "[": () => setFrame(S.f - 1),
      ".": () => drillStep(1),
      ",": () => drillStep(-1),
    };
    const act = actions[e.key];
    if (!act) return;
    e.preventDefault(); // one key press, one step: the slider must not move on its own too
    act();
  });
  drawScore();
  drawAll();
}
init();
