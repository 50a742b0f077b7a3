import { describe, expect, it } from 'vitest';
import { discoverUrl, kqlPhrase, risonString } from '../../source/slack/kibana.js';
import { buildSlackMessage, escapeMrkdwn, fitMrkdwn, LIMITS } from '../../source/slack/message.js';
import { mrkdwnToPlain, renderSlackPayload } from '../../source/slack/preview.js';
import { successAfterFailureAlert, T0, testAlert } from './support/alert.js';

type Block = {
  type: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: unknown[];
};

const HOSTILE = [
  '<!channel>',
  '<!here|here>',
  '<@U024BE7LH>',
  '<https://evil.example|click me>',
  '\u001b[31mred\u001b[0m\u001b]0;title\u0007',
  'a & b',
  '`code` *bold* _it_',
  'line1\nline2',
  'ad\u202emin',
];

/** Every mrkdwn/plain string inside the blocks. */
function texts(blocks: unknown[]): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') out.push(inner);
        else visit(inner);
      }
    }
  };
  visit(blocks);
  return out;
}

/** Only mrkdwn text objects (plain_text, e.g. the header, is shown literally by Slack). */
function mrkdwnTexts(blocks: unknown[]): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.type === 'mrkdwn' && typeof object.text === 'string') out.push(object.text);
      else Object.values(object).forEach(visit);
    }
  };
  visit(blocks);
  return out;
}

/** Slack control sequences `<…>` that are not ours (the ATT&CK links we build). */
function foreignControls(text: string): string[] {
  return [...text.matchAll(/<[^>]*>/g)]
    .map((m) => m[0])
    .filter((m) => !m.startsWith('<https://attack.mitre.org/'));
}

function assertWithinLimits(message: { text: string; blocks: unknown[] }) {
  const blocks = message.blocks as Block[];
  expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
  for (const block of blocks) {
    if (block.type === 'header') expect(block.text!.text.length).toBeLessThanOrEqual(LIMITS.headerText);
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      if (block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(LIMITS.fields);
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(LIMITS.fieldText);
      }
    }
    if (block.type === 'context') expect(block.elements!.length).toBeLessThanOrEqual(LIMITS.contextElements);
    if (block.type === 'actions') {
      for (const element of block.elements as { url: string; text: { text: string } }[]) {
        expect(element.url.length).toBeLessThanOrEqual(LIMITS.buttonUrl);
        expect(element.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
      }
    }
  }
}

describe('escapeMrkdwn', () => {
  it('escapes &, < and > so no mention, channel ping or link can be formed', () => {
    expect(escapeMrkdwn('<!channel> & <@U1> <https://evil|x>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://evil|x&gt;',
    );
  });
  it('strips ANSI and control characters before escaping', () => {
    expect(escapeMrkdwn('\u001b[31mroot\u001b[0m')).toBe('root');
    expect(escapeMrkdwn('a\u0007b')).not.toContain('\u0007');
  });
  it('cuts escaped text without splitting an entity or leaving a code span open', () => {
    const cut = fitMrkdwn(`${'x'.repeat(8)}&amp;yyyy`, 11);
    expect(cut).toBe(`${'x'.repeat(8)}…`);
    expect(fitMrkdwn('`abc` `defghij`', 10)).toBe('`abc` …');
  });
});

describe('buildSlackMessage', () => {
  it('carries what a responder needs for a success-after-failure alert', () => {
    const message = buildSlackMessage(successAfterFailureAlert(), {
      analyst: 'alice@jump1',
      note: 'Blocking at the edge, please check deploy',
      update: false,
      now: T0,
      serviceLabel: 'SSH',
      kibanaUrl: 'https://kibana.example:5601/s/soc',
    });
    const blocks = message.blocks as Block[];
    const all = texts(blocks).join('\n');
    expect(blocks[0]!.type).toBe('header');
    expect(blocks[0]!.text!.text).toContain('CRITICAL');
    expect(blocks[0]!.text!.text).toContain('Success after failures');
    expect(all).toContain('`203.0.113.7` (NL, AS64500)');
    expect(all).toContain('SSH');
    expect(all).toContain('37 (peak 12/min)');
    expect(all).toContain('*Distinct users*\n4');
    expect(all).toContain('`root` ×30, `admin` ×12');
    expect(all).toContain('`bastion-1` ×50');
    expect(all).toContain('2025-06-01 11:48:00 UTC (12m ago)'); // first failure, UTC and relative
    expect(all).toContain('2025-06-01 11:59:30 UTC (30s ago)');
    expect(all).toContain('<https://attack.mitre.org/techniques/T1110/001/|T1110.001 Password Guessing>');
    expect(all).toContain('<https://attack.mitre.org/techniques/T1078/|T1078 Valid Accounts>');
    // Failures went on after the success (last 11:59:30): the count is not called "before".
    expect(all).toContain(
      'Successful login* as `deploy`: 37 failures in the window from 2025-06-01 11:48:00 UTC to 2025-06-01 11:59:30 UTC (event time), some before and some after the success at 2025-06-01 11:59:00 UTC (event time, 1m ago)',
    );
    expect(all).toContain('alice@jump1');
    expect(all).toContain('>Blocking at the edge, please check deploy');
    expect(all).not.toMatch(/update/i);
    const actions = blocks.find((block) => block.type === 'actions')!;
    const button = actions.elements![0] as { url: string; text: { text: string } };
    expect(button.text.text).toBe('Open in Kibana');
    expect(button.url.startsWith('https://kibana.example:5601/s/soc/app/discover#/?_g=')).toBe(true);
    expect(decodeURIComponent(button.url)).toContain(`query:'source.ip:"203.0.113.7"'`);
    expect(decodeURIComponent(button.url)).toContain("from:'2025-06-01T11:43:00.000Z'");
    expect(message.text).toContain('CRITICAL');
    expect(message.text).toContain('login succeeded');
    assertWithinLimits(message);
  });

  it('says "update" when re-escalated after growth', () => {
    const message = buildSlackMessage(
      testAlert({ failures: 5000, summary: '5000 failures, 4 users in 15m' }),
      {
        analyst: 'bob@jump2',
        update: true,
        now: T0,
      },
    );
    const header = (message.blocks[0] as Block).text!.text;
    expect(header).toContain('UPDATE: HIGH');
    expect(texts(message.blocks).join('\n')).toContain(
      '*Update:* this alert was escalated before and has grown',
    );
    expect(message.text.startsWith('UPDATE: ')).toBe(true);
  });

  it('omits the Kibana button without a Kibana URL or with a non-http one', () => {
    for (const kibanaUrl of [undefined, 'javascript:alert(1)', 'https://user:pw@kibana.example']) {
      const message = buildSlackMessage(testAlert(), {
        analyst: 'a@b',
        update: false,
        now: T0,
        ...(kibanaUrl ? { kibanaUrl } : {}),
      });
      expect((message.blocks as Block[]).some((block) => block.type === 'actions')).toBe(false);
    }
  });

  it('neutralises hostile usernames, hosts, keys and notes', () => {
    const hostile = HOSTILE.map((name, index) => ({ name, count: 100 - index }));
    const alert = testAlert({
      rule: 'distributed',
      keyKind: 'user',
      key: '<!channel> root',
      topUsers: hostile,
      hosts: hostile,
      country: '<!here>',
      success: { user: '<https://evil.example|reset your password>', at: new Date(T0).toISOString() },
      summary: '<!channel> & friends',
      techniques: [{ id: 'T1110.003', name: 'Spraying> <!channel' }],
    });
    const message = buildSlackMessage(alert, {
      analyst: 'mallory@<!everyone>',
      note: 'see <https://evil|here> &\n\u001b[2Jnext line',
      update: false,
      now: T0,
    });
    expect(mrkdwnTexts(message.blocks).length).toBeGreaterThan(8);
    for (const text of [...mrkdwnTexts(message.blocks), message.text]) {
      expect(foreignControls(text)).toEqual([]);
      expect(text).not.toMatch(/\u001b|\u0007|\u202e/);
      // every & is the start of one of the three entities
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
    const all = texts(message.blocks).join('\n');
    expect(all).toContain('`&lt;!channel&gt;`');
    expect(all).toContain('`&lt;https://evil.example|click me&gt;`');
    expect(all).toContain('`a &amp; b`');
    expect(all).toContain('`ˋcodeˋ *bold* _it_`'); // backticks cannot close the code span
    expect(all).toContain('>see &lt;https://evil|here&gt; &amp;');
    expect(all).toContain('>next line');
    // The header is plain_text (no mrkdwn): sanitized, bounded.
    expect((message.blocks[0] as Block).text!.text).toContain('<!channel> root');
    expect((message.blocks[0] as Block).text!.type).toBe('plain_text');
  });

  it('stays within Block Kit limits whatever the alert holds', () => {
    const long = (n: number) => `${'Ω'.repeat(n)}&<>`;
    const many = Array.from({ length: 500 }, (_, index) => ({ name: `${long(300)}${index}`, count: index }));
    const alert = testAlert({
      key: long(5000),
      keyKind: 'other',
      rule: `custom:${long(400)}`,
      topUsers: many,
      hosts: many,
      summary: long(10_000),
      country: long(1000),
      techniques: Array.from({ length: 50 }, () => ({ id: 'T1110', name: long(2000) })),
      success: { user: long(5000), at: new Date(T0).toISOString() },
      invalidUserFailures: 10,
      distinctIps: 9,
      repeatOffender: true,
      state: 'quiet',
    });
    const message = buildSlackMessage(alert, {
      analyst: long(1000),
      note: long(20_000),
      update: true,
      now: T0,
      kibanaUrl: `https://kibana.example/${'p'.repeat(100)}`,
      serviceLabel: long(500),
      resendOf: { at: T0, by: long(500) },
    });
    assertWithinLimits(message);
  });
});

describe('Kibana Discover link', () => {
  it('quotes values for KQL and rison so a hostile key cannot change the query', () => {
    expect(kqlPhrase('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(risonString("it's!")).toBe("'it!'s!!'");
    const url = discoverUrl({
      kibanaUrl: 'http://k:5601/',
      field: 'user.name',
      value: `x" or *:*`,
      from: T0,
      to: T0,
    });
    expect(decodeURIComponent(url!)).toContain(`query:'user.name:"x\\" or *:*"'`);
    expect(
      discoverUrl({ kibanaUrl: 'http://k', field: 'a b', value: 'x', from: T0, to: T0 }),
    ).toBeUndefined();
  });
});

describe('preview', () => {
  it('renders a message readably and decodes entities for display only', () => {
    const message = buildSlackMessage(successAfterFailureAlert({ key: '<!channel>' }), {
      analyst: 'alice@jump1',
      update: false,
      now: T0,
      kibanaUrl: 'https://kibana.example',
    });
    const text = renderSlackPayload(message);
    expect(text).toContain('CRITICAL');
    expect(text).toContain('`<!channel>`');
    expect(text).toContain('[Open in Kibana] → https://kibana.example/app/discover');
    expect(mrkdwnToPlain('<https://x.example|label> \u001b[31mred')).toBe('label (https://x.example) red');
  });
});

describe('wording a responder cannot misread (13 C19)', () => {
  it('an attack on one account names it as the target and counts the sources', () => {
    const alert = testAlert({
      rule: 'distributed',
      keyKind: 'user',
      key: 'deploy',
      distinctIps: 12,
      summary: '40 failures on deploy from 12 IPs',
    });
    const message = buildSlackMessage(alert, { analyst: 'a@b', update: false, now: T0, serviceLabel: 'SSH' });
    const all = texts(message.blocks).join('\n');
    expect(all).toContain('*Distributed attack* against account `deploy` on *SSH* from 12 sources');
    expect(all).not.toContain('from `deploy`');
    expect(message.text).toContain('Distributed attack against account `deploy` on SSH from 12 sources');
    expect(message.text).not.toContain('from `deploy`');
  });

  it('success after failure: "N failures before the success at T (event time)"', () => {
    const alert = successAfterFailureAlert({
      failures: 216,
      lastFailure: new Date(T0 - 90_000).toISOString(),
      success: { user: 'deploy', at: new Date(T0 - 60_000).toISOString() },
    });
    const message = buildSlackMessage(alert, { analyst: 'a@b', update: false, now: T0 });
    expect(texts(message.blocks).join('\n')).toContain(
      'Successful login* as `deploy`: 216 failures before the success at 2025-06-01 11:59:00 UTC (event time, 1m ago)',
    );
  });

  it('keeps mrkdwn escaping in the account named as the target', () => {
    const alert = testAlert({
      rule: 'distributed',
      keyKind: 'user',
      key: '<!channel> & `x`',
      distinctIps: 3,
    });
    const message = buildSlackMessage(alert, { analyst: 'a@b', update: false, now: T0 });
    for (const text of [...mrkdwnTexts(message.blocks), message.text]) {
      expect(foreignControls(text)).toEqual([]);
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
    expect(texts(message.blocks).join('\n')).toContain('against account `&lt;!channel&gt; &amp; ˋxˋ`');
  });
});
