// The one JSON writer of every JSON output (`once --json`, `replay --json`, evidence bundles).
// JSON.stringify leaves C1 controls, bidi overrides and zero-width characters raw inside
// strings: a script that prints a field of it to a terminal would pass U+009B (a one-byte CSI)
// or U+202E (right-to-left override) straight through. Here every C0, DEL, C1, bidi-control,
// zero-width/invisible-format and line/paragraph-separator character is written as \uXXXX.
// Those characters can only occur inside JSON strings (the structure is ASCII), so replacing
// them in the serialised text changes no parsed value.

// C0 (JSON.stringify already escapes these inside strings; kept for completeness), DEL, C1.
// Bidi marks, embeddings, overrides and isolates; zero-width and invisible format characters;
// U+2028/U+2029 (line breaks to some readers); U+FEFF; interlinear annotation characters.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** JSON.stringify with every unsafe character escaped as \uXXXX (the parsed value is unchanged). */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined) return 'null';
  // Structural whitespace (newlines of the indentation) is outside strings: only escape what
  // JSON.stringify left raw, which is never \n, \r or \t (it escapes those in strings).
  return text.replace(UNSAFE, (char) => (char === '\n' ? char : escapeChar(char)));
}
