// The results each data source of the dashboard would give, computed from
// the command's rows (rows.json, what kubefingerprint filter=show
// anonymous=true gives for the bundled sample, and sources.json, what
// kubefingerprintsummary makes of them): a few lines per search,
// enough to stand in for splunkd in a browser test. Each function follows
// its data source's SPL in the view; when the SPL changes, change it too.

// The SPL each data source of the view must hold for its function in
// results() to stand in for it, and the chain it extends: when the view's
// SPL changes, the render test fails until the function here follows it.
export const QUERIES = {
  ds_base: { extend: null, query: "`kubefingerprint_data` `kubefingerprint_terms_anonymous` | kubefingerprint filter=show anonymous=$mode$ | eval t=_time, cluster=coalesce(nullif(cluster, \"\"), \"unknown\"), src_ip=coalesce(nullif(src_ip, \"\"), \"unknown\"), code=coalesce(nullif('responseStatus.code', \"\"), \"-\"), userAgent=coalesce(nullif(userAgent, \"\"), \"-\"), verb=coalesce(nullif(verb, \"\"), \"-\"), requestURI=coalesce(nullif(requestURI, \"\"), \"-\"), user=coalesce(nullif(user, \"\"), \"-\"), scanner=coalesce(nullif(scanner, \"\"), \"-\"), allowlisted=coalesce(nullif(allowlisted, \"\"), \"-\") | bin _time bins=1000 | stats count min(t) as firstTime max(t) as lastTime by _time src_ip userAgent verb requestURI code user scanner cluster allowlisted" },
  ds_cluster_list: { extend: "ds_base", query: "| stats sum(count) as requests by cluster | sort 0 - requests | eval label=cluster.\" (\".requests.\")\" | rename cluster as value | table label value" },
  ds_view: { extend: "ds_base", query: "| search cluster IN ($clusters$) | where $allowlist$" },
  ds_timeline: { extend: "ds_view", query: "| timechart sum(count) as requests by code" },
  ds_sources: { extend: null, query: "`kubefingerprint_data` `kubefingerprint_terms_anonymous` | kubefingerprint anonymous=$mode$ | eval cluster=coalesce(nullif(cluster, \"\"), \"unknown\"), src_ip=coalesce(nullif(src_ip, \"\"), \"unknown\") | search cluster IN ($clusters$) | kubefingerprintsummary `kubefingerprint_by_source_threshold` | head 100 | eval firstTime=strftime(firstTime, \"%Y-%m-%d %H:%M:%S\"), lastTime=strftime(lastTime, \"%Y-%m-%d %H:%M:%S\") | table src_ip tool tool_score disguise count uri_count count_401 scanners codes firstTime lastTime clusters" },
  ds_scanners: { extend: "ds_view", query: "| where scanner!=\"-\" | stats sum(count) as requests dc(src_ip) as sources min(firstTime) as firstTime max(lastTime) as lastTime values(cluster) as clusters by scanner | sort 0 - requests | eval firstTime=strftime(firstTime, \"%Y-%m-%d %H:%M:%S\"), lastTime=strftime(lastTime, \"%Y-%m-%d %H:%M:%S\")" },
  ds_uris: { extend: "ds_view", query: "| stats sum(count) as requests dc(src_ip) as sources values(code) as codes by requestURI | sort 0 - requests | head 25" },
  ds_clusters: { extend: "ds_view", query: "| stats sum(count) as requests by cluster | sort 0 - requests" },
  ds_hidden: { extend: "ds_base", query: "| search cluster IN ($clusters$) | where allowlisted!=\"-\" | stats sum(count) as rows min(firstTime) as firstTime max(lastTime) as lastTime values(requestURI) as requestURIs values(code) as codes values(cluster) as clusters by allowlisted src_ip userAgent | sort 0 - rows | eval firstTime=strftime(firstTime, \"%Y-%m-%d %H:%M:%S\"), lastTime=strftime(lastTime, \"%Y-%m-%d %H:%M:%S\")" },
  ds_source_rows: { extend: null, query: "`kubefingerprint_data` `kubefingerprint_terms_anonymous` | kubefingerprint filter=show anonymous=$mode$ | eval cluster=coalesce(nullif(cluster, \"\"), \"unknown\"), src_ip=coalesce(nullif(src_ip, \"\"), \"unknown\") | where src_ip=$src|s$ OR $src|s$=\"all\" | search cluster IN ($clusters$) | sort 0 - _time | head 1000 | table _time verb requestURI responseStatus.code userAgent scanner user sourceIPs{} cluster cut allowlisted auditID" },
};

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
