/**
 * The README's method table and the SDK agree, both ways: every public method of SobotBulkClient is named in it,
 * and every name it gives is a method of the client or an export of the package.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sdk from '../src';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const source = readFileSync(join(root, 'src', 'client.ts'), 'utf8');

/** Names in the first cell of each row of the method table: `name(…)` or `name`. */
function tableNames(): string[] {
  const table = readme.slice(readme.indexOf('| method | HTTP |'));
  const rows = table.split('\n').filter((l) => l.startsWith('| `'));
  const names = rows.flatMap((row) => {
    const first = row.slice(2).split(/ \| /)[0]!.split('→')[0]!;
    return [...first.matchAll(/(?:^|\/ )`(\w+)[(`]/g)].map((m) => m[1]!);
  });
  return [...new Set(names)];
}

/** Public methods of the class as written (TypeScript `private` ones are on the prototype too). */
function publicMethods(): string[] {
  const body = source.slice(source.indexOf('export class SobotBulkClient'));
  const all = [...body.matchAll(/^ {2}(private )?(?:async )?\*?(\w+)\(/gm)];
  return all.filter((m) => !m[1] && m[2] !== 'constructor').map((m) => m[2]!);
}

it('names every public method of the client', () => {
  const methods = publicMethods();
  expect(methods.length).toBeGreaterThan(25);
  for (const m of methods) expect(typeof Reflect.get(sdk.SobotBulkClient.prototype, m)).toBe('function');
  expect(methods.filter((m) => !tableNames().includes(m))).toEqual([]);
});

it('names no method that does not exist', () => {
  const exists = (name: string) =>
    typeof Reflect.get(sdk.SobotBulkClient.prototype, name) === 'function' || name in sdk;
  expect(tableNames().filter((n) => !exists(n))).toEqual([]);
  expect(tableNames()).toEqual(expect.arrayContaining(['createCampaign', 'pause', 'resume', 'verifyEvent']));
});

it('lists every option of createCampaign', () => {
  const options = source.slice(
    source.indexOf('export interface CampaignOptions'),
    source.indexOf('export type CreateCampaignInput'),
  );
  const names = [...options.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]!).filter((n) => n !== 'signal');
  const row = readme.split('\n').find((l) => l.startsWith('| `createCampaign('))!;
  expect(names.filter((n) => !row.includes(`${n}?`))).toEqual([]);
});
