// The what-if dashboard: sliders built from the chosen scenario's own controls
// (GET /api/scenarios/NAME), P(target) and the fan from POST /api/whatif, and the run store's
// runs. Names (scenarios, options, models, inputs, runs) are data: shown with textContent and
// looked up in maps, never written as markup or evaluated.
"use strict";

const fmts = {m: v => `${v} months`, x: v => (+v).toFixed(2), p3: v => (+v).toFixed(3),
              q2: v => (+v).toFixed(2), n: v => (+v).toLocaleString("en")};
const state = {scenario: null, fallback: null, inputs: new Map(), touched: new Set()};
let pending = null, resting = null, inflight = false, again = null;
// While a slider moves, each answer comes from QUICK_PATHS (about a tenth of the time; its
// P(target) within about half a percentage point); once it rests REST_MS, from FULL_PATHS.
const QUICK_PATHS = 10000, FULL_PATHS = 100000, REST_MS = 400;
const $ = id => document.getElementById(id);

async function getJSON(url, options) {
  const r = await fetch(url, options);
  const d = await r.json();
  if (!r.ok) throw new Error(d.message || `${r.status} ${r.statusText}`);
  return d;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// a control's input and its shown value; the fixed ones keep their ids (cap, p, target, ...)
function buildControl(c, container) {
  const label = el("label", undefined, c.kind === "check" ? "check" : undefined);
  const input = document.createElement("input");
  const shown = el("b");
  if (c.kind === "check") {
    input.type = "checkbox";
    input.checked = c.value;
    label.append(input, document.createTextNode(c.label));
  } else {
    Object.assign(input, {type: "range", min: c.min, max: c.max, step: c.step});
    input.value = c.value;
    label.append(document.createTextNode(c.label + " "), shown, input);
  }
  input.dataset.key = c.key;
  if (/^[a-z]+$/.test(c.key)) { input.id = c.key; shown.id = "v-" + c.key; }
  input.addEventListener("input", () => {
    state.touched.add(c.key); showValues();
    clearTimeout(pending); clearTimeout(resting);
    pending = setTimeout(() => update(QUICK_PATHS), 60);
    resting = setTimeout(() => update(FULL_PATHS), REST_MS);
  });
  container.append(label);
  state.inputs.set(c.key, {c, input, shown});
}

function build(controls) {
  const panel = $("controls");
  panel.replaceChildren();
  state.inputs.clear();
  let group = null, container = panel;
  for (const c of controls) {
    if (c.group !== group) {
      group = c.group;
      if (group.startsWith("Uncertain")) {
        container = el("details");
        container.append(el("summary", group));
        panel.append(container);
      } else {
        container = panel;
        panel.append(el("h3", group));
      }
    }
    buildControl(c, container);
  }
}

function showValues() {
  for (const {c, input, shown} of state.inputs.values())
    if (c.kind !== "check") shown.textContent = fmts[c.format](input.value);
}

function body(paths) {
  const out = {scenario_name: state.scenario, paths};
  for (const [key, {c, input}] of state.inputs) {
    const moved = state.touched.has(key);
    if ((c.when_moved || c.name !== undefined) && !moved) continue;
    const value = c.kind === "check" ? input.checked : +input.value;
    if (c.name !== undefined) (out[c.field] ??= {})[c.name] = value;
    else out[c.field] = value;
  }
  return out;
}

// the scenario, the view and the moved sliders live in the page's address: a link shares them
function toAddress() {
  const q = new URLSearchParams();
  if (state.scenario !== state.fallback) q.set("scenario", state.scenario);
  if (!$("runs-view").hidden) q.set("view", "runs");
  for (const key of state.touched) {
    const {c, input} = state.inputs.get(key);
    q.set(key, c.kind === "check" ? (input.checked ? "1" : "0") : input.value);
  }
  history.replaceState(null, "", q.toString() ? "?" + q : location.pathname);
}

function fromAddress(q) {
  for (const [key, value] of q) {
    const found = state.inputs.get(key);  // unknown names are dropped, never interpreted
    if (!found) continue;
    if (found.c.kind === "check") found.input.checked = value !== "0"; else found.input.value = value;
    state.touched.add(key);
  }
}

async function update(paths = FULL_PATHS) {
  if (inflight) { again = Math.max(again ?? 0, paths); return; }
  toAddress();
  inflight = true;
  const started = performance.now();
  try {
    const d = await getJSON("/api/whatif", {method: "POST", headers: {"Content-Type": "application/json"},
                                            body: JSON.stringify(body(paths))});
    draw(d);
    $("timing").className = "sub";
    $("timing").textContent = `${d.paths.toLocaleString("en")} paths in ` +
      `${Math.round(performance.now() - started)} ms` + (paths < FULL_PATHS ? " (moving)" : "");
  } catch (e) {
    $("timing").className = "sub error";
    $("timing").textContent = "error: " + e.message;
  } finally {
    inflight = false;
    if (again !== null) { const next = again; again = null; update(next); }
  }
}

function draw(d) {
  const pct = x => x > 0 && x < 0.001 ? (100 * x).toFixed(3) + "%" : (100 * x).toFixed(1) + "%";
  $("ptarget").textContent = pct(d.p_target);
  $("ci").textContent = `95% CI ${pct(d.p_target_ci95[0])} to ${pct(d.p_target_ci95[1])}`;
  $("median").textContent = `median in ${d.window_months} months of sales: ${Math.round(d.median_window_deliveries).toLocaleString("en")}`;
  const later = d.later_models.map(m => `${m.name} from ${m.launch}`);
  $("what").textContent = `${d.scenario} · built with ${d.options.join(" + ")} · orders open ${d.launch}` + (later.length ? ` · then ${later.join(", ")}` : "");
  const traces = [
    {x: d.months, y: d.p90, line: {width: 0}, showlegend: false, hoverinfo: "skip"},
    {x: d.months, y: d.p10, fill: "tonexty", fillcolor: "rgba(20,33,61,.22)", line: {width: 0}, name: "P10–P90"},
    {x: d.months, y: d.p50, line: {color: "#14213d", width: 3}, name: "median"},
  ];
  const layout = {template: "plotly_white", margin: {l: 70, r: 20, t: 20, b: 40}, yaxis: {title: "vehicles delivered (cumulative)"},
                  legend: {orientation: "h", y: -0.12},
                  shapes: [{type: "line", xref: "paper", x0: 0, x1: 1, y0: d.target, y1: d.target, line: {color: "#e76f51", dash: "dash"}}],
                  annotations: [{xref: "paper", x: 0.01, y: d.target, text: `target ${d.target.toLocaleString("en")}`, showarrow: false, yshift: 10, font: {color: "#e76f51"}}]};
  Plotly.react("fan", traces, layout, {displaylogo: false, responsive: true});
}

async function choose(name, q) {
  state.scenario = name;
  state.touched.clear();
  $("scenario").value = name;
  try {
    build((await getJSON("/api/scenarios/" + encodeURIComponent(name))).controls);
  } catch (e) {  // a served file that has become invalid: its problems, not an old version
    $("controls").replaceChildren(el("p", e.message, "error"));
    $("what").textContent = `${name}: the file is not a valid scenario now`;
    $("ptarget").textContent = "–";
    toAddress();
    return;
  }
  if (q) fromAddress(q);
  showValues();
  update();
}

function showView(runs) {
  $("whatif-view").hidden = runs;
  $("runs-view").hidden = !runs;
  $("tab-whatif").setAttribute("aria-pressed", String(!runs));
  $("tab-runs").setAttribute("aria-pressed", String(runs));
  toAddress();
  if (runs) loadRuns();
}

async function loadRuns() {
  const tbody = $("runs");
  let d;
  try { d = await getJSON("/api/runs?limit=200"); } catch (e) {
    tbody.replaceChildren(); $("runs-note").textContent = "error: " + e.message; return;
  }
  tbody.replaceChildren();
  if (!d.runs.length) $("runs-note").textContent = "No stored runs yet: `evlaunch report FILE` stores one.";
  for (const r of d.runs) {
    const tr = el("tr");
    const tick = document.createElement("input");
    tick.type = "checkbox";
    tick.disabled = !r.report;
    tick.dataset.run = r.id;
    tick.addEventListener("change", () => {
      $("compare").disabled = document.querySelectorAll("#runs input:checked").length < 2;
    });
    const cell = el("td"); cell.append(tick); tr.append(cell);
    const pt = r.p_target === null ? "" : (100 * r.p_target).toFixed(1) + "%";
    for (const [text, cls] of [[r.created.slice(0, 16).replace("T", " ")], [r.scenario || ""], [r.kind], [pt, "num"], [r.id]])
      tr.append(el("td", text, cls));
    const open = el("td");
    if (r.report) {
      const button = el("button", "open");
      button.dataset.run = r.id;
      button.addEventListener("click", () => openFrame("/runs/" + encodeURIComponent(r.id) + "/report"));
      open.append(button);
    }
    tr.append(open);
    tbody.append(tr);
  }
}

function openFrame(url) {
  $("run-frame").hidden = false;
  $("run-frame").src = url;
}

$("compare").addEventListener("click", () => {
  const q = new URLSearchParams();
  for (const tick of document.querySelectorAll("#runs input:checked")) q.append("run", tick.dataset.run);
  openFrame("/runs/compare?" + q);
});
$("tab-whatif").addEventListener("click", () => showView(false));
$("tab-runs").addEventListener("click", () => showView(true));
$("scenario").addEventListener("change", () => choose($("scenario").value));

async function start() {
  const q = new URLSearchParams(location.search);
  q.delete("token");  // the server has set its cookie; the token stays out of shared links
  let list;
  try { list = await getJSON("/api/scenarios"); } catch (e) { $("what").textContent = "error: " + e.message; return; }
  state.fallback = list.default;
  for (const s of list.scenarios) {
    const option = el("option", s.valid ? `${s.name} · ${s.scenario}` : `${s.name} (invalid now)`);
    option.value = s.name;
    $("scenario").append(option);
  }
  const wanted = q.get("scenario");
  const name = list.scenarios.some(s => s.name === wanted) ? wanted : list.default;
  if (q.get("view") === "runs") { $("whatif-view").hidden = true; $("runs-view").hidden = false; }
  await choose(name, q);
  if (q.get("view") === "runs") showView(true);
}
start();
