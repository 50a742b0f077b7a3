// Imported first by tests that check styling: chalk decides its colour level when it is
// loaded, and a test runner's stdout is not a terminal, which would mean no styles at all.
// `restoreColorEnv` puts the variable back so no other test file sees it.
const previous = process.env.FORCE_COLOR;
process.env.FORCE_COLOR = '1';

export function restoreColorEnv(): void {
  if (previous === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = previous;
}
