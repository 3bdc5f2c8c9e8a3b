// The Dashboard Studio schema that Splunk Enterprise's editor validates
// against, built the way Splunk builds it: createSchemaBasedOnPresets from
// @splunk/dashboard-definition over the components of the Enterprise preset
// (@splunk/dashboard-presets/EnterprisePreset). That preset module itself
// cannot load outside a browser (map and chart libraries need WebGL and
// canvas), so the same type-to-component map is assembled here from the
// packages it imports. Each component carries its own options schema:
// visualizations in their *.config.js modules (no DOM needed), data sources
// in @splunk/datasources, inputs and layouts in their React components,
// which load under jsdom once the global the Splunk page provides for the
// Ace search editor exists.
'use strict';

const { JSDOM } = require('jsdom');

function browserGlobals() {
  if (globalThis.window) return;
  const { window } = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
  for (const key of Object.getOwnPropertyNames(window)) {
    if (!(key in globalThis)) {
      Object.defineProperty(globalThis, key, { configurable: true, get: () => window[key] });
    }
  }
  const noop = () => {};
  // The Splunk page loads Ace and exposes it as window.ace; the search
  // input components read it when their module loads.
  window.ace = { require: () => ({}), define: noop, config: { set: noop, setModuleUrl: noop, loadModule: noop } };
}

// The visualizations @splunk/dashboard-presets 29.6.0 registers
// (VisualizationPresets.js), less ConnectedLine, which comes from the layouts.
const presetVisualizations = [
  'Area', 'Bar', 'Bubble', 'ChoroplethSvg', 'Column', 'Ellipse', 'Events', 'FillerGauge', 'Image', 'Line',
  'LinkGraph', 'Map', 'Markdown', 'MarkerGauge', 'NetworkGraph', 'ParallelCoordinates', 'Pie', 'Punchcard',
  'Rectangle', 'Sankey', 'Scatter', 'SingleValue', 'SingleValueIcon', 'SingleValueRadial', 'Table', 'Timeline',
];

function visualizationPresets() {
  const presets = {};
  for (const name of presetVisualizations) {
    const mod = require(`@splunk/visualizations/${name}.config`);
    const config = mod.default || mod;
    presets[config.key] = { config };
  }
  return presets;
}

function enterprisePresets() {
  browserGlobals();
  const ds = require('@splunk/datasources');
  const inputs = require('@splunk/dashboard-inputs');
  const layouts = require('@splunk/dashboard-layouts');
  const visualizations = visualizationPresets();
  visualizations[layouts.ConnectedLine.config.key] = layouts.ConnectedLine;
  return {
    layouts: { absolute: layouts.AbsoluteLayout, grid: layouts.GridLayout },
    dataSources: {
      'ds.test': ds.TestDataSource,
      'ds.search': ds.SplunkSearch,
      'ds.savedSearch': ds.SplunkSavedSearch,
      'ds.chain': ds.SplunkSearch,
    },
    inputs: {
      'input.dropdown': inputs.DropdownInput,
      'input.multiselect': inputs.MultiselectInput,
      'input.text': inputs.TextInput,
      'input.number': inputs.NumberInput,
      'input.timerange': inputs.EnterpriseTimeRangeInput,
      'input.button': inputs.ButtonInput,
    },
    visualizations,
  };
}

// enterpriseSchema returns the JSON schema and the preset it was built from.
function enterpriseSchema() {
  const { createSchemaBasedOnPresets } = require('@splunk/dashboard-definition');
  const presets = enterprisePresets();
  return { schema: createSchemaBasedOnPresets(presets), presets };
}

module.exports = { enterpriseSchema };
