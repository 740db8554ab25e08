// The choices of the TĐKT properties (roles, form keys, handlers, notification kinds,
// deadline settings), from /admin/processes/modeler-config.json, set once by the provider.
// A module value keeps the entry components stable, so an input keeps its focus while the
// panel re-renders.
export const CONFIG = {
  roles: [], form_keys: [], handlers: [], notify_kinds: [], deadline_settings: [],
};

export function setConfig(config) {
  Object.assign(CONFIG, config);
}
