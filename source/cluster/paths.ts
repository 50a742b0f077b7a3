// URL path pieces for index names and patterns.

/** `logs-*,filebeat-*` → path segment with each name escaped (wildcards and commas kept). */
export function indexPath(index: string): string {
  return index
    .split(',')
    .map((part) => encodeURIComponent(part.trim()))
    .join(',');
}
