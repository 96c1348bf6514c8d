// The progress bar draws on a terminal only, at most ten times a second, fits the line, and leaves a clean line behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar, type ProgressStream } from '../../src/cli/progress-bar.ts';

function terminal(columns = 80): ProgressStream & { written: string[] } {
  const written: string[] = [];
  return { isTTY: true, columns, written, write: (text: string) => written.push(text) };
}

test('nothing is drawn when standard error is not a terminal', () => {
  const written: string[] = [];
  const bar = progressBar('importing', { isTTY: false, write: (text: string) => written.push(text) });
  bar.update(5, 10);
  bar.update(10, 10);
  bar.finish();
  assert.deepEqual(written, []);
});

test('the bar shows the share done, the counts, and erases the rest of the line', () => {
  const stream = terminal();
  const bar = progressBar('importing', stream, () => 0);
  bar.update(48_000, 100_000);
  assert.equal(stream.written.length, 1);
  const line = stream.written[0]!;
  assert.match(line, /^\rimporting \[#+-+\]  48% 48000\/100000\x1b\[K$/);
  const inside = /\[(.*)\]/.exec(line)![1]!;
  assert.equal(inside.replace(/-/g, '').length, Math.round(0.48 * inside.length));
});

test('redraws at most every 100 ms, but always at completion', () => {
  const stream = terminal();
  let clock = 0;
  const bar = progressBar('importing', stream, () => clock);
  bar.update(1, 10);
  clock = 50;
  bar.update(2, 10);
  assert.equal(stream.written.length, 1, 'redrawn within 100 ms');
  clock = 150;
  bar.update(3, 10);
  assert.equal(stream.written.length, 2);
  clock = 160;
  bar.update(10, 10);
  assert.equal(stream.written.length, 3, 'the last step is always drawn');
  assert.match(stream.written[2]!, /100% 10\/10/);
});

test('the line never outgrows a narrow terminal', () => {
  const stream = terminal(40);
  progressBar('importing', stream, () => 0).update(5, 100_000);
  const visible = stream.written[0]!.replace('\r', '').replace('\x1b[K', '');
  assert.ok(visible.length <= 40, `${visible.length} characters: ${visible}`);
});

test('finish erases a drawn bar, and writes nothing when none was drawn', () => {
  const stream = terminal();
  const bar = progressBar('importing', stream, () => 0);
  bar.finish();
  assert.deepEqual(stream.written, []);
  bar.update(0, 0);
  bar.finish();
  assert.equal(stream.written.at(-1), '\r\x1b[K');
});

test('a terminal that tells no width is drawn as 80 columns wide', () => {
  const stream = terminal(0);
  progressBar('importing', stream, () => 0).update(1, 2);
  assert.match(stream.written[0]!, /\[#{5,}-{5,}\]/);
});
