// secondsUntilMidnight, which makes "don't show again today" last until local midnight: at least
// one second, at most a day, on ordinary days and on the days clocks change.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { secondsUntilMidnight } from '../../src/routes/notice.ts';

// Node reads process.env.TZ afresh when it changes; each test file runs in a process of its own.
const originalTz = process.env.TZ;
function useZone(zone: string): void {
  process.env.TZ = zone;
  for (const instant of [Date.UTC(2024, 0, 15, 12), Date.UTC(2024, 6, 15, 12)]) {
    const date = new Date(instant);
    assert.equal(date.toLocaleString('en-US'), date.toLocaleString('en-US', { timeZone: zone }), `TZ=${zone} took effect`);
  }
}
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

function localDay(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/**
 * Every five minutes of the local day that contains `year-month-day`, and the last instants
 * before its end: the cookie must outlive none of the day's remaining time by a second, and
 * must not last past the next midnight (nor more than a day).
 */
function checkWholeDay(year: number, monthIndex: number, day: number): void {
  const start = new Date(year, monthIndex, day, 0, 0, 0, 0);
  const today = localDay(start);
  const instants: Date[] = [];
  for (let time = start.getTime(); localDay(new Date(time)) === today; time += 5 * 60_000) instants.push(new Date(time));
  const end = new Date(year, monthIndex, day, 23, 59, 59, 999);
  instants.push(end, new Date(end.getTime() - 1), new Date(end.getTime() - 999), new Date(end.getTime() - 1_000));
  assert.ok(instants.length >= 280, `only ${instants.length} instants in ${today}`);
  for (const now of instants) {
    const seconds = secondsUntilMidnight(now);
    const label = `${now.toString()} (${process.env.TZ}) gave ${seconds}`;
    assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 86_400, label);
    assert.equal(localDay(new Date(now.getTime() + (seconds - 1) * 1_000)), today, `${label}: lasts a second past midnight`);
    if (seconds < 86_400) {
      assert.notEqual(localDay(new Date(now.getTime() + seconds * 1_000)), today, `${label}: ends before midnight`);
    }
  }
}

describe('secondsUntilMidnight on an ordinary day', () => {
  for (const zone of ['UTC', 'Asia/Seoul', 'Asia/Kolkata', 'America/New_York', 'Pacific/Chatham']) {
    test(`in ${zone}: 23:59:59.999 → 1, midnight → 86400, noon → 43200`, () => {
      useZone(zone);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 23, 59, 59, 999)), 1);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 23, 59, 59, 0)), 1);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 23, 59, 58, 500)), 2, 'part of a second counts as a second');
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 0, 0, 0, 0)), 86_400);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 0, 0, 0, 1)), 86_400);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 0, 0, 1, 0)), 86_399);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 12, 0, 0, 0)), 43_200);
      assert.equal(secondsUntilMidnight(new Date(2024, 0, 15, 18, 30, 0, 0)), 5.5 * 3_600);
    });

    test(`in ${zone}: every instant of the day expires at the next midnight`, () => {
      useZone(zone);
      checkWholeDay(2024, 0, 15);
      checkWholeDay(2024, 6, 15);
      checkWholeDay(2024, 11, 31);
      checkWholeDay(2024, 1, 29);
    });
  }

  test('the Date it is given is left unchanged', () => {
    useZone('UTC');
    const now = new Date(2024, 0, 15, 12, 0, 0, 0);
    const before = now.getTime();
    secondsUntilMidnight(now);
    assert.equal(now.getTime(), before, 'the argument is left as it was');
  });
});

describe('secondsUntilMidnight on the days clocks change', () => {
  test('New York, spring forward (a 23-hour day): the real time left until midnight', () => {
    useZone('America/New_York');
    assert.equal(new Date(2024, 0, 15).getTimezoneOffset(), 300, 'TZ took effect');
    assert.equal(secondsUntilMidnight(new Date(2024, 2, 10, 0, 0, 0)), 23 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 2, 10, 1, 30, 0)), 21.5 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 2, 10, 3, 0, 0)), 21 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 2, 10, 12, 0, 0)), 12 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 2, 10, 23, 59, 59, 999)), 1);
  });

  test('New York, fall back (a 25-hour day): never more than 86400', () => {
    useZone('America/New_York');
    assert.equal(new Date(2024, 0, 15).getTimezoneOffset(), 300, 'TZ took effect');
    assert.equal(secondsUntilMidnight(new Date(2024, 10, 3, 0, 0, 0)), 86_400, '25 hours left, capped at 24');
    assert.equal(secondsUntilMidnight(new Date(2024, 10, 3, 0, 30, 0)), 86_400);
    // 01:30 happens twice; a local-time constructor picks the first (daylight) one.
    assert.equal(secondsUntilMidnight(new Date(2024, 10, 3, 1, 30, 0)), 23.5 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 10, 3, 2, 0, 0)), 22 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 10, 3, 12, 0, 0)), 12 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 10, 3, 23, 59, 59, 999)), 1);
  });

  const changeDays: Array<{ zone: string; days: Array<[number, number, number]> }> = [
    // Spring forward and fall back at 02:00.
    { zone: 'America/New_York', days: [[2024, 2, 10], [2024, 10, 3]] },
    // At 01:00 UTC.
    { zone: 'Europe/London', days: [[2024, 2, 31], [2024, 9, 27]] },
    // At midnight itself: 24:00 becomes 01:00 (that midnight never happens), and 24:00 becomes 23:00.
    { zone: 'America/Santiago', days: [[2024, 8, 7], [2024, 8, 8], [2024, 3, 6], [2024, 3, 7]] },
    // Half an hour.
    { zone: 'Australia/Lord_Howe', days: [[2024, 3, 7], [2024, 9, 6]] },
  ];
  for (const { zone, days } of changeDays) {
    test(`${zone}: every instant of each change day expires at the next midnight, within a day`, () => {
      useZone(zone);
      for (const [year, month, day] of days) checkWholeDay(year, month, day);
    });
  }

  test('Santiago, the day before the missing midnight: expiry is the moment the next day starts', () => {
    useZone('America/Santiago');
    // 2024-09-07 24:00 (-04) is 2024-09-08 01:00 (-03): from noon that is 12 real hours.
    assert.equal(secondsUntilMidnight(new Date(2024, 8, 7, 12, 0, 0)), 12 * 3_600);
    assert.equal(secondsUntilMidnight(new Date(2024, 8, 7, 23, 59, 59, 999)), 1);
  });
});
