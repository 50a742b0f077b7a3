// Before writing into an index that already exists: does its mapping give the fields the types
// the queries need? An index created by hand before the first ingest (say, for its own shard
// and replica counts) does not get the template, so dynamic mapping makes source.ip `text`:
// ingest would report "47 created" and `once` would then fail with "Fielddata is disabled on
// [source.ip]". Checked from the index's own mapping (dynamic templates included), pure.

/** Fields soc-watch's queries aggregate or filter on, and the types that work. */
const NEEDED: readonly { field: string; types: readonly string[] }[] = [
  { field: '@timestamp', types: ['date', 'date_nanos'] },
  { field: 'source.ip', types: ['ip'] },
  { field: 'user.name', types: ['keyword', 'constant_keyword', 'wildcard'] },
  { field: 'host.hostname', types: ['keyword', 'constant_keyword', 'wildcard'] },
  { field: 'event.outcome', types: ['keyword', 'constant_keyword'] },
  { field: 'event.action', types: ['keyword', 'constant_keyword'] },
  { field: 'event.code', types: ['keyword', 'constant_keyword'] },
  { field: 'system.auth.ssh.event', types: ['keyword', 'constant_keyword'] },
  { field: 'winlog.logon.type', types: ['keyword', 'constant_keyword'] },
  { field: 'winlog.event_data.LogonType', types: ['keyword', 'constant_keyword'] },
  { field: 'winlog.event_data.SubStatus', types: ['keyword', 'constant_keyword'] },
];

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function fieldType(mappings: Json, path: string): string | undefined {
  let node: Json | undefined = mappings;
  for (const part of path.split('.')) {
    node = object(object(node?.properties)?.[part]);
    if (!node) return undefined;
  }
  return typeof node.type === 'string' ? node.type : 'object';
}

/** Would a new string field become a keyword (a dynamic template for strings, as soc-watch's has)? */
function stringsBecomeKeywords(mappings: Json): boolean {
  const templates = Array.isArray(mappings.dynamic_templates) ? mappings.dynamic_templates : [];
  return templates.some((entry) =>
    Object.values(object(entry) ?? {}).some((template) => {
      const t = object(template);
      return (
        t?.match_mapping_type === 'string' &&
        t.match === undefined &&
        t.path_match === undefined &&
        object(t.mapping)?.type === 'keyword'
      );
    }),
  );
}

/**
 * Problems of one index's mapping (the `mappings` object of a GET _mapping answer), each as
 * "FIELD is TYPE (must be …)". Empty when documents written now will be countable.
 */
export function mappingProblems(mappings: unknown): string[] {
  const root = object(mappings) ?? {};
  const keywords = stringsBecomeKeywords(root);
  const problems: string[] = [];
  for (const { field, types } of NEEDED) {
    const type = fieldType(root, field);
    if (type === undefined) {
      // Strings come out as keywords through a dynamic template; an address or a time never
      // becomes ip or date on its own.
      if (keywords && types.includes('keyword')) continue;
      problems.push(
        `${field} is not mapped (dynamic mapping would make it ${guess(types)}; must be ${types[0]})`,
      );
    } else if (!types.includes(type)) {
      problems.push(`${field} is ${type} (must be ${types[0]})`);
    }
  }
  return problems;
}

function guess(types: readonly string[]): string {
  return types[0] === 'date' ? 'date only if the text looks like one' : 'text';
}

/** The message that refuses to write, with the fix. */
export function mappingRefusal(index: string, problems: readonly string[]): string {
  return [
    `index ${index} already exists with a mapping the queries cannot use: ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? `; and ${problems.length - 4} more` : ''}.`,
    `Nothing was written. Documents indexed now would be counted wrongly or not at all (e.g. "Fielddata is disabled on [source.ip]").`,
    `Fix: ingest into a new index (--to NEW-NAME; soc-watch installs the template before the index exists), or delete ${index} and ingest again, or reindex it into an index created after the template. To choose shards and replicas, create the index after the template is installed (README: "Your own shards and replicas").`,
  ].join('\n  ');
}
