// The flags of `soc-watch ingest` (one-shot and --follow) turned into options: one home for
// both commands, so neither imports the other.
import { sanitize } from '../core/sanitize.js';
import { INPUT_FORMATS, type InputFormat } from '../ingest/parser.js';
import { parseZone, type Zone } from '../ingest/timestamps.js';
import type { CommandContext } from './context.js';

export interface IngestOptions {
  inputs: string[];
  format: InputFormat;
  index: string;
  year: number | undefined;
  zone: Zone;
  dryRun: boolean;
}

/** Flags → options, or the message of a usage error. */
export function ingestOptions(
  context: Pick<CommandContext, 'input' | 'flags' | 'config'>,
): IngestOptions | string {
  const { flags } = context;
  const inputs = context.input;
  if (inputs.length === 0) return 'ingest needs at least one FILE, or - for stdin';
  if (inputs.filter((input) => input === '-').length > 1) return 'stdin (-) can be read only once';
  const format = flags.format ?? 'auto';
  if (typeof format !== 'string' || !(INPUT_FORMATS as readonly string[]).includes(format)) {
    return `--format must be one of ${INPUT_FORMATS.join(', ')} (got ${sanitize(String(format))})`;
  }
  const target = flags.to ?? context.config.ingestIndex;
  if (
    typeof target !== 'string' ||
    target.trim() === '' ||
    /[\s,*?"<>|\\/#]/.test(target) ||
    target !== target.toLowerCase()
  ) {
    return `--to must be one lower-case index name without wildcards (got ${sanitize(String(target))})`;
  }
  const yearFlag = flags.year;
  let year: number | undefined;
  if (yearFlag !== undefined && yearFlag !== null && yearFlag !== '') {
    year = Number(yearFlag);
    if (!Number.isInteger(year) || year < 1970 || year > 9999) {
      return `--year must be a year such as 2024 (got ${sanitize(String(yearFlag))})`;
    }
  }
  let zone: Zone = 'local';
  if (flags.timezone !== undefined) {
    const parsed = typeof flags.timezone === 'string' ? parseZone(flags.timezone) : undefined;
    if (parsed === undefined)
      return `--timezone must be local, UTC or an offset such as +02:00 (got ${sanitize(String(flags.timezone))})`;
    zone = parsed;
  }
  return { inputs, format: format as InputFormat, index: target, year, zone, dryRun: flags.dryRun === true };
}
