// The browser side of the render test: the view as Splunk's own dashboard
// framework draws it (the Enterprise view-only preset), every search
// answered from fixtures.js instead of splunkd. A chain is answered only
// when it names its base where the framework reads it, in options.extend:
// one that does not is a search of its own fragment in Splunk, which finds
// nothing, and so it finds nothing here.
import React from "react";
import { createRoot } from "react-dom/client";
import DashboardCore from "@splunk/dashboard-core";
import { DashboardContextProvider } from "@splunk/dashboard-context";
import EnterpriseViewOnlyPreset from "@splunk/dashboard-presets/EnterpriseViewOnlyPreset";
import TestDataSource from "@splunk/datasources/TestDataSource";
import SplunkSearch from "@splunk/datasources/SplunkSearch";
import SplunkThemeProvider from "@splunk/themes/SplunkThemeProvider";
import { results, table } from "./fixtures.js";

const { definition, rows, sources } = window.__RENDER__;

// Each data source is told its id and whether it is a chain, which the
// framework does not pass to a data source.
for (const [id, ds] of Object.entries(definition.dataSources)) {
  ds.options = { ...ds.options, fixture: id, chain: ds.type === "ds.chain" };
}

class Fixture extends TestDataSource {
  constructor(options = {}, context = {}) {
    let data = { fields: [], columns: [] };
    if (!options.chain || options.extend) {
      const src = (/src_ip="([^"]*)"/.exec(options.query ?? "") ?? [])[1];
      data = table(results(options.fixture, rows, { src, query: options.query, sources }));
    }
    window.__REQUESTS__ = [...(window.__REQUESTS__ ?? []), { id: options.fixture, extend: options.extend ?? null, query: options.query }];
    super({ ...options, data }, context);
  }
}
Fixture.config = { ...SplunkSearch.config, optionsSchema: {} };

const preset = {
  ...EnterpriseViewOnlyPreset,
  dataSources: { ...EnterpriseViewOnlyPreset.dataSources, "ds.search": Fixture, "ds.chain": Fixture },
};

createRoot(document.getElementById("root")).render(
  <SplunkThemeProvider family="enterprise" colorScheme="light" density="comfortable">
    <DashboardContextProvider initialDefinition={definition} preset={preset}>
      <DashboardCore width="100%" height="100%" />
    </DashboardContextProvider>
  </SplunkThemeProvider>,
);
