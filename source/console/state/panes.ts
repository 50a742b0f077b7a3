// Pane ids: service panes use the service name (config validation keeps those to
// [a-z][a-z0-9_-]*), so the alert feed's id cannot collide with one.
export const ALERTS_PANE = '#alerts';
