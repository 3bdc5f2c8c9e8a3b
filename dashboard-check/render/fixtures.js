// The results each data source of the dashboard would give, computed from
// the command's rows (rows.json, what kubefingerprint filter=show
// anonymous=true gives for the bundled sample, and sources.json, what
// kubefingerprintsummary makes of them): a few lines per search,
// enough to stand in for splunkd in a browser test. Each function follows
// its data source's SPL in the view; when the SPL changes, change it too.

const dash = (v) => (v === undefined || v === "" ? "-" : v);
const uniq = (vs) => [...new Set(vs)].sort();

// base: the eval and stats of ds_base, minute buckets for bin _time.
export function base(rows) {
  const groups = new Map();
  for (const r of rows) {
    const t = Number(r._time);
    const row = {
      _time: Math.floor(t / 60) * 60,
      src_ip: r.src_ip || "unknown",
      userAgent: dash(r.userAgent),
      verb: dash(r.verb),
      requestURI: dash(r.requestURI),
      code: dash(r["responseStatus.code"]),
      user: dash(r.user),
      scanner: dash(r.scanner),
      cluster: r.cluster || "unknown",
      allowlisted: dash(r.allowlisted),
    };
    const key = JSON.stringify(row);
    const g = groups.get(key) ?? { ...row, count: 0, firstTime: t, lastTime: t };
    g.count++;
    g.firstTime = Math.min(g.firstTime, t);
    g.lastTime = Math.max(g.lastTime, t);
    groups.set(key, g);
  }
  return [...groups.values()];
}

function stats(rows, by, agg) {
  const groups = new Map();
  for (const r of rows) {
    const key = JSON.stringify(by.map((f) => r[f]));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((g) => {
    const out = {};
    by.forEach((f) => (out[f] = g[0][f]));
    return { ...out, ...agg(g) };
  });
}

const sum = (g, f) => g.reduce((n, r) => n + Number(r[f]), 0);
// splunkTime writes epoch seconds as splunkd's JSON results do.
const splunkTime = (s) => new Date(s * 1000).toISOString().replace("Z", "+00:00");
const time = (s) => new Date(s * 1000).toISOString().replace("T", " ").slice(0, 19);

// results: the rows of data source id, under the tokens given.
export function results(id, rows, ctx) {
  const b = base(rows);
  const view = b.filter((r) => r.allowlisted === "-");
  switch (id) {
    case "ds_base":
      return b;
    case "ds_view":
      return view;
    case "ds_cluster_list":
      return stats(b, ["cluster"], (g) => ({ requests: sum(g, "count") }))
        .sort((x, y) => y.requests - x.requests)
        .map((r) => ({ label: `${r.cluster} (${r.requests})`, value: r.cluster }));
    case "ds_timeline": {
      const codes = uniq(view.map((r) => r.code));
      return stats(view, ["_time"], (g) => Object.fromEntries(codes.map((c) => [c, sum(g.filter((r) => r.code === c), "count")])))
        .sort((x, y) => x._time - y._time)
        .map((r) => ({ ...r, _time: splunkTime(r._time) }));
    }
    case "ds_sources":
      // kubefingerprintsummary's own rows (render/sources.json), as its
      // table names them.
      return ctx.sources.map((r) => ({
        src_ip: r.src_ip, tool: r.tool, tool_score: r.tool_score, disguise: r.disguise, count: r.count,
        uri_count: r.uri_count, count_401: r.count_401, scanners: r.scanners, codes: r.codes,
        firstTime: time(Number(r.firstTime)), lastTime: time(Number(r.lastTime)), clusters: r.clusters,
      }));
    case "ds_scanners":
      return stats(view.filter((r) => r.scanner !== "-"), ["scanner"], (g) => ({
        requests: sum(g, "count"),
        sources: uniq(g.map((r) => r.src_ip)).length,
        firstTime: time(Math.min(...g.map((r) => r.firstTime))),
        lastTime: time(Math.max(...g.map((r) => r.lastTime))),
        clusters: uniq(g.map((r) => r.cluster)),
      })).sort((x, y) => y.requests - x.requests);
    case "ds_uris":
      return stats(view, ["requestURI"], (g) => ({
        requests: sum(g, "count"),
        sources: uniq(g.map((r) => r.src_ip)).length,
        codes: uniq(g.map((r) => r.code)),
      })).sort((x, y) => y.requests - x.requests).slice(0, 25);
    case "ds_clusters":
      return stats(view, ["cluster"], (g) => ({ requests: sum(g, "count") })).sort((x, y) => y.requests - x.requests);
    case "ds_hidden":
      return stats(b.filter((r) => r.allowlisted !== "-"), ["allowlisted", "src_ip", "userAgent"], (g) => ({
        rows: sum(g, "count"),
        firstTime: time(Math.min(...g.map((r) => r.firstTime))),
        lastTime: time(Math.max(...g.map((r) => r.lastTime))),
        requestURIs: uniq(g.map((r) => r.requestURI)),
        codes: uniq(g.map((r) => r.code)),
        clusters: uniq(g.map((r) => r.cluster)),
      }));
    case "ds_source_rows": {
      // The columns its last command, table, names.
      const fields = /\| table ([^|]+)$/.exec(ctx.query ?? "")?.[1].trim().split(/\s+/) ?? Object.keys(rows[0]);
      return rows
        .filter((r) => ctx.src === "all" || r.src_ip === ctx.src)
        .sort((x, y) => Number(y._time) - Number(x._time))
        .map((r) => Object.fromEntries(fields.map((f) => [f, f === "_time" ? splunkTime(Number(r._time)) : (r[f] ?? null)])));
    }
  }
  throw new Error(`no fixture for data source ${id}`);
}

// table turns rows into the data a data source hands a visualization.
// _time comes first, as splunkd sends it: a JavaScript object lists keys
// that read as numbers (the codes of timechart) before all others.
export function table(rows) {
  const names = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  names.sort((a, b) => (b === "_time") - (a === "_time"));
  return { fields: names.map((name) => ({ name })), columns: names.map((n) => rows.map((r) => (r[n] === undefined ? null : r[n]))) };
}
