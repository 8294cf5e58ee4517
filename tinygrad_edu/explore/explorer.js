// The explorer page: draws and formats the numbers the Python engine recorded.
//
// THE CONTRACT (for any page that embeds the explorer, e.g. the live Pyodide page):
//
//   window.TinygradExplorer.mount(rootElement, data) -> { stop() }
//
//   `data` is exactly the JSON-able dict `tinygrad_edu.explore.page_data(run)` returns (the
//   static page embeds it in a JSON script element with the id "run-data"). mount() empties
//   rootElement and renders the whole explorer inside it (controls, network, formulas, replay,
//   drill-down); calling it again (same or another element) stops the previous run cleanly
//   (its timer and key handler) and replaces it. `stop()` does the same without a new run.
//   Nothing is fetched; nothing outside rootElement is touched but one keydown listener on
//   document (removed by stop). Element ids inside are prefixed "tx-"; explorer.css styles only
//   what is inside the .tx element mount() creates. Loading this script mounts by itself only
//   when the page has both an element with id "explorer-root" and the "run-data" JSON.
//
// Nothing here computes a forward value or a backward gradient of the network: it looks them up.
// Two displays multiply recorded numbers: a row's own ∂L/∂W = δ · input (the engine's w.grad for
// one row is exactly that product) and the neuron graph's leaf gradients (δ · w, δ · x).
"use strict";
(function () {
  const SVGNS = "http://www.w3.org/2000/svg";
  const TEMPLATE = `
<section class="tx" aria-label="Backpropagation explorer">
<header>
  <h1>Backpropagation explorer</h1>
  <p id="tx-meta"></p>
  <p class="small">Every number on this page was recorded from the Python engine while it
  trained (a Value's <code>.data</code> and <code>.grad</code>, and the local gradients it
  stored); the page formats and draws them.</p>
</header>
<div class="bar" role="group" aria-label="epoch and example">
  <div class="row">
    <label for="tx-epoch">Epoch</label>
    <button type="button" id="tx-epoch-prev" aria-label="previous recorded epoch">&#9664;</button>
    <input type="range" id="tx-epoch" min="0" max="0" value="0" step="1">
    <button type="button" id="tx-epoch-next" aria-label="next recorded epoch">&#9654;</button>
    <button type="button" id="tx-play" aria-pressed="false">play</button>
    <label for="tx-speed" class="small">speed</label>
    <select id="tx-speed">
      <option value="1000">1 epoch/s</option>
      <option value="400" selected>2.5 epochs/s</option>
      <option value="150">7 epochs/s</option>
      <option value="50">20 epochs/s</option>
    </select>
    <span id="tx-epoch-label" class="mono" aria-live="polite"></span>
  </div>
  <div class="row">
    <label for="tx-example">Training row</label>
    <select id="tx-example"></select>
    <span class="small hide-narrow">(or click a point on the decision boundary)</span>
  </div>
  <div class="row">
    <label for="tx-predict">Predict, then reveal</label>
    <select id="tx-predict">
      <option value="off">off</option>
      <option value="value">ask for the value</option>
      <option value="sign">ask for the sign</option>
    </select>
    <label for="tx-learner">Your name or id</label>
    <input type="text" id="tx-learner" size="12" autocomplete="off">
    <span id="tx-score" class="mono"></span>
    <button type="button" id="tx-download">download answers (JSON)</button>
  </div>
</div>
<div class="bar stepbar" role="group" aria-label="the four phases">
  <div class="row">
    <button type="button" class="phase" data-phase="1">① forward</button>
    <button type="button" class="phase" data-phase="2">② loss</button>
    <button type="button" class="phase" data-phase="3">③ deltas</button>
    <button type="button" class="phase" data-phase="4">④ gradients + update</button>
    <button type="button" id="tx-step-prev" aria-label="one step back">&#9664; step</button>
    <button type="button" id="tx-step-next" aria-label="one step on">step &#9654;</button>
    <span id="tx-step-label" class="mono" aria-live="polite"></span>
  </div>
  <p class="small hide-narrow" style="margin:2px 0">Keys: ← → one step · [ ] one recorded epoch ·
  p play/pause · , . one backward step of the neuron graph · Tab to a neuron, Enter for its graph</p>
</div>
<div class="main">
  <section class="panel" aria-labelledby="tx-network-title">
    <h2 id="tx-network-title">The network</h2>
    <p class="small">Click a neuron (or Tab to it and press Enter) for its scalar graph. Edge
    width and colour: the weight, blue positive, red negative.</p>
    <svg id="tx-network" role="group" aria-label="network: each neuron with its numbers"></svg>
    <ul id="tx-network-text" class="sr-only" aria-label="the network as text"></ul>
    <section id="tx-drill" hidden aria-labelledby="tx-drill-title">
      <h2 id="tx-drill-title"></h2>
      <p class="small">The neuron on its own, drawn from the recorded numbers: its inputs and
      weights as leaves, z = Σ wᵢ·inᵢ + b (one node), a = act(z). Each box: value, and ∂L/∂·
      once the backward step reaches it.</p>
      <div class="row">
        <button type="button" id="tx-drill-prev" aria-label="one backward step back">&#9664;</button>
        <button type="button" id="tx-drill-next" aria-label="one backward step on">&#9654;</button>
        <span id="tx-drill-label" class="mono"></span>
        <button type="button" id="tx-drill-close">close</button>
      </div>
      <p id="tx-drill-caption" class="mono" aria-live="polite"></p>
      <div id="tx-drill-graph"></div>
    </section>
  </section>
  <section class="panel" aria-labelledby="tx-formula-title">
    <h2 id="tx-formula-title">The selected neuron</h2>
    <div id="tx-question" hidden role="group" aria-labelledby="tx-question-text">
      <p id="tx-question-text"></p>
      <label for="tx-answer" class="small">Your answer</label>
      <input type="text" id="tx-answer" inputmode="decimal" autocomplete="off" size="12">
      <button type="button" id="tx-answer-check">check</button>
      <button type="button" id="tx-answer-skip">reveal</button>
      <p id="tx-question-tolerance" class="small"></p>
    </div>
    <p id="tx-verdict" aria-live="polite"></p>
    <div id="tx-formula" class="mono" aria-live="polite"></div>
    <h3>Its weights at this epoch</h3>
    <div class="tablebox"><table id="tx-weights"></table></div>
  </section>
</div>
<section class="replay" aria-label="training replay">
  <div>
    <h2>Loss <span class="small">(log scale; the marker: this epoch)</span></h2>
    <svg id="tx-loss-curve" viewBox="0 0 440 260" role="img" aria-label="loss curve"></svg>
  </div>
  <div>
    <h2 id="tx-surface-title">Decision boundary</h2>
    <canvas id="tx-surface" width="300" height="300" role="img"
      aria-label="decision boundary; choose a row with the Training row list"></canvas>
    <p id="tx-surface-note" class="small"></p>
  </div>
  <div>
    <h2>Gradient health per layer</h2>
    <div class="tablebox"><table id="tx-health"></table></div>
    <p class="small" id="tx-health-note"></p>
    <svg id="tx-health-curve" viewBox="0 0 500 180" role="img"
      aria-label="mean |δ| per layer over the recorded epochs"></svg>
  </div>
</section>
<p id="tx-notes" class="small"></p>
</section>`;

  // ---------------------------------------------------------------- formatting (only)
  function fmt(x) {
    if (x === 0) return "0";
    if (!Number.isFinite(x)) return String(x);
    const a = Math.abs(x);
    if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
    return x.toExponential(3);
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
  function parseNumber(text) {
    let t = text.trim().replace(/\u2212/g, "-").replace(/\s/g, "");
    if (t.includes(",") && !t.includes(".") && t.split(",").length === 2) t = t.replace(",", ".");
    if (t === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    return Number(t);
  }
  function parseSign(text) {
    const t = text.trim().toLowerCase();
    if (["+", "+1", "1", "up", "positive", "pos"].includes(t)) return 1;
    if (["-", "\u2212", "-1", "down", "negative", "neg"].includes(t)) return -1;
    if (t === "0") return 0;
    return null;
  }

  let current = null;

  function mount(root, R) {
    if (current) current.stop();
    if (!(root instanceof Element)) throw new TypeError("TinygradExplorer.mount: root must be an element");
    if (!R || !R.meta || !Array.isArray(R.frames) || R.frames.length === 0)
      throw new TypeError("TinygradExplorer.mount: data must be page_data(run) with recorded frames");
    root.innerHTML = TEMPLATE;
    const $ = (id) => root.querySelector("#tx-" + id);
    const M = R.meta;
    const NL = M.sizes.length - 1;
    const ROWS = R.X.length;
    let timer = null;

    // -------------------------------------------------------------- names
    const actSym = { sigmoid: "σ", tanh: "tanh", relu: "ReLU", linear: "id" };
    const zName = (l, j) => `z${l + 1}[${j}]`;
    const aName = (l, j) => (l === NL - 1 ? "ŷ" : `a${l + 1}[${j}]`);
    const inName = (l, i) => (l === 0 ? `x[${i}]` : `a${l}[${i}]`);
    const wName = (l, j, i) => `W${l + 1}[${j}, ${i}]`;
    const bName = (l, j) => `b${l + 1}[${j}]`;
    const dName = (l, j) => `δ${l + 1}[${j}]`;

    // -------------------------------------------------------------- the steps ①–④
    const STEPS = [];
    for (let l = 0; l < NL; l++)
      for (let j = 0; j < M.sizes[l + 1]; j++) STEPS.push({ phase: 1, l, j, kind: "forward" });
    STEPS.push({ phase: 2, l: NL - 1, j: 0, kind: "loss" });
    for (let l = NL - 1; l >= 0; l--)
      for (let j = 0; j < M.sizes[l + 1]; j++) STEPS.push({ phase: 3, l, j, kind: "delta" });
    for (let l = NL - 1; l >= 0; l--)
      for (let j = 0; j < M.sizes[l + 1]; j++) STEPS.push({ phase: 4, l, j, kind: "grad" });
    for (let l = NL - 1; l >= 0; l--) {
      STEPS.push({ phase: 4, l, j: 0, kind: "mean" });
      STEPS.push({ phase: 4, l, j: 0, kind: "update" });
    }
    const stepIndex = (kind, l, j) => STEPS.findIndex((s) => s.kind === kind && s.l === l && s.j === j);
    const INDEX = new Map(STEPS.map((s, k) => [`${s.kind}:${s.l}:${s.j}`, k]));
    const revealed = (kind, l, j) => {
      const k = INDEX.get(`${kind}:${l}:${kind === "mean" || kind === "update" ? 0 : j}`);
      return k !== undefined && k <= S.step;
    };

    // -------------------------------------------------------------- state
    const frame = () => R.frames[S.f];
    const rec = () => frame().ex[S.ex];
    const inputs = (l) => (l === 0 ? R.X[S.ex] : rec().a[l - 1]);
    const rowInputs = (r, l, fr) => (l === 0 ? R.X[r] : fr.ex[r].a[l - 1]);
    const dW = (l, j, i) => rec().d[l][j] * inputs(l)[i];
    function firstLivelyRow() {
      // a row whose every per-row ∂L/∂W is non-zero at the first recorded epoch
      const fr = R.frames[0];
      for (let r = 0; r < ROWS; r++) {
        let ok = true;
        for (let l = 0; l < NL && ok; l++) {
          const ins = rowInputs(r, l, fr);
          if (fr.ex[r].d[l].some((d) => d === 0) || ins.some((v) => v === 0)) ok = false;
        }
        if (ok) return r;
      }
      return 0;
    }
    const S = {
      f: 0, ex: firstLivelyRow(), step: -1, sel: [0, 0], predict: "off", pending: null,
      answers: [], asked: new Set(), drill: null, drillK: 0,
    };

    // -------------------------------------------------------------- number helpers for DOM
    function num(x) {
      const s = el("span", { class: "num" });
      s.textContent = fmt(x);
      return s;
    }
    function par(x) {
      const s = el("span", {});
      s.append("(", num(x), ")");
      return s;
    }
    function line(...parts) {
      const d = el("div", {});
      d.append(...parts);
      return d;
    }

    // -------------------------------------------------------------- network layout
    const maxN = Math.max(...M.sizes);
    const COMPACT = maxN > 8; // too many neurons a column for labels around each circle
    // narrower drawing on a narrow screen, so its text scales down less
    const NW = Math.round(Math.max(560, Math.min(820, (root.clientWidth || 820) * 1.6)));
    const NH = COMPACT ? 640 : Math.max(340, 84 * (maxN - 1) + 130);
    const RADIUS = COMPACT ? Math.max(3, Math.min(14, (NH - 110) / Math.max(1, maxN - 1) * 0.4)) : 24;
    const POS = M.sizes.map((n, c) => {
      const x = 80 + (c * (NW - 230)) / Math.max(1, M.sizes.length - 1);
      const col = [];
      for (let k = 0; k < n; k++) col.push([x, n === 1 ? NH / 2 : 60 + (k * (NH - 120)) / (n - 1)]);
      return col;
    });
    $("network").setAttribute("viewBox", `0 0 ${NW} ${NH}`);

    function neuronLabel(l, j) {
      const r = rec();
      const parts = [`neuron ${aName(l, j)}, layer ${l + 1} of ${NL}, ${M.activations[l]}`];
      if (revealed("forward", l, j)) parts.push(`z = ${fmt(r.z[l][j])}`, `a = ${fmt(r.a[l][j])}`);
      else parts.push("z and a not revealed yet");
      parts.push(revealed("delta", l, j) ? `δ = ${fmt(r.d[l][j])}` : "δ not revealed yet");
      return parts.join(", ");
    }
    function edgeText(l, j, i) {
      const fr = frame();
      const after = revealed("update", l, 0);
      let t = `${wName(l, j, i)} = ${fmt(after ? fr.Wa[l][j][i] : fr.Wb[l][j][i])}` +
        (after ? " (after the update)" : "");
      t += revealed("grad", l, j) ? `, this row's ∂L/∂W = ${fmt(dW(l, j, i))}` : ", ∂L/∂W not revealed yet";
      if (revealed("mean", l, 0)) t += `, batch ∂L/∂W = ${fmt(fr.gW[l][j][i])}`;
      return t;
    }

    function drawNetwork() {
      const svg = $("network");
      svg.replaceChildren();
      const fr = frame(), r = rec();
      const [sl, sj] = S.sel;
      let wmax = 1e-12;
      for (const L of fr.Wb) for (const row of L) for (const w of row) wmax = Math.max(wmax, Math.abs(w));
      const edges = sv("g", { "aria-hidden": "true" });
      for (let l = 0; l < NL; l++) {
        const W = revealed("update", l, 0) ? fr.Wa : fr.Wb;
        for (let j = 0; j < M.sizes[l + 1]; j++)
          for (let i = 0; i < M.sizes[l]; i++) {
            const w = W[l][j][i], [x1, y1] = POS[l][i], [x2, y2] = POS[l + 1][j];
            edges.append(sv("line", {
              x1, y1, x2, y2, "stroke-width": (0.5 + (4 * Math.min(1, Math.abs(w) / wmax))).toFixed(2),
              stroke: w >= 0 ? "#2b6cb0" : "#c53030", "stroke-opacity": COMPACT ? 0.35 : 0.7,
            }));
          }
      }
      svg.append(edges);
      // the selected neuron's incoming edges: this row's ∂L/∂W in ④, the new weight after it
      const labels = sv("g", { "aria-hidden": "true" });
      const gap = (NW - 230) / Math.max(1, M.sizes.length - 1); // between columns
      if (M.sizes[sl] <= 8 && gap >= 190) { // else they are in the formula panel only
        for (let i = 0; i < M.sizes[sl]; i++) {
          const [x1, y1] = POS[sl][i], [x2, y2] = POS[sl + 1][sj];
          // past the source's δ label, before the target's own labels
          const x = x1 + 0.7 * (x2 - x1), y = y1 + 0.7 * (y2 - y1) + 4;
          let t = null, fill = "#5a3000";
          if (revealed("update", sl, 0)) t = fmt(fr.Wa[sl][sj][i]);
          else if (revealed("grad", sl, sj)) t = "∂ " + fmt(dW(sl, sj, i));
          if (t !== null) {
            labels.append(sv("rect", { x: x - 33, y: y - 11, width: 66, height: 14, fill: "#fff", opacity: 0.85 }));
            labels.append(sv("text", { x, y, "font-size": 11, fill, "text-anchor": "middle" }, t));
          }
        }
      }
      svg.append(labels);
      const ins = sv("g", {});
      POS[0].forEach(([x, y], i) => {
        const g = sv("g", { role: "img", "aria-label": `input x[${i}] = ${fmt(R.X[S.ex][i])}` });
        if (COMPACT && M.sizes[0] > 8) {
          g.append(sv("circle", { cx: x, cy: y, r: RADIUS, fill: "#eef", stroke: "#557" }));
        } else {
          g.append(sv("rect", { x: x - 30, y: y - 18, width: 60, height: 36, fill: "#eef", stroke: "#557" }));
          g.append(sv("text", { x, y: y + 5, "font-size": 13, "text-anchor": "middle" }, fmt(R.X[S.ex][i])));
          g.append(sv("text", { x: x - 34, y: y + 5, "font-size": 12, "text-anchor": "end" }, `x[${i}]`));
        }
        ins.append(g);
      });
      svg.append(ins);
      const labelLayer = sv("g", { "aria-hidden": "true", "pointer-events": "none" });
      for (let l = 0; l < NL; l++) {
        for (let j = 0; j < M.sizes[l + 1]; j++) {
          const [x, y] = POS[l + 1][j];
          const selected = l === sl && j === sj;
          const g = sv("g", {
            class: "neuron" + (selected ? " selected" : ""), tabindex: "0", role: "button",
            "aria-label": neuronLabel(l, j), "data-neuron": `${l}:${j}`,
          });
          const fw = revealed("forward", l, j);
          const big = !COMPACT || M.sizes[l + 1] <= 8;
          g.append(sv("circle", { cx: x, cy: y, r: big ? 24 : RADIUS, fill: fw ? "#fff3d6" : "#f4f4f4",
            stroke: "#444", "stroke-width": 1.5 }));
          // the numbers beside the circle are drawn apart from the focusable circle (its name says them)
          const t = sv("g", { "aria-hidden": "true", class: "labels" });
          if (big) {
            t.append(sv("text", { x, y: y + 5, "font-size": 13, "text-anchor": "middle" }, fw ? fmt(r.a[l][j]) : "?"));
            t.append(sv("text", { x, y: y - 30, "font-size": 11, "text-anchor": "middle", fill: "#333" }, aName(l, j)));
            if (fw) t.append(sv("text", { x, y: y + 40, "font-size": 11.5, "text-anchor": "middle", fill: "#222" },
              "z " + fmt(r.z[l][j])));
            if (revealed("delta", l, j)) t.append(sv("text", { x: x + 27, y: y - 14, "font-size": 12,
              fill: "#a0001c" }, "δ " + fmt(r.d[l][j])));
          } else if (selected) {
            t.append(sv("text", { x: x + RADIUS + 4, y: y + 4, "font-size": 12, fill: "#222" },
              `${aName(l, j)}${fw ? " = " + fmt(r.a[l][j]) : ""}`));
          }
          labelLayer.append(t);
          g.addEventListener("click", () => openDrill(l, j));
          g.addEventListener("keydown", (e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              e.stopPropagation();
              openDrill(l, j);
            }
          });
          svg.append(g);
        }
      }
      svg.append(labelLayer);
      if (S.step >= stepIndex("loss", NL - 1, 0)) {
        const [x, y] = POS[NL][0];
        const g = sv("g", {});
        g.append(sv("text", { x: x + 34, y: y + 42, "font-size": 13, fill: "#222" }, `y = ${fmt(R.y[S.ex])}`));
        g.append(sv("text", { x: x + 34, y: y + 60, "font-size": 13, fill: "#222" }, `L ${fmt(r.L)}`));
        g.append(sv("text", { x: x + 34, y: y + 78, "font-size": 12, fill: "#5a3000" }, `∂L/∂ŷ ${fmt(r.seed)}`));
        svg.append(g);
      }
      drawNetworkText();
      const focused = S.focus;
      if (focused) {
        const n = svg.querySelector(`[data-neuron="${focused}"]`);
        if (n) n.focus();
        S.focus = null;
      }
    }
    function drawNetworkText() {
      // the network for a screen reader: every neuron's numbers, every edge's weight and gradient
      const ul = $("network-text");
      ul.replaceChildren();
      R.X[S.ex].forEach((v, i) => ul.append(el("li", {}, `input x[${i}] = ${fmt(v)}`)));
      for (let l = 0; l < NL; l++)
        for (let j = 0; j < M.sizes[l + 1]; j++) {
          const inner = el("ul", {});
          for (let i = 0; i < M.sizes[l]; i++) inner.append(el("li", {}, edgeText(l, j, i)));
          ul.append(el("li", {}, neuronLabel(l, j), inner));
        }
    }

    // -------------------------------------------------------------- the formula panel
    function drawFormula() {
      const box = $("formula");
      box.replaceChildren();
      const fr = frame(), r = rec();
      const st = S.step >= 0 ? STEPS[S.step] : null;
      const phase = st ? st.phase : 1;
      const [l, j] = S.sel;
      const act = M.activations[l];
      const ins = inputs(l);
      $("formula-title").textContent = `Neuron ${aName(l, j)} (layer ${l + 1}, ${act}), row ${S.ex + 1} — ` +
        `phase ${"①②③④"[phase - 1]}`;
      const hidden = (what) => line(el("em", {}, `${what}: not revealed yet (step on with →)`));
      if (phase === 1) {
        if (!revealed("forward", l, j)) return box.append(hidden("z and a"));
        const terms = [];
        ins.forEach((v, i) => {
          if (i) terms.push(" + ");
          terms.push(par(fr.Wb[l][j][i]), "·", par(v));
        });
        box.append(line(`${zName(l, j)} = Σᵢ ${wName(l, j, "i")}·${inName(l, "i")} + ${bName(l, j)}`));
        box.append(line("  = ", ...terms, " + ", par(fr.bb[l][j]), " = ", num(r.z[l][j])));
        box.append(line(`${aName(l, j)} = ${actSym[act]}(z) = ${actSym[act]}`, par(r.z[l][j]), " = ", num(r.a[l][j])));
      } else if (phase === 2) {
        if (!revealed("loss", NL - 1, 0)) return box.append(hidden("the loss"));
        box.append(line(M.loss_formula));
        box.append(line("  with ŷ = ", par(r.out), ", y = ", par(R.y[S.ex]), ":  L = ", num(r.L)));
        box.append(line(M.seed_formula));
        box.append(line("  = ", num(r.seed), "  (the grad of the output node: it seeds backward)"));
      } else if (phase === 3) {
        if (!revealed("delta", l, j)) return box.append(hidden("δ"));
        const slope = line("σ′ = ∂a/∂z = ", num(r.s[l][j]), "  (the engine's local gradient on the edge z → a)");
        if (l === NL - 1) {
          if (M.loss === "bce" && act === "sigmoid") {
            box.append(line("δᴸ = ∂L/∂z = a − y  (sigmoid + BCE: σ′ cancels the 1/(ŷ(1−ŷ)))"));
            box.append(line("  = ", par(r.a[l][j]), " − ", par(R.y[S.ex]), " = ", num(r.d[l][j])));
          } else {
            box.append(line("δᴸ = ∂L/∂ŷ · σ′(zᴸ)"));
            box.append(line("  = ", par(r.seed), " · ", par(r.s[l][j]), " = ", num(r.d[l][j])));
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
          box.append(line("  = ", par(r.up[l][j]), " · ", par(r.s[l][j]), " = ", num(r.d[l][j])));
          box.append(line(el("span", { class: "small" }, "(Wᵀδ: the forward weights read backward; ∂L/∂a = "),
            num(r.up[l][j]), el("span", { class: "small" }, ")")));
          box.append(slope);
        }
      } else {
        if (st.kind === "grad" || st.kind === "mean" || st.kind === "update") {
          if (revealed("grad", l, j)) {
            box.append(line(`This row's ∂L/∂${wName(l, j, "i")} = ${dName(l, j)} · ${inName(l, "i")}   (δ aᵀ, one row)`));
            ins.forEach((v, i) => box.append(line(`  ∂L/∂${wName(l, j, i)} = `, par(r.d[l][j]), " · ", par(v), " = ",
              num(dW(l, j, i)))));
            box.append(line(`  ∂L/∂${bName(l, j)} = ${dName(l, j)} = `, num(r.d[l][j])));
          } else box.append(hidden("this row's ∂L/∂W"));
        }
        if (revealed("mean", l, 0)) {
          box.append(line(el("strong", {}, `The batch gradient of layer ${l + 1}: each row's share, then their mean ` +
            `(over the ${ROWS} rows) — what the update uses:`)));
          const show = Math.min(ROWS, 6);
          ins.forEach((_, i) => {
            if (i >= 4) return;
            const shares = [];
            for (let q = 0; q < show; q++) {
              if (q) shares.push(" + ");
              shares.push(par(fr.ex[q].d[l][j] * rowInputs(q, l, fr)[i]));
            }
            if (ROWS > show) shares.push(` + … (${ROWS - show} more)`);
            box.append(line(`  ∂L/∂${wName(l, j, i)}: [`, ...shares, `] / ${ROWS} = `, num(fr.gW[l][j][i])));
          });
          if (ins.length > 4) box.append(line(`  … and ${ins.length - 4} more weights (table below)`));
          const bs = [];
          for (let q = 0; q < show; q++) {
            if (q) bs.push(" + ");
            bs.push(par(fr.ex[q].d[l][j]));
          }
          if (ROWS > show) bs.push(` + … (${ROWS - show} more)`);
          box.append(line(`  ∂L/∂${bName(l, j)}: [`, ...bs, `] / ${ROWS} = `, num(fr.gb[l][j])));
        }
        if (revealed("update", l, 0)) {
          box.append(line(el("strong", {}, `Update of layer ${l + 1}: W ← W − η · (batch ∂L/∂W), η = ${fmt(M.lr)}`)));
          ins.forEach((_, i) => {
            if (i >= 4) return;
            box.append(line(`  ${wName(l, j, i)}: `, par(fr.Wb[l][j][i]), " − ", par(M.lr), "·", par(fr.gW[l][j][i]),
              " = ", num(fr.Wa[l][j][i])));
          });
          box.append(line(`  ${bName(l, j)}: `, par(fr.bb[l][j]), " − ", par(M.lr), "·", par(fr.gb[l][j]), " = ",
            num(fr.ba[l][j])));
        }
      }
    }

    function drawWeights() {
      const t = $("weights");
      t.replaceChildren();
      const [l, j] = S.sel, fr = frame();
      const showG = revealed("mean", l, 0), showA = revealed("update", l, 0);
      t.append(el("tr", {}, el("th", { scope: "col" }, "parameter"), el("th", { scope: "col" }, "before"),
        el("th", { scope: "col" }, "batch ∂L/∂·"), el("th", { scope: "col" }, "after the update")));
      const row = (name, b, g, a) => t.append(el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, num(b)),
        el("td", {}, showG ? num(g) : "?"), el("td", {}, showA ? num(a) : "?")));
      for (let i = 0; i < M.sizes[l]; i++) row(wName(l, j, i), fr.Wb[l][j][i], fr.gW[l][j][i], fr.Wa[l][j][i]);
      row(bName(l, j), fr.bb[l][j], fr.gb[l][j], fr.ba[l][j]);
    }

    // -------------------------------------------------------------- training replay
    function drawLoss() {
      const svg = $("loss-curve");
      svg.replaceChildren();
      const W = 440, H = 260, x0 = 52, x1 = W - 10, y0 = 12, y1 = H - 34;
      const ls = R.losses.map((v) => Math.log10(Math.max(v, 1e-12)));
      const lo = Math.floor(Math.min(...ls)), hi = Math.max(lo + 1, Math.ceil(Math.max(...ls)));
      const X = (e) => x0 + ((x1 - x0) * e) / Math.max(1, R.losses.length - 1);
      const Y = (v) => y1 - ((y1 - y0) * (v - lo)) / (hi - lo);
      svg.append(sv("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: "#fafafa", stroke: "#999" }));
      for (let p = lo; p <= hi; p++) {
        svg.append(sv("line", { x1: x0, x2: x1, y1: Y(p), y2: Y(p), stroke: "#ddd" }));
        svg.append(sv("text", { x: x0 - 4, y: Y(p) + 4, "font-size": 11, "text-anchor": "end" }, `1e${p}`));
      }
      const step = Math.max(1, Math.floor(ls.length / 600));
      const pts = [];
      for (let e = 0; e < ls.length; e += step) pts.push(`${X(e).toFixed(1)},${Y(ls[e]).toFixed(1)}`);
      svg.append(sv("polyline", { points: pts.join(" "), fill: "none", stroke: "#2b6cb0", "stroke-width": 1.6 }));
      const e = frame().epoch;
      svg.append(sv("line", { x1: X(e), x2: X(e), y1: y0, y2: y1, stroke: "#8a5300", "stroke-width": 2 }));
      svg.append(sv("circle", { cx: X(e), cy: Y(ls[e]), r: 4, fill: "#8a5300" }));
      svg.append(sv("text", { x: (x0 + x1) / 2, y: H - 6, "font-size": 12, "text-anchor": "middle" },
        `epoch (1 … ${R.losses.length}); batch loss at this epoch ${fmt(R.losses[e])}`));
      svg.onclick = (ev) => {
        const bb = svg.getBoundingClientRect();
        const ep = ((((ev.clientX - bb.left) * W) / bb.width - x0) / (x1 - x0)) * (R.losses.length - 1);
        let best = 0;
        R.frames.forEach((f, k) => {
          if (Math.abs(f.epoch - ep) < Math.abs(R.frames[best].epoch - ep)) best = k;
        });
        setFrame(best);
      };
    }

    function shade(p) {
      const t = Math.max(-1, Math.min(1, 2 * (p - 0.5)));
      const c = t < 0 ? [66, 133, 244] : [245, 150, 40];
      const k = Math.abs(t) * 0.75;
      return [0, 1, 2].map((q) => Math.round(255 + (c[q] - 255) * k));
    }
    let surfaceMap = null; // data row → canvas pixel, for picking a row by clicking
    function drawSurface() {
      const cv = $("surface"), g = cv.getContext("2d"), W = cv.width, H = cv.height;
      g.clearRect(0, 0, W, H);
      const ax = R.axes, s = frame().surface;
      surfaceMap = null;
      if (ax.length === 0) {
        $("surface-note").textContent = "more than 2 inputs: no picture of the input space";
        return;
      }
      const span0 = ax[0][ax[0].length - 1] - ax[0][0];
      const sx = (u) => ((u - ax[0][0]) / span0) * W;
      if (ax.length === 2) {
        $("surface-title").textContent = "Decision boundary";
        const nx = ax[0].length, ny = ax[1].length;
        const small = document.createElement("canvas");
        small.width = nx;
        small.height = ny;
        const sg = small.getContext("2d"), img = sg.createImageData(nx, ny);
        for (let v = 0; v < ny; v++)
          for (let u = 0; u < nx; u++) {
            const [r0, g0, b0] = shade(s[v * nx + u]), o = 4 * ((ny - 1 - v) * nx + u);
            img.data[o] = r0; img.data[o + 1] = g0; img.data[o + 2] = b0; img.data[o + 3] = 255;
          }
        sg.putImageData(img, 0, 0);
        g.imageSmoothingEnabled = true;
        const cw = W / (nx - 1), ch = H / (ny - 1);
        g.drawImage(small, -cw / 2, -ch / 2, W + cw, H + ch);
        const span1 = ax[1][ny - 1] - ax[1][0];
        const sy = (v) => H - ((v - ax[1][0]) / span1) * H;
        surfaceMap = R.X.map((x) => [sx(x[0]), sy(x[1])]);
        R.X.forEach((x, i) => {
          const [px, py] = surfaceMap[i];
          g.lineWidth = 2;
          g.strokeStyle = "#000";
          if (R.y[i] >= 0.5) {
            g.fillStyle = "#000";
            g.fillRect(px - 6, py - 6, 12, 12);
          } else {
            g.fillStyle = "#fff";
            g.beginPath();
            g.arc(px, py, 6, 0, 2 * Math.PI);
            g.fill();
            g.stroke();
          }
        });
        const [px, py] = surfaceMap[S.ex];
        g.strokeStyle = "#8a5300";
        g.lineWidth = 3;
        g.strokeRect(px - 11, py - 11, 22, 22);
        $("surface-note").textContent = "Orange: output ≥ 0.5 (class 1), blue: below; black squares: " +
          "class 1, white circles: class 0; framed: the chosen row (click a point to choose it).";
      } else {
        $("surface-title").textContent = "Fit (network output over the input)";
        const ys = [...s, ...R.y], lo = Math.min(...ys), hi = Math.max(...ys);
        const sy = (v) => H - 10 - ((v - lo) / Math.max(1e-9, hi - lo)) * (H - 20);
        g.strokeStyle = "#2b6cb0";
        g.lineWidth = 2;
        g.beginPath();
        ax[0].forEach((u, k) => (k ? g.lineTo(sx(u), sy(s[k])) : g.moveTo(sx(u), sy(s[k]))));
        g.stroke();
        surfaceMap = R.X.map((x, i) => [sx(x[0]), sy(R.y[i])]);
        R.X.forEach((x, i) => {
          g.fillStyle = i === S.ex ? "#8a5300" : "#000";
          g.beginPath();
          g.arc(surfaceMap[i][0], surfaceMap[i][1], i === S.ex ? 6 : 4, 0, 2 * Math.PI);
          g.fill();
        });
        $("surface-note").textContent = "Line: the model's output at this epoch; dots: the data " +
          "(click one to choose it).";
      }
    }
    function pickRow(ev) {
      if (!surfaceMap) return;
      const cv = $("surface"), bb = cv.getBoundingClientRect();
      const px = ((ev.clientX - bb.left) * cv.width) / bb.width, py = ((ev.clientY - bb.top) * cv.height) / bb.height;
      let best = -1, bd = 18 * 18;
      surfaceMap.forEach(([x, y], i) => {
        const d = (x - px) ** 2 + (y - py) ** 2;
        if (d < bd) {
          bd = d;
          best = i;
        }
      });
      if (best >= 0) setRow(best);
    }

    function drawHealth() {
      const t = $("health");
      t.replaceChildren();
      t.append(el("tr", {}, el("th", { scope: "col" }, "layer"), el("th", { scope: "col" }, "mean |δ|"),
        el("th", { scope: "col" }, "dead ReLUs"), el("th", { scope: "col" }, "saturated σ")));
      frame().health.forEach((h, l) => {
        const act = M.activations[l];
        t.append(el("tr", {}, el("th", { scope: "row" }, `${l + 1} (${act})`), el("td", {}, num(h.d)),
          el("td", {}, act === "relu" ? `${Math.round(100 * h.dead)} %` : "—"),
          el("td", {}, act === "sigmoid" ? `${Math.round(100 * h.sat)} %` : "—")));
      });
      $("health-note").textContent = `Over the ${ROWS} rows at this epoch. Dead: a ReLU with z ≤ 0 on every ` +
        `row (its gradient is 0). Saturated: a sigmoid with a < ${M.saturated} or a > ${1 - M.saturated}.`;
    }
    const LAYER_COLOURS = ["#2b6cb0", "#8a5300", "#2f855a", "#805ad5", "#c53030", "#555"];
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
      svg.append(sv("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: "#fafafa", stroke: "#999" }));
      for (let p = lo; p <= hi; p++)
        svg.append(sv("text", { x: x0 - 4, y: Y(p) + 4, "font-size": 11, "text-anchor": "end" }, `1e${p}`));
      for (let l = 0; l < NL; l++) {
        const colour = LAYER_COLOURS[l % LAYER_COLOURS.length];
        const pts = R.frames.map((f, k) => `${X(f.epoch).toFixed(1)},${Y(logs[k][l]).toFixed(1)}`);
        svg.append(sv("polyline", { points: pts.join(" "), fill: "none", stroke: colour, "stroke-width": 1.6 }));
        svg.append(sv("text", { x: x1 + 6, y: y0 + 12 + 16 * l, "font-size": 12, fill: colour }, `layer ${l + 1}`));
      }
      const e = frame().epoch;
      svg.append(sv("line", { x1: X(e), x2: X(e), y1: y0, y2: y1, stroke: "#8a5300", "stroke-width": 2 }));
      svg.append(sv("text", { x: (x0 + x1) / 2, y: H - 8, "font-size": 11, "text-anchor": "middle" },
        `recorded epochs 1 … ${last + 1}`));
    }

    // -------------------------------------------------------------- predict, then reveal
    function sigmaPrimeOf(act, v) {
      if (act === "sigmoid") {
        const s = 1 / (1 + Math.exp(-v));
        return s * (1 - s);
      }
      if (act === "tanh") return 1 - Math.tanh(v) ** 2;
      if (act === "relu") return v > 0 ? 1 : 0;
      return 1;
    }
    // each question: its text, the engine's value, and the values catalogued mistakes would give
    function question(step) {
      const r = rec(), fr = frame(), { l, j, kind } = step, sign = S.predict === "sign";
      const act = M.activations[l];
      const base = { phase: step.phase, layer: l + 1 };
      if (kind === "forward")
        return sign ? { ...base, text: `Sign of ${zName(l, j)} = W·a + b?`, quantity: zName(l, j), value: r.z[l][j], mistakes: {} }
          : { ...base, text: `Value of ${aName(l, j)} = ${actSym[act]}(${zName(l, j)})?`, quantity: aName(l, j),
            value: r.a[l][j], mistakes: {} };
      if (kind === "loss")
        return sign ? { ...base, text: "Sign of the seed ∂L/∂ŷ?", quantity: "∂L/∂ŷ", value: r.seed, mistakes: {} }
          : { ...base, text: "Value of the loss L for this row?", quantity: "L", value: r.L, mistakes: {} };
      if (kind === "delta") {
        const d = r.d[l][j], mistakes = { sign: -d };
        if (l === NL - 1 && M.loss === "bce" && act === "sigmoid") mistakes["wrong-output-delta"] = d * r.s[l][j];
        else {
          const up = l === NL - 1 ? r.seed : r.up[l][j];
          mistakes["sigma-prime-of-a"] = up * sigmaPrimeOf(act, r.a[l][j]);
          mistakes["missing-upstream"] = r.s[l][j];
        }
        return { ...base, text: `${sign ? "Sign" : "Value"} of ${dName(l, j)} = ∂L/∂${zName(l, j)}?`,
          quantity: dName(l, j), value: d, mistakes };
      }
      if (kind === "grad") {
        const g = dW(l, j, 0);
        return { ...base, text: `${sign ? "Sign" : "Value"} of this row's ∂L/∂${wName(l, j, 0)}?`,
          quantity: `∂L/∂${wName(l, j, 0)}`, value: g, mistakes: { sign: -g, "missing-upstream": inputs(l)[0] } };
      }
      if (kind === "mean") {
        const g = fr.gW[l][0][0];
        return { ...base, text: `${sign ? "Sign" : "Value"} of the batch ∂L/∂${wName(l, 0, 0)} (the mean over the ` +
          `${ROWS} rows)?`, quantity: `mean ∂L/∂${wName(l, 0, 0)}`, value: g,
          mistakes: { sign: -g, "missing-1-over-m": ROWS * g } };
      }
      const wb = fr.Wb[l][0][0], g = fr.gW[l][0][0];
      return sign ? { ...base, text: `After the update, does ${wName(l, 0, 0)} go up (+) or down (−)?`,
        quantity: `Δ${wName(l, 0, 0)}`, value: fr.Wa[l][0][0] - wb, mistakes: { sign: wb - fr.Wa[l][0][0] } }
        : { ...base, text: `Value of ${wName(l, 0, 0)} after the update?`, quantity: wName(l, 0, 0),
          value: fr.Wa[l][0][0], mistakes: { sign: wb + M.lr * g, "missing-1-over-m": wb - M.lr * ROWS * g } };
    }
    const close = (v, value) => Math.abs(v - value) <= M.tolerance.abs + M.tolerance.rel * Math.abs(value);
    function diagnose(q, given, mode) {
      if (mode === "sign") {
        const s = parseSign(given);
        return q.quantity.includes("∂") || q.quantity.startsWith("δ") || q.quantity.startsWith("Δ")
          ? (s !== null && s === -Math.sign(q.value) && s !== 0 ? "sign" : null) : null;
      }
      const v = parseNumber(given);
      if (v === null) return null;
      for (const [code, wrong] of Object.entries(q.mistakes))
        if (Number.isFinite(wrong) && !close(wrong, q.value) && close(v, wrong)) return code;
      return null;
    }
    function check(text, value, mode) {
      if (mode === "sign") {
        const s = parseSign(text);
        return s === null ? null : s === Math.sign(value);
      }
      const v = parseNumber(text);
      return v === null ? null : close(v, value);
    }
    function ask(q, onReveal) {
      S.pending = { q, onReveal, mode: S.predict, tries: 0, epoch: frame().epoch + 1, row: S.ex + 1 };
      $("question").hidden = false;
      $("question-text").textContent = q.text;
      $("question-tolerance").textContent = S.predict === "sign" ? "Answer +, − or 0."
        : `Right when |answer − value| ≤ ${M.tolerance.abs} + ${100 * M.tolerance.rel} % of |value|. ` +
          "A decimal point or comma both work.";
      $("answer").value = "";
      $("verdict").textContent = "";
      $("answer").focus();
    }
    function record(p, given, right, diagnosis) {
      S.answers.push({
        epoch: p.epoch, row: p.row, phase: p.q.phase, layer: p.q.layer, quantity: p.q.quantity,
        mode: p.mode, expected: p.mode === "sign" ? Math.sign(p.q.value) : p.q.value, given,
        first_try: p.tries === 0, right, diagnosis,
      });
      p.tries += 1;
    }
    function submit(skip) {
      const p = S.pending;
      if (!p) return;
      const text = $("answer").value;
      const v = $("verdict");
      if (!skip) {
        const right = check(text, p.q.value, p.mode);
        if (right === null) {
          v.className = "wrong";
          v.textContent = p.mode === "sign" ? "Please answer +, − or 0." : "Please type a number (or reveal).";
          return;
        }
        const diagnosis = right ? null : diagnose(p.q, text, p.mode);
        record(p, text.trim(), right, diagnosis);
        drawScore();
        if (!right) {
          v.className = "wrong";
          v.textContent = "Not quite" + (diagnosis ? ` — that is the value of a known mistake (${diagnosis})` : "") +
            ". Try again, or reveal.";
          $("answer").select();
          return;
        }
        v.className = "right";
        v.textContent = `Right: the engine's value is ${fmt(p.q.value)}.`;
      } else {
        record(p, null, null, null);
        v.className = "";
        v.textContent = `Revealed: ${fmt(p.q.value)}.`;
      }
      S.pending = null;
      $("answer").blur();
      $("question").hidden = true;
      p.onReveal();
      drawScore();
    }
    function cancelQuestion() {
      S.pending = null;
      $("question").hidden = true;
      $("verdict").textContent = "";
    }
    function drawScore() {
      const first = S.answers.filter((a) => a.first_try && a.right !== null);
      $("score").textContent = `first-try score ${first.filter((a) => a.right).length} / ${first.length}`;
    }
    function download() {
      const learner = $("learner").value.trim();
      const doc = {
        format: "tinygrad_edu.explorer.answers/1", learner,
        run: { title: M.title, seed: M.seed, epochs: M.epochs, sizes: M.sizes, loss: M.loss },
        mode: S.predict, tolerance: M.tolerance, answers: S.answers,
      };
      const blob = new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" });
      const safe = learner.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 40);
      const a = el("a", { href: URL.createObjectURL(blob), download: `explorer-answers${safe ? "-" + safe : ""}.json` });
      root.append(a);
      a.click();
      a.remove();
    }

    // -------------------------------------------------------------- stepping
    function selectFor(st) {
      if (st.kind === "mean" || st.kind === "update") {
        if (S.sel[0] !== st.l) S.sel = [st.l, 0];
      } else S.sel = [st.l, st.j];
    }
    function setStep(k) {
      S.step = Math.max(-1, Math.min(STEPS.length - 1, k));
      if (S.step >= 0) selectFor(STEPS[S.step]);
      drawAll();
    }
    function next() {
      if (S.pending || S.step >= STEPS.length - 1) return;
      const k = S.step + 1, key = `${S.f}:${S.ex}:${k}:${S.predict}`;
      if (S.predict !== "off" && !S.asked.has(key)) {
        S.asked.add(key);
        const st = STEPS[k];
        selectFor(st);
        drawAll();
        ask(question(st), () => setStep(k));
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
      setStep(STEPS.findIndex((s) => s.phase === p) - 1);
      next();
    }
    function setFrame(k) {
      if (S.pending) return ($("epoch").value = String(S.f)); // answer or reveal first
      S.f = Math.max(0, Math.min(R.frames.length - 1, k));
      if (S.predict !== "off") S.step = -1;
      drawAll();
    }
    function setRow(i) {
      if (S.pending) return ($("example").value = String(S.ex)); // answer or reveal first
      S.ex = i;
      $("example").value = String(i);
      if (S.predict !== "off") S.step = -1;
      drawAll();
    }
    function play(on) {
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (on) {
        if (S.f >= R.frames.length - 1) setFrame(0);
        timer = setInterval(() => {
          if (S.pending) return;
          if (S.f >= R.frames.length - 1) return play(false);
          setFrame(S.f + 1);
        }, Number($("speed").value));
      }
      $("play").textContent = on ? "pause" : "play";
      $("play").setAttribute("aria-pressed", on ? "true" : "false");
    }

    // -------------------------------------------------------------- drill-down (drawn here)
    function openDrill(l, j) {
      S.sel = [l, j];
      S.drill = [l, j];
      S.drillK = 0;
      S.focus = `${l}:${j}`;
      drawAll();
      $("drill").scrollIntoView({ block: "start" });
    }
    function drillData() {
      const [l, j] = S.drill, fr = frame(), r = rec();
      const ins = inputs(l), ws = fr.Wb[l][j];
      const up = l === NL - 1 ? r.seed : r.up[l][j];
      return { l, j, ins, ws, b: fr.bb[l][j], z: r.z[l][j], a: r.a[l][j], s: r.s[l][j], up, d: r.d[l][j] };
    }
    const DRILL_STEPS = 2; // at a: z gets σ′·∂L/∂a; at z: each leaf gets its local · δ
    function drawDrill() {
      const box = $("drill");
      if (S.drill === null) return (box.hidden = true);
      box.hidden = false;
      const D = drillData(), { l, j } = D;
      const fw = revealed("forward", l, j);
      $("drill-title").textContent = `Scalar graph of neuron ${aName(l, j)} (layer ${l + 1}, neuron ${j}, ` +
        `${M.activations[l]}) at epoch ${frame().epoch + 1}, row ${S.ex + 1}`;
      $("drill-label").textContent = `backward step ${S.drillK} / ${DRILL_STEPS}`;
      const cap = [`Forward: ${zName(l, j)} = Σ ${wName(l, j, "i")}·${inName(l, "i")} + ${bName(l, j)} = ` +
        (fw ? fmt(D.z) : "? (step phase ① first)") + `; ${aName(l, j)} = ${actSym[M.activations[l]]}(z) = ` +
        (fw ? fmt(D.a) : "?")];
      if (S.drillK === 0) cap.push(`Seed: ∂L/∂${aName(l, j)} comes from above (press . for the first backward step).`);
      if (S.drillK >= 1) cap.push(`Step 1, at ${aName(l, j)}: ${zName(l, j)}.grad += σ′(z) × ∂L/∂a = ` +
        `(${fmt(D.s)}) × (${fmt(D.up)}) = ${fmt(D.d)}`);
      if (S.drillK >= 2) cap.push(`Step 2, at ${zName(l, j)}: each ${wName(l, j, "i")}.grad += ${inName(l, "i")} × δ, ` +
        `each ${inName(l, "i")}.grad += ${wName(l, j, "i")} × δ, ${bName(l, j)}.grad += 1 × δ = ${fmt(D.d)}`);
      $("drill-caption").textContent = cap.join("\n");
      const g = $("drill-graph");
      g.replaceChildren();
      g.append(drillSvg(D, fw));
    }
    function drillSvg(D, fw) {
      const { l, j, ins, ws } = D, n = ins.length, k = S.drillK;
      const leaves = [];
      for (let i = 0; i < n; i++) {
        leaves.push({ name: wName(l, j, i), v: ws[i], g: D.d * ins[i] });
        leaves.push({ name: inName(l, i), v: ins[i], g: D.d * ws[i] });
      }
      leaves.push({ name: bName(l, j), v: D.b, g: D.d });
      const rowH = 34, H = Math.max(140, leaves.length * rowH + 20), W = 800;
      const svg = sv("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
        "aria-label": `graph of ${aName(l, j)}: ${leaves.length} leaves into ${zName(l, j)} then ${aName(l, j)}` });
      const box = (x, y, w, title, value, grad, fill) => {
        svg.append(sv("rect", { x, y: y - 14, width: w, height: 30, fill, stroke: "#444", rx: 3 }));
        svg.append(sv("text", { x: x + 5, y: y + 5, "font-size": 12 },
          `${title} = ${value}${grad === null ? "" : "  ∂L/∂· " + grad}`));
      };
      const zx = 360, zy = H / 2, ax = 590;
      leaves.forEach((lf, q) => {
        const y = 24 + q * rowH;
        svg.append(sv("line", { x1: 264, y1: y, x2: zx, y2: zy, stroke: "#888" }));
        box(4, y, 260, lf.name, fmt(lf.v), k >= 2 ? fmt(lf.g) : null, q % 2 ? "#eef" : "#f4f1ff");
      });
      box(zx, zy, 200, zName(l, j), fw ? fmt(D.z) : "?", k >= 1 ? fmt(D.d) : null, "#fff3d6");
      svg.append(sv("text", { x: zx + 4, y: zy - 20, "font-size": 11, fill: "#333" }, "Σ wᵢ·inᵢ + b"));
      box(ax, zy + 40, 200, aName(l, j), fw ? fmt(D.a) : "?", fmt(D.up), "#ffe3c2");
      svg.append(sv("line", { x1: zx + 200, y1: zy, x2: ax, y2: zy + 40, stroke: "#888" }));
      svg.append(sv("text", { x: ax, y: zy + 18, "font-size": 11, fill: "#333" }, `${actSym[M.activations[l]]}(z)`));
      return svg;
    }
    function drillStep(delta) {
      if (S.pending || S.drill === null) return;
      const k = S.drillK + delta;
      if (k < 0 || k > DRILL_STEPS) return;
      const key = `drill:${S.f}:${S.ex}:${S.drill}:${k}:${S.predict}`;
      if (delta > 0 && S.predict !== "off" && !S.asked.has(key)) {
        S.asked.add(key);
        const D = drillData(), { l, j } = D, sign = S.predict === "sign";
        const q = k === 1
          ? { phase: 3, layer: l + 1, text: `${sign ? "Sign" : "Value"} of ∂L/∂${zName(l, j)} (what reaches z)?`,
            quantity: dName(l, j), value: D.d,
            mistakes: { sign: -D.d, "missing-upstream": D.s, "sigma-prime-of-a": D.up * sigmaPrimeOf(M.activations[l], D.a) } }
          : { phase: 4, layer: l + 1, text: `${sign ? "Sign" : "Value"} of ∂L/∂${wName(l, j, 0)} (what reaches the first weight)?`,
            quantity: `∂L/∂${wName(l, j, 0)}`, value: D.d * D.ins[0], mistakes: { sign: -D.d * D.ins[0], "missing-upstream": D.ins[0] } };
        ask(q, () => {
          S.drillK = k;
          drawAll();
        });
        return;
      }
      S.drillK = k;
      drawAll();
    }

    // -------------------------------------------------------------- wiring
    function drawAll() {
      const fr = frame();
      $("epoch").value = S.f;
      $("epoch-label").textContent = `epoch ${fr.epoch + 1} of ${M.epochs} (recorded every ${M.every})`;
      const st = S.step >= 0 ? STEPS[S.step] : null;
      const what = st ? (st.kind === "mean" || st.kind === "update" ? `layer ${st.l + 1}` : aName(st.l, st.j)) : "";
      $("step-label").textContent = st
        ? `step ${S.step + 1} / ${STEPS.length}: ${"①②③④"[st.phase - 1]} ${st.kind} ${what}`
        : `step 0 / ${STEPS.length}: nothing revealed`;
      root.querySelectorAll("button.phase").forEach((b) => {
        const on = st !== null && Number(b.dataset.phase) === st.phase;
        b.classList.toggle("active", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
      $("example").value = String(S.ex);
      drawNetwork();
      drawFormula();
      drawWeights();
      drawLoss();
      drawSurface();
      drawHealth();
      drawHealthCurve();
      drawDrill();
    }

    $("meta").textContent = `${M.title} · seed ${M.seed === null ? "none" : M.seed} · learning rate ${M.lr} · ` +
      `${M.epochs} epochs, full batch of ${ROWS} rows · loss ${M.loss}`;
    $("notes").textContent = (R.notes || []).join(" ");
    const exSel = $("example");
    R.X.forEach((x, i) => exSel.append(el("option", { value: String(i) },
      `${i + 1}: x = (${x.map(fmt).join(", ")}), y = ${fmt(R.y[i])}`)));
    $("epoch").max = String(R.frames.length - 1);
    $("epoch").addEventListener("input", () => setFrame(Number($("epoch").value)));
    $("epoch-prev").onclick = () => setFrame(S.f - 1);
    $("epoch-next").onclick = () => setFrame(S.f + 1);
    $("play").onclick = () => play(timer === null);
    $("speed").addEventListener("change", () => {
      if (timer !== null) play(true);
    });
    exSel.addEventListener("change", () => setRow(Number(exSel.value)));
    $("surface").addEventListener("click", pickRow);
    root.querySelectorAll("button.phase").forEach((b) => (b.onclick = () => gotoPhase(Number(b.dataset.phase))));
    $("step-next").onclick = next;
    $("step-prev").onclick = prev;
    $("predict").addEventListener("change", () => {
      const reask = S.pending !== null;
      cancelQuestion();
      S.predict = $("predict").value;
      if (reask && S.predict !== "off") next(); // the open question, asked again in the new mode
      else drawAll();
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
    $("drill-close").onclick = () => {
      const at = S.drill;
      S.drill = null;
      if (at) S.focus = `${at[0]}:${at[1]}`;
      drawAll();
    };
    function onKey(e) {
      if (!root.isConnected) return;
      const t = e.target;
      if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && t.type !== "range")) return;
      if (t instanceof HTMLButtonElement && (e.key === "Enter" || e.key === " ")) return;
      const onSlider = t instanceof HTMLInputElement && t.type === "range";
      const actions = {
        ArrowRight: onSlider ? () => setFrame(S.f + 1) : next,
        ArrowLeft: onSlider ? () => setFrame(S.f - 1) : prev,
        "]": () => setFrame(S.f + 1),
        "[": () => setFrame(S.f - 1),
        ".": () => drillStep(1),
        ",": () => drillStep(-1),
        p: () => play(timer === null),
      };
      const act = actions[e.key];
      if (!act || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      const focusedNeuron = t instanceof Element && t.closest && t.closest(".neuron");
      if (focusedNeuron) S.focus = focusedNeuron.getAttribute("data-neuron");
      act();
    }
    document.addEventListener("keydown", onKey);
    drawScore();
    drawAll();
    const handle = {
      stop() {
        play(false);
        document.removeEventListener("keydown", onKey);
        root.replaceChildren();
        if (current === handle) current = null;
      },
    };
    current = handle;
    return handle;
  }

  window.TinygradExplorer = { mount };
  const source = document.getElementById("run-data");
  const target = document.getElementById("explorer-root");
  if (source && target) mount(target, JSON.parse(source.textContent));
})();
