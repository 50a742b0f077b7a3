// What bench:poll and bench:replay share: a bare HTTP call to the cluster, and loading a
// seeded index in bulk (refresh off while loading, then one segment, so every run reads the
// same shape of index).
import { ECS_MAPPINGS } from '../test/support/seed.js';

export type Json = Record<string, unknown>;

export async function http(
  base: string,
  method: string,
  path: string,
  body?: string,
  type = 'application/json',
) {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': type } } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Json };
}

/** (Re)create `index` and fill it with `total` documents, `line(i)` each, two bulk requests in flight. */
export async function loadIndex(
  base: string,
  index: string,
  total: number,
  meta: Record<string, unknown>,
  line: (i: number) => string,
): Promise<void> {
  await http(base, 'DELETE', `/${index}`);
  const created = await http(
    base,
    'PUT',
    `/${index}`,
    JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' },
      mappings: { ...ECS_MAPPINGS, _meta: meta },
    }),
  );
  if (created.status !== 200) throw new Error(`create ${index}: ${created.text}`);
  const CHUNK = 10_000;
  const header = `{"create":{"_index":"${index}"}}\n`;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const from = next;
      next = Math.min(total, next + CHUNK);
      let body = '';
      for (let i = from; i < next; i++) body += `${header}${line(i)}\n`;
      const result = await http(base, 'POST', '/_bulk', body, 'application/x-ndjson');
      if (result.status !== 200 || result.json().errors === true)
        throw new Error(`bulk: ${result.text.slice(0, 500)}`);
    }
  };
  await Promise.all([worker(), worker()]);
  await http(base, 'PUT', `/${index}/_settings`, JSON.stringify({ index: { refresh_interval: '1s' } }));
  await http(base, 'POST', `/${index}/_refresh`);
  await http(base, 'POST', `/${index}/_forcemerge?max_num_segments=1`);
}
