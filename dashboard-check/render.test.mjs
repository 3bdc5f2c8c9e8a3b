// The render test: every shipped view drawn by Splunk's own dashboard
// framework in headless Chromium, each search answered from the command's
// rows for the bundled sample (render/rows.json, which a Go test keeps
// equal to what the command gives). It fails on a page or console error
// from the view, on a panel that shows no data or an error icon, and when
// a click on a top source does not fill the drilldown; and it shows that
// the old shape of chains (extend beside type) would have failed. It
// writes screenshots to render/out/; docs/images holds the committed ones.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import puppeteer from "puppeteer-core";
import { QUERIES } from "./render/fixtures.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "render", "out");
const views = path.join(here, "..", "default", "data", "ui", "views");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const rows = JSON.parse(fs.readFileSync(path.join(here, "render", "rows.json"), "utf8"));
const sources = JSON.parse(fs.readFileSync(path.join(here, "render", "sources.json"), "utf8"));

// Messages of Splunk's framework itself, not of the view.
const noise = [/strict mode/i, /Theme property/i, /layoutApi/i, /unknown format .* ignored/i, /Warning: .*React/];

let browser, server, port, bundle;
const pages = new Map(); // path -> html

before(async () => {
  if (!fs.existsSync(chromium)) {
    assert.fail(`no Chromium at ${chromium}: apt-get install chromium fonts-liberation, or set CHROMIUM`);
  }
  fs.mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: { bundle: path.join(here, "render", "harness.jsx") }, bundle: true, write: false, format: "iife", outdir: out,
    define: { "process.env.NODE_ENV": '"production"', global: "window" }, jsx: "automatic", logLevel: "error",
  });
  bundle = Object.fromEntries(result.outputFiles.map((f) => [path.basename(f.path), f.text]));
  server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const json = (o) => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify(o)); };
    if (pages.has(url.pathname)) { res.writeHead(200, { "content-type": "text/html" }); return res.end(pages.get(url.pathname)); }
    if (url.pathname === "/bundle.js") { res.writeHead(200, { "content-type": "text/javascript" }); return res.end(bundle["bundle.js"]); }
    if (url.pathname === "/bundle.css") { res.writeHead(200, { "content-type": "text/css" }); return res.end(bundle["bundle.css"] ?? ""); }
    if (url.pathname === "/favicon.ico") { res.writeHead(204); return res.end(); }
    // The three REST paths the time-range input asks splunkweb for.
    if (url.pathname.endsWith("/data/ui/times")) return json({ entry: [] });
    if (url.pathname.endsWith("/search/timeparser")) {
      return json(Object.fromEntries(url.searchParams.getAll("time").map((t) => [t, new Date().toISOString()])));
    }
    if (url.pathname.endsWith("/authentication/current-context")) return json({ entry: [{ content: { username: "admin", tz: "" } }] });
    res.writeHead(404); res.end(`{"unanswered":${JSON.stringify(req.url)}}`);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  port = server.address().port;
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--window-size=1400,2800"] });
});

after(async () => {
  await browser?.close();
  server?.close();
});

function definitionOf(file) {
  const xml = fs.readFileSync(file, "utf8");
  return JSON.parse(xml.split("<![CDATA[")[1].split("]]>")[0]);
}

// open renders a definition and returns the page and what went wrong on it.
async function open(name, definition) {
  pages.set(`/${name}`, `<!doctype html><html><head><meta charset="utf-8"><style>html,body,#root{margin:0;height:100%}</style>
<link rel="stylesheet" href="/bundle.css"><script>window.$C={SPLUNKD_PATH:"/splunkd/__raw",SERVER_ZONEINFO:"",LOCALE:"en-US"};window.__RENDER__=${JSON.stringify({ definition, rows, sources }).replace(/</g, "\\u003c")};</script>
</head><body><div id="root"></div><script src="/bundle.js"></script></body></html>`);
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 2800 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !noise.some((n) => n.test(m.text()))) errors.push(`console: ${m.text()}`);
  });
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(`http://127.0.0.1:${port}/${name}`, { waitUntil: "networkidle0" });
  await page.waitForSelector('[data-test="grid-item"]', { timeout: 30000 });
  await settle(page);
  return { page, errors };
}

// settle waits until no panel is loading.
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('[data-test*="loading" i]'), { timeout: 30000 });
  await new Promise((r) => setTimeout(r, 1500));
}

// problems lists the panels that show no data, wait for a token, or carry
// an error or warning icon, and the text that says so.
function problems(page, definition) {
  const ids = Object.keys(definition.visualizations);
  return page.evaluate((ids) => {
    const found = [];
    for (const id of ids) {
      const el = document.getElementById(id);
      if (!el) { found.push(`${id}: not drawn`); continue; }
      const text = el.innerText;
      for (const marker of ["viz-waiting-for-input", "status-icon-container", "simple-status-icon-container"]) {
        if (el.querySelector(`[data-test="${marker}"]`)) found.push(`${id}: ${marker}`);
      }
      for (const words of ["No search results", "Set token value", "Waiting for input", "Cannot access splunkweb", "Error"]) {
        if (text.includes(words)) found.push(`${id}: says "${words}"`);
      }
      if (el.querySelector('[data-test="table"]') && el.querySelectorAll('[data-test="body"] [data-test="row"]').length === 0) {
        found.push(`${id}: a table without rows`);
      }
      if (/\$[a-z_]+\$/.test(text)) found.push(`${id}: a token left unset in "${text.split("\n")[0]}"`);
    }
    return found;
  }, ids);
}

for (const file of fs.readdirSync(views).filter((f) => f.endsWith(".xml"))) {
  test(`${file}: every panel draws the command's rows`, async () => {
    const definition = definitionOf(path.join(views, file));
    const { page, errors } = await open(file, definition);
    await page.screenshot({ path: path.join(out, file.replace(/\.xml$/, ".png")) });
    assert.deepEqual(await problems(page, definition), []);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// The fixtures stand in for splunkd by data source id; this keeps each
// stand-in tied to the SPL it emulates, so that a changed query, field or
// chain fails here until render/fixtures.js follows it.
test("every data source's SPL is the one its fixture emulates", () => {
  const definition = definitionOf(path.join(views, "kubernetes_scan_fingerprint.xml"));
  for (const [id, ds] of Object.entries(definition.dataSources)) {
    assert.ok(QUERIES[id], `no fixture for ${id}`);
    assert.equal(ds.options.query, QUERIES[id].query, `${id}: its SPL changed; make results() in render/fixtures.js follow it, then QUERIES`);
    assert.equal(ds.options.extend ?? null, QUERIES[id].extend, `${id}: it extends another data source`);
  }
  assert.deepEqual(Object.keys(QUERIES).sort(), Object.keys(definition.dataSources).sort());
});

test("a click on a top source fills the drilldown with that source's requests", async () => {
  const definition = definitionOf(path.join(views, "kubernetes_scan_fingerprint.xml"));
  const { page, errors } = await open("drilldown", definition);
  const src = await page.$eval('#viz_sources [data-test="body"] [data-test="row"] [data-test="cell"]', (c) => c.innerText.trim());
  assert.match(src, /^\d+\.\d+\.\d+\.\d+$/);
  await page.click('#viz_sources [data-test="body"] [data-test="row"] [data-test="cell"]');
  await page.waitForFunction((src) => document.getElementById("viz_source_rows").innerText.includes(`Requests from ${src}`), { timeout: 15000 }, src);
  await settle(page);
  const cells = await page.$$eval('#viz_source_rows [data-test="body"] [data-test="row"]', (rs) => rs.map((r) => r.innerText));
  assert.ok(cells.length > 0, "the drilldown has rows");
  assert.ok(cells.every((c) => c.includes(src)), `every row is of ${src}`);
  await page.screenshot({ path: path.join(out, "kubernetes_scan_fingerprint-drilldown.png") });
  assert.deepEqual(await problems(page, definition), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("chains with extend beside type, which Splunk ignores, leave their panels empty", async () => {
  const definition = definitionOf(path.join(views, "kubernetes_scan_fingerprint.xml"));
  let moved = 0;
  for (const ds of Object.values(definition.dataSources)) {
    if (ds.options?.extend) {
      ds.extend = ds.options.extend;
      delete ds.options.extend;
      moved++;
    }
  }
  assert.ok(moved > 0);
  const { page } = await open("old-chains", definition);
  const found = await problems(page, definition);
  assert.ok(found.length >= 5, `the check finds the empty panels: ${found}`);
  await page.close();
});
