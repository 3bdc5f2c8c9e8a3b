// Checks every Dashboard Studio view of the app (default/data/ui/views) the
// way Splunk's editor does: Splunk's DashboardValidator
// (@splunk/dashboard-validation) against the Enterprise schema that
// @splunk/dashboard-definition builds from the components' own schemas
// (enterprise-schema.js). It runs the structural checks Splunk adds to the
// schema (layout references, inputs, duplicate tokens), then the references
// the validator does not follow: data sources and chains, and tokens.
// The searches' SPL is checked by the Go package test (app/spl_test.go),
// next to the saved searches and macros.conf.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { DashboardValidator } = require('@splunk/dashboard-validation');
const { enterpriseSchema } = require('./enterprise-schema.js');

const viewsDir = path.join(__dirname, '..', 'default', 'data', 'ui', 'views');

// readView returns the Dashboard Studio definition in a view's XML.
function readView(file) {
  const xml = fs.readFileSync(path.join(viewsDir, file), 'utf8');
  assert.match(xml, /^<dashboard version="2"[ >]/, `${file}: a Dashboard Studio view starts with <dashboard version="2">`);
  const m = xml.match(/<definition><!\[CDATA\[([\s\S]*?)\]\]><\/definition>/);
  assert.ok(m, `${file}: the JSON definition sits in <definition><![CDATA[...]]></definition>`);
  return JSON.parse(m[1]);
}

// schemaTools builds Splunk's validator and the preset it was built from,
// once.
let tools;
function schemaTools() {
  if (!tools) {
    const { schema, presets } = enterpriseSchema();
    const validator = new DashboardValidator();
    // Ajv's strict mode logs notes about Splunk's own schema; they are not
    // about the dashboard.
    const warn = console.warn;
    console.warn = (...args) => { if (!String(args[0]).startsWith('strict mode:')) warn(...args); };
    try {
      assert.equal(validator.setSchema(schema), null, 'the Enterprise schema compiles');
    } finally {
      console.warn = warn;
    }
    tools = { validator, presets };
  }
  return tools;
}

function validate(definition) {
  return schemaTools().validator.validate(definition);
}

// tokensUsed lists the tokens a string refers to: $name$, $name.key$,
// $name|s$; $$ is a literal dollar sign.
function tokensUsed(s) {
  const out = [];
  for (const m of s.matchAll(/\$([^$\s]*)\$/g)) {
    if (m[1] === '') continue;
    out.push(m[1].split('|')[0].split('.')[0].split(':').pop());
  }
  return out;
}

function strings(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

// referenceErrors checks what the schema cannot: every data source a
// visualization or input names exists, every chain extends an existing
// source without a cycle, and every token has a setter.
function referenceErrors(def) {
  const errors = [];
  const sources = def.dataSources || {};
  for (const [kind, items] of [['visualization', def.visualizations || {}], ['input', def.inputs || {}]]) {
    for (const [id, item] of Object.entries(items)) {
      for (const ref of Object.values(item.dataSources || {})) {
        if (!sources[ref]) errors.push(`${kind} ${id} uses data source ${ref}, which does not exist`);
      }
    }
  }
  for (const [id, ds] of Object.entries(sources)) {
    if (ds.type !== 'ds.chain') continue;
    const seen = new Set([id]);
    // Splunk's framework reads options.extend only (@splunk/dashboard-search,
    // @splunk/datasource-utils): an extend beside type is ignored, and the
    // chain's fragment runs as a search of its own.
    if ('extend' in ds) errors.push(`chain ${id}: extend must stand in options, not beside type`);
    for (let cur = ds; cur && cur.type === 'ds.chain'; cur = sources[cur.options?.extend]) {
      const ext = cur.options?.extend;
      if (!sources[ext]) { errors.push(`chain ${id} extends ${ext}, which does not exist`); break; }
      if (seen.has(ext)) { errors.push(`chain ${id} extends itself through ${ext}`); break; }
      seen.add(ext);
    }
    if (!String(ds.options?.query || '').trimStart().startsWith('|')) errors.push(`chain ${id}: its query must start with |`);
  }
  const set = new Set();
  for (const input of Object.values(def.inputs || {})) if (input.options?.token) set.add(input.options.token);
  for (const item of Object.values(def.visualizations || {})) {
    for (const h of item.eventHandlers || []) for (const t of h.options?.tokens || []) set.add(t.token);
  }
  for (const ns of Object.values(def.defaults?.tokens || {})) for (const name of Object.keys(ns)) set.add(name);
  for (const s of strings({ dataSources: def.dataSources, visualizations: def.visualizations, defaults: def.defaults })) {
    for (const name of tokensUsed(s)) if (!set.has(name)) errors.push(`token $${name}$ is used but nothing sets it`);
  }
  return errors;
}

// optionErrors names options that no component schema declares. Splunk's
// schema lets them through (the renderer ignores them), so a misspelt
// option would silently do nothing.
function optionErrors(def) {
  const { presets } = schemaTools();
  const errors = [];
  for (const [kind, items, preset] of [
    ['visualization', def.visualizations || {}, presets.visualizations],
    ['input', def.inputs || {}, presets.inputs],
  ]) {
    for (const [id, item] of Object.entries(items)) {
      const component = preset[item.type];
      const schema = component?.config?.optionsSchema || component?.schema;
      if (!schema) continue; // an unknown type is the validator's to refuse
      const known = new Set(Object.keys(schema.extend?.anyOf?.[0]?.properties || schema));
      for (const key of Object.keys(item.options || {})) {
        if (!known.has(key)) errors.push(`${kind} ${id} (${item.type}): unknown option ${key}`);
      }
    }
  }
  return errors;
}

const views = fs.readdirSync(viewsDir).filter((f) => f.endsWith('.xml')).sort();

test('the app has views to check', () => {
  assert.ok(views.includes('kubernetes_scan_fingerprint.xml'), views.join(', '));
});

for (const file of views) {
  test(`${file} passes Splunk's validator`, () => {
    const errors = validate(readView(file));
    assert.equal(errors, null, JSON.stringify(errors, null, 2));
  });

  test(`${file}: data sources and tokens resolve, options exist`, () => {
    const def = readView(file);
    assert.deepEqual([...referenceErrors(def), ...optionErrors(def)], []);
  });
}

test('the hunting dashboard runs the command once for its panels, and the per-source stage once', () => {
  const def = readView('kubernetes_scan_fingerprint.xml');
  const searches = Object.entries(def.dataSources).filter(([, ds]) => ds.type === 'ds.search');
  const base = searches.filter(([, ds]) => !/\$src\|s\$/.test(ds.options.query) && !/kubefingerprintsummary/.test(ds.options.query));
  assert.equal(base.length, 1, 'one base search; the rest are chains, but for the clicked source and the sources');
  assert.match(def.dataSources.ds_sources.options.query, /\| kubefingerprint anonymous=\$mode\$ .*\| kubefingerprintsummary `kubefingerprint_by_source_threshold` /,
    'the sources come from the same Go code as scan --summary, not from SPL of their own');
  assert.match(base[0][1].options.query, /^`kubefingerprint_data` `kubefingerprint_terms_anonymous` \| kubefingerprint filter=show anonymous=\$mode\$ /);
  for (const [id, viz] of Object.entries(def.visualizations)) {
    const ref = viz.dataSources?.primary;
    if (!ref) continue;
    const ds = def.dataSources[ref];
    assert.ok(ds.type === 'ds.chain' || ref === 'ds_source_rows' || ref === 'ds_sources', `${id} reads ${ref}, which is not a chain`);
  }
});

// The checks must be able to fail: each broken copy of the dashboard is
// refused.
test('broken definitions are refused', () => {
  const good = readView('kubernetes_scan_fingerprint.xml');
  const cases = {
    'bad option value': (d) => { d.visualizations.viz_timeline.options.stackMode = 'sideways'; },
    'bad option type': (d) => { d.visualizations.viz_sources.options.count = 'ten'; },
    'unknown visualization type': (d) => { d.visualizations.viz_uris.type = 'splunk.nosuchviz'; },
    'layout names a missing visualization': (d) => { d.layout.layoutDefinitions.layout_hunt.structure[0].item = 'viz_missing'; },
    'tab names a missing layout': (d) => { d.layout.tabs.items[0].layoutId = 'layout_missing'; },
    'visualization left out of the layout': (d) => { d.layout.layoutDefinitions.layout_hunt.structure.pop(); },
    'two inputs set one token': (d) => { d.inputs.input_mode.options.token = 'allowlist'; },
    'bad input option type': (d) => { d.inputs.input_time.options.defaultValue = 24; },
  };
  for (const [name, breakIt] of Object.entries(cases)) {
    const d = structuredClone(good);
    breakIt(d);
    assert.notEqual(validate(d), null, name);
  }
  const refCases = {
    'missing data source': (d) => { d.visualizations.viz_uris.dataSources.primary = 'ds_missing'; },
    'chain of a missing source': (d) => { d.dataSources.ds_view.options.extend = 'ds_missing'; },
    'extend beside type': (d) => { d.dataSources.ds_view.extend = d.dataSources.ds_view.options.extend; delete d.dataSources.ds_view.options.extend; },
    'token nothing sets': (d) => { d.visualizations.viz_uris.title = 'URIs of $nosuchtoken$'; },
    'misspelt option': (d) => { d.visualizations.viz_timeline.options.stackmode = 'stacked'; },
    'misspelt input option': (d) => { d.inputs.input_mode.options.defaultvalue = 'true'; },
  };
  for (const [name, breakIt] of Object.entries(refCases)) {
    const d = structuredClone(good);
    breakIt(d);
    assert.notDeepEqual([...referenceErrors(d), ...optionErrors(d)], [], name);
  }
});
