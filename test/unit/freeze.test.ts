import type { Freeze } from '../../intents/define-intent';
import { activeFreeze, localTime, zonedInstant } from '../../intents/deploys/freeze';
import { takeOverride } from '../../intents/deploys/request-words';

const BERLIN = 'Europe/Berlin';
/** Friday 24 Nov 2026 does not exist: 2026-11-27 is a Friday. */
const at = (iso: string) => Date.parse(iso);

describe('freeze windows in the team’s time zone', () => {
  const friday: Freeze = { reason: 'No Friday deploys', days: ['fri'], from: '15:00', to: '24:00' };
  const nights: Freeze = {
    reason: 'Nightly batch',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    from: '22:00',
    to: '06:00',
  };
  const holidays: Freeze = { reason: 'Holidays', start: '2026-12-24', end: '2026-12-26' };

  it('is in force on the listed day between the times, read in the time zone, and says when it ends', () => {
    // 14:30 UTC is 15:30 in Berlin (CET, +1)
    const found = activeFreeze([friday], at('2026-11-27T14:30:00Z'), BERLIN);
    expect(found?.freeze.reason).toBe('No Friday deploys');
    expect(new Date(found?.endsAt ?? 0).toISOString()).toBe('2026-11-27T23:00:00.000Z');
    expect(localTime(found?.endsAt ?? 0, BERLIN)).toBe('Sat 28 Nov 00:00 (Europe/Berlin)');
    // 13:30 UTC is 14:30 in Berlin: not yet; on Thursday: never
    expect(activeFreeze([friday], at('2026-11-27T13:30:00Z'), BERLIN)).toBeUndefined();
    expect(activeFreeze([friday], at('2026-11-26T16:00:00Z'), BERLIN)).toBeUndefined();
  });

  it('runs overnight into the next morning when `to` is not after `from`', () => {
    const lateFriday = activeFreeze([nights], at('2026-11-27T22:30:00Z'), BERLIN); // Fri 23:30 Berlin
    const earlySaturday = activeFreeze([nights], at('2026-11-28T04:00:00Z'), BERLIN); // Sat 05:00 Berlin
    expect(new Date(lateFriday?.endsAt ?? 0).toISOString()).toBe('2026-11-28T05:00:00.000Z');
    expect(new Date(earlySaturday?.endsAt ?? 0).toISOString()).toBe('2026-11-28T05:00:00.000Z');
    // Saturday night is not listed, and Monday 05:00 follows Sunday, which is not either
    expect(activeFreeze([nights], at('2026-11-28T22:30:00Z'), BERLIN)).toBeUndefined();
    expect(activeFreeze([nights], at('2026-11-30T04:00:00Z'), BERLIN)).toBeUndefined();
  });

  it('covers whole dated days, end day included', () => {
    expect(activeFreeze([holidays], at('2026-12-23T22:59:00Z'), BERLIN)).toBeUndefined();
    const found = activeFreeze([holidays], at('2026-12-26T22:00:00Z'), BERLIN); // 23:00 on the 26th
    expect(new Date(found?.endsAt ?? 0).toISOString()).toBe('2026-12-26T23:00:00.000Z');
    expect(activeFreeze([holidays], at('2026-12-26T23:00:00Z'), BERLIN)).toBeUndefined();
  });

  it('reads wall-clock times across a daylight-saving change', () => {
    // Berlin moves to CEST (+2) on 29 March 2026: 09:00 local is 08:00 UTC before, 07:00 UTC after
    expect(new Date(zonedInstant(2026, 3, 28, 9 * 60, BERLIN)).toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(new Date(zonedInstant(2026, 3, 30, 9 * 60, BERLIN)).toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });
});

describe('the override said after a request', () => {
  it('is taken off the request, with its reason', () => {
    expect(takeOverride('web prod v1.8.2 override: hotfix for INC-42')).toEqual({
      text: 'web prod v1.8.2',
      override: 'hotfix for INC-42',
    });
    expect(takeOverride('web prod v1.8.2 --override "INC-7"')).toEqual({ text: 'web prod v1.8.2', override: 'INC-7' });
    expect(takeOverride('web prod v1.8.2')).toEqual({ text: 'web prod v1.8.2' });
  });
});
