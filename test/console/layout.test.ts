// Pure layout pieces: cell fitting, column widths, screen layout, sparklines, glyph and
// theme choice, the key table.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fitCell, formatCount, truncate, truncateItems } from '../../source/console/draw/cells.js';
import { type ColumnSpec, fitRow, layoutColumns, tableWidth } from '../../source/console/draw/columns.js';
import {
  ASCII_GLYPHS,
  chooseGlyphs,
  isUtf8Locale,
  UNICODE_GLYPHS,
} from '../../source/console/draw/glyphs.js';
import { COLOUR_THEME, chooseTheme, MONO_THEME } from '../../source/console/draw/theme.js';
import {
  CHROME_ROWS,
  computeLayout,
  FEED_FIXED,
  MIN_COLUMNS,
  MIN_ROWS,
  pageSize,
  SERVICE_PANE_FIXED,
} from '../../source/console/frame/layout.js';
import { NO_KEY } from '../../source/console/keys/key-chunks.js';
import { findBinding, hintsFor, KEYMAP } from '../../source/console/keys/keymap.js';
import { helpKeyLines } from '../../source/console/overlays/HelpOverlay.js';
import { offenderColumns } from '../../source/console/panes/offender-columns.js';
import { sparkline, squeeze } from '../../source/console/panes/spark.js';
import { HOSTILE, LONG_IPV6, offender } from './fixtures.js';

describe('cells', () => {
  it('fits any text to exactly the width, wide characters included', () => {
    for (const text of [
      ...Object.values(HOSTILE).map((value) => value.replace(/[\u0000-\u001f]/g, '')),
      LONG_IPV6,
    ]) {
      for (const width of [1, 2, 5, 9, 15, 40]) {
        expect(stringWidth(fitCell(text, width))).toBe(width);
        expect(stringWidth(fitCell(text, width, { align: 'right', cut: 'middle' }))).toBe(width);
      }
    }
  });

  it('cuts with an ellipsis where asked, and pads to the side asked', () => {
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
    expect(truncate(LONG_IPV6, 15, '…', 'middle')).toBe('2001:0d…70:7334');
    expect(truncate('管理者アカウント', 5)).toBe('管理…');
    expect(fitCell('42', 5, { align: 'right' })).toBe('   42');
    expect(fitCell('abc', 5, { ellipsis: '~' })).toBe('abc  ');
    expect(truncate('abcdef', 3, '~')).toBe('ab~');
  });

  it('cuts lists between items', () => {
    expect(truncateItems('T1110.001,T1021.004', 30)).toBe('T1110.001,T1021.004');
    expect(truncateItems('T1110.001,T1021.004', 12)).toBe('T1110.001+');
    expect(truncateItems('T1110.001,T1021.004', 6)).toBe('T1110…');
  });

  it('formats counts with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('columns', () => {
  const specs: ColumnSpec[] = [
    { key: 'a', title: 'A', min: 10, max: 20, align: 'left', priority: 10 },
    { key: 'b', title: 'B', min: 5, max: 5, align: 'right', priority: 30 },
    { key: 'c', title: 'C', min: 8, max: 30, align: 'left', priority: 5 },
  ];

  it('drops the lowest priority first when narrow, and never exceeds the width', () => {
    expect(layoutColumns(specs, 25).map((column) => column.key)).toEqual(['a', 'b', 'c']);
    expect(layoutColumns(specs, 20).map((column) => column.key)).toEqual(['a', 'b']);
    expect(layoutColumns(specs, 12).map((column) => column.key)).toEqual(['b']);
    for (let width = 5; width < 80; width += 1)
      expect(tableWidth(layoutColumns(specs, width))).toBeLessThanOrEqual(width);
  });

  it('shares spare room round by round, most important first, up to each maximum', () => {
    expect(layoutColumns(specs, 40).map((column) => column.width)).toEqual([18, 5, 15]);
    expect(layoutColumns(specs, 60).map((column) => column.width)).toEqual([20, 5, 30]);
  });

  it('the offender table fits every width from 20 to 300 and keeps IP, failures and flags', () => {
    for (let width = 20; width <= 300; width += 7) {
      const rows = [
        offender(LONG_IPV6, 123_456, { topUsers: [{ name: HOSTILE.long, count: 1 }], country: 'CN' }),
      ];
      const columns = offenderColumns(width, rows, { column: 'failures', descending: true }, UNICODE_GLYPHS);
      expect(tableWidth(columns)).toBeLessThanOrEqual(width);
      if (width >= 60)
        expect(columns.map((column) => column.key)).toEqual(
          expect.arrayContaining(['ip', 'failures', 'flags']),
        );
      const cells = fitRow(
        columns,
        {
          mark: '›▲',
          ip: LONG_IPV6,
          failures: '123,456',
          users: '7',
          topUser: HOSTILE.long,
          last: '3s ago',
          geo: 'CN',
          flags: '!TS',
        },
        '…',
      );
      expect(cells.map((cell) => stringWidth(cell))).toEqual(columns.map((column) => column.width));
    }
  });
});

describe('screen layout', () => {
  const total = (layout: ReturnType<typeof computeLayout>) => {
    if (layout.kind !== 'normal') throw new Error('too small');
    const paneRows = layout.grid.reduce((sum, line) => sum + SERVICE_PANE_FIXED + (line[0]?.rows ?? 0), 0);
    return CHROME_ROWS + paneRows + FEED_FIXED + layout.feed.rows;
  };

  it('adds up to exactly the terminal height at every size from 80×24 up', () => {
    for (const columns of [80, 100, 120, 161, 200, 250]) {
      for (const rows of [24, 25, 30, 40, 60, 100]) {
        for (const services of [['ssh'], ['ssh', 'rdp'], ['ssh', 'rdp', 'vpn']]) {
          const layout = computeLayout(columns, rows, services);
          expect(total(layout)).toBe(rows);
          if (layout.kind === 'normal') {
            for (const line of layout.grid) {
              const width = line.reduce((sum, box) => sum + box.width, 0) + line.length - 1;
              expect(width).toBeLessThanOrEqual(columns);
            }
          }
        }
      }
    }
  });

  it('stacks panes at 80 columns, puts them side by side when there is room', () => {
    const narrow = computeLayout(80, 24, ['ssh', 'rdp']);
    const wide = computeLayout(200, 60, ['ssh', 'rdp']);
    if (narrow.kind !== 'normal' || wide.kind !== 'normal') throw new Error('too small');
    expect(narrow.grid.map((line) => line.length)).toEqual([1, 1]);
    expect(narrow.grid.flat().map((box) => box.rows)).toEqual([5, 5]);
    expect(narrow.feed.rows).toBe(5);
    expect(wide.grid.map((line) => line.map((box) => box.width))).toEqual([[99, 100]]);
    expect(pageSize(wide, 'rdp')).toBe(wide.grid[0]![1]!.rows);
  });

  it('is too small below 80×24 or when the services do not fit', () => {
    expect(computeLayout(79, 24, ['ssh'])).toMatchObject({
      kind: 'too-small',
      need: { columns: MIN_COLUMNS, rows: MIN_ROWS },
    });
    expect(computeLayout(80, 23, ['ssh']).kind).toBe('too-small');
    const many = computeLayout(80, 24, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(many).toMatchObject({ kind: 'too-small', need: { rows: 3 + 6 * 3 + FEED_FIXED + 2 } });
  });
});

describe('sparkline', () => {
  it('squeezes the whole window into the room by summing neighbours', () => {
    expect(squeeze([1, 2, 3, 4], 8)).toEqual([1, 2, 3, 4]);
    expect(squeeze([1, 2, 3, 4, 5, 6], 3)).toEqual([3, 7, 11]);
    expect(squeeze([1, 1, 1, 1, 1], 2)).toEqual([2, 3]);
    expect(squeeze([1, 2], 0)).toEqual([]);
  });

  it('draws from zero with block characters, or ASCII', () => {
    expect(sparkline([0, 0, 0], 10, UNICODE_GLYPHS)).toBe('▁▁▁');
    expect(sparkline([0, 4, 8], 10, UNICODE_GLYPHS)).toBe('▁▄█');
    expect(sparkline([0, 4, 8], 10, ASCII_GLYPHS)).toBe('_-#');
    expect(sparkline([], 10, UNICODE_GLYPHS)).toBe('');
    expect(
      sparkline(
        Array.from({ length: 120 }, (_, index) => index),
        30,
        UNICODE_GLYPHS,
      ),
    ).toHaveLength(30);
  });
});

describe('terminal capabilities', () => {
  it('takes ASCII for --ascii, config ascii, or a locale without UTF-8', () => {
    expect(isUtf8Locale({ LANG: 'en_US.UTF-8' }, 'linux')).toBe(true);
    expect(isUtf8Locale({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }, 'linux')).toBe(false);
    expect(isUtf8Locale({ LC_CTYPE: 'C.utf8' }, 'linux')).toBe(true);
    expect(isUtf8Locale({}, 'linux')).toBe(false);
    expect(isUtf8Locale({}, 'win32')).toBe(true);
    const env = { LANG: 'en_US.UTF-8' };
    expect(chooseGlyphs({ env })).toBe(UNICODE_GLYPHS);
    expect(chooseGlyphs({ env, asciiFlag: true })).toBe(ASCII_GLYPHS);
    expect(chooseGlyphs({ env, configAscii: true })).toBe(ASCII_GLYPHS);
    expect(chooseGlyphs({ env: { LANG: 'C' } })).toBe(ASCII_GLYPHS);
    for (const value of Object.values(ASCII_GLYPHS)) {
      const texts = Array.isArray(value) ? value : [value];
      for (const text of texts) if (typeof text === 'string') expect(text).toMatch(/^[\x20-\x7e]*$/);
    }
  });

  it('drops colour for NO_COLOR (any non-empty value)', () => {
    expect(chooseTheme({})).toBe(COLOUR_THEME);
    expect(chooseTheme({ NO_COLOR: '' })).toBe(COLOUR_THEME);
    expect(chooseTheme({ NO_COLOR: '1' })).toBe(MONO_THEME);
    expect(Object.values(MONO_THEME.severity).every((colour) => colour === undefined)).toBe(true);
  });
});

describe('key table', () => {
  const key = (overrides: Record<string, boolean> = {}) => ({ ...NO_KEY, ...overrides });

  it('the same key means different things by context, from one table', () => {
    expect(findBinding('offenders', 't', key())?.command).toBe('threshold');
    expect(findBinding('alerts', 't', key())).toBeUndefined();
    expect(findBinding('prompt', 't', key())?.command).toBe('type');
    expect(findBinding('prompt', 'q', key())?.command).toBe('type');
    expect(findBinding('offenders', 'q', key())?.command).toBe('quit');
    expect(findBinding('confirm', 'y', key())?.command).toBe('confirm');
    expect(findBinding('window', '', key({ rightArrow: true }))?.command).toBe('preset-next');
    expect(findBinding('offenders', '', key({ tab: true, shift: true }))?.command).toBe('focus-prev');
    for (const context of ['offenders', 'alerts', 'help', 'detail', 'prompt', 'window', 'confirm'] as const) {
      expect(findBinding(context, 'c', key({ ctrl: true }))?.command).toBe('interrupt');
    }
  });

  it('every browsing binding is in the help, and the footer hints come from the table', () => {
    const help = helpKeyLines().join('\n');
    for (const binding of KEYMAP) {
      if (binding.contexts.some((context) => ['offenders', 'alerts', 'detail'].includes(context))) {
        expect(help).toContain(binding.help);
      }
    }
    const hints = hintsFor('offenders').map((hint) => hint.hint);
    expect(hints).toEqual(
      expect.arrayContaining(['pane', 'move', 'details', 'threshold', 'filter', 'help', 'quit']),
    );
    expect(hintsFor('prompt').map((hint) => hint.hint)).toEqual(['apply', 'cancel']);
    expect(KEYMAP.every((binding) => /^[\x20-\x7e]*$/.test(binding.keys + binding.help))).toBe(true);
  });
});
