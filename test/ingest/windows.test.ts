import { describe, expect, it } from 'vitest';
import { decodeWindowsRecord, isWindowsRecord, lookup, windowsTime } from '../../source/ingest/windows.js';
import { normalizeStatus } from '../../source/ingest/windows-codes.js';

describe('Windows helpers', () => {
  it('normalises NTSTATUS codes to Winlogbeat’s lower-case hex', () => {
    expect(normalizeStatus('0xC000006D')).toBe('0xc000006d');
    expect(normalizeStatus(-1073741724)).toBe('0xc0000064');
    expect(normalizeStatus(3221225578)).toBe('0xc000006a');
    expect(normalizeStatus('-1073741715')).toBe('0xc000006d');
    expect(normalizeStatus('0x0')).toBe('0x00000000');
    expect(normalizeStatus('%%2313')).toBe('%%2313');
    expect(normalizeStatus('')).toBeUndefined();
  });

  it('reads every time form the exports use', () => {
    expect(windowsTime('/Date(1730604001500)/', 'utc')).toBe(1730604001500);
    expect(windowsTime('/Date(1730604001500+0100)/', 'utc')).toBe(1730604001500);
    expect(windowsTime({ value: '/Date(1730604001500)/', DateTime: 'Sunday…' }, 'utc')).toBe(1730604001500);
    expect(windowsTime({ '#attributes': { SystemTime: '2024-11-03T03:20:01.5Z' } }, 'utc')).toBe(
      1730604001500,
    );
    expect(windowsTime(1730604001, 'utc')).toBe(1730604001000);
    expect(windowsTime('2024-11-03 03:20:01', 120)).toBe(Date.UTC(2024, 10, 3, 1, 20, 1));
    expect(windowsTime('soon', 'utc')).toBeUndefined();
  });

  it('looks up dotted keys and nested objects alike', () => {
    const record = {
      'winlog.event_data': { IpAddress: '192.0.2.1' },
      event: { code: '4625' },
      'a.b': { 'c.d': 1 },
    };
    expect(lookup(record, 'winlog.event_data.IpAddress')).toBe('192.0.2.1');
    expect(lookup(record, 'event.code')).toBe('4625');
    expect(lookup(record, 'a.b.c.d')).toBe(1);
    expect(lookup(record, 'missing.path')).toBeUndefined();
  });

  it('recognises Windows records and skips other event ids', () => {
    expect(isWindowsRecord({ EventID: 4625, EventData: {} })).toBe(true);
    expect(isWindowsRecord({ Id: 7, name: 'x' })).toBe(false);
    expect(decodeWindowsRecord({ EventID: 4740, EventData: { TargetUserName: 'x' } }, 'utc')).toEqual({
      skip: 'event 4740',
    });
  });

  it('fills LogonType from winlog.logon.type when only the name is there, and maps names back to numbers', () => {
    const result = decodeWindowsRecord(
      {
        '@timestamp': '2024-11-03T03:20:01Z',
        'event.code': '4625',
        'winlog.computer_name': 'H',
        'winlog.logon.type': 'RemoteInteractive',
        'winlog.event_data': { TargetUserName: 'u' },
      },
      'utc',
    );
    expect(result).toMatchObject({ logon: { eventData: { LogonType: '10', TargetUserName: 'u' } } });
    const byName = decodeWindowsRecord(
      {
        EventID: 4625,
        TimeCreated: '2024-11-03T03:20:01Z',
        Computer: 'H',
        EventData: { LogonType: 'Network' },
      },
      'utc',
    );
    expect(byName).toMatchObject({ logon: { eventData: { LogonType: '3' } } });
  });

  it('reports logons it cannot place', () => {
    expect(
      decodeWindowsRecord(
        { EventID: 4625, TimeCreated: '2024-11-03T03:20:01Z', EventData: { X: '1' } },
        'utc',
      ),
    ).toEqual({
      error: 'Windows event 4625 without a computer name',
    });
    expect(
      decodeWindowsRecord({ EventID: 4625, TimeCreated: '2024-11-03T03:20:01Z', Computer: 'H' }, 'utc'),
    ).toEqual({
      error: 'Windows event 4625 without event data',
    });
  });
});
