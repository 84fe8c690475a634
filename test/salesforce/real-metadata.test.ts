/**
 * Real Salesforce metadata, as 25 public projects commit it (../shared/fixtures/salesforce-real, read in
 * place): each project's files go through the gateway's POST /api/import and GET /api/export. Valid files
 * come back with the fields they give and under their own component names; the files the fixture set
 * marks "must be refused" are refused, named, and nothing is written; the export imports into an empty
 * gateway to the same state. Expectations are read from the XML here, independently of the importer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { api, repoRoot, startCli, tempDir, TOKEN, type RunningGateway } from '../gateway/helpers.js';

const FIXTURES = join(repoRoot(), '..', 'shared', 'fixtures', 'salesforce-real');
const DIRECTIVES = ['Connect', 'Font', 'Frame', 'Img', 'Media', 'Style'].map((d) => `isApplicableTo${d}Src`);

interface Snapshot {
  repo: string;
  commit: string;
  dir: string;
  format: string;
  apiVersion: string;
  files: { path: string }[];
}

/** Leaf elements of a metadata file (whitespace inside tags allowed, as `<description\n    >` is committed). */
function fieldsOf(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<([A-Za-z]+)\s*>([^<]*)<\/\1\s*>/g)) out[m[1]!] = m[2]!.trim();
  return out;
}

const kindOf = (path: string) => {
  const base = path.split('/').pop()!;
  return /\.corswhitelistorigin(-meta\.xml)?$/i.test(base)
    ? 'cors'
    : /\.csptrustedsite(-meta\.xml)?$/i.test(base)
      ? 'csp'
      : 'other';
};
const nameOf = (path: string) =>
  path
    .split('/')
    .pop()!
    .replace(/-meta\.xml$/i, '')
    .replace(/\.[^.]+$/, '');

/** The files SOURCES.md marks "must be refused", as `<dir>/<path>`. */
function mustBeRefused(snapshots: Snapshot[]): Set<string> {
  const sources = readFileSync(join(FIXTURES, 'SOURCES.md'), 'utf8');
  const out = new Set<string>();
  let current: Snapshot | undefined;
  for (const line of sources.split('\n')) {
    const head = /^### (\S+) @ `([0-9a-f]{40})`/.exec(line);
    if (head) current = snapshots.find((s) => s.repo === head[1] && s.commit === head[2]);
    const row = /^\| `([^`]+)` \|.*\*\*must be refused\*\*/.exec(line);
    if (row && current) out.add(`${current.dir}/${row[1]}`);
  }
  return out;
}

/** What the org holds for a valid CspTrustedSite file, by Salesforce's rules for its API version. */
function expectedSite(xml: string, apiVersion: number): Record<string, string | boolean> {
  const f = fieldsOf(xml);
  const flags = Object.fromEntries(DIRECTIVES.map((d) => [d, f[d] === 'true']));
  if (
    !Object.values(flags).some(Boolean) &&
    f.canAccessCamera !== 'true' &&
    f.canAccessMicrophone !== 'true'
  ) {
    // Metadata API guide: all six up to API 49, img-src from 50 to 58.
    for (const d of DIRECTIVES) flags[d] = apiVersion <= 49 || d === 'isApplicableToImgSrc';
  }
  return {
    endpointUrl: f.endpointUrl!,
    context: f.context ?? 'LEX',
    isActive: f.isActive !== 'false',
    ...flags,
    ...(f.description ? { description: f.description } : {}),
    ...(f.canAccessCamera ? { canAccessCamera: f.canAccessCamera === 'true' } : {}),
    ...(f.canAccessMicrophone ? { canAccessMicrophone: f.canAccessMicrophone === 'true' } : {}),
  };
}

async function upload(gw: RunningGateway, zip: Uint8Array) {
  const res = await fetch(`${gw.admin}/api/import?filename=metadata.zip`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/zip' },
    body: Buffer.from(zip),
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function exported(
  gw: RunningGateway,
): Promise<{ files: { path: string; content: string }[]; zip: Uint8Array }> {
  const json = (await api(gw.admin)('GET', '/api/export?format=json')).json as {
    files: { path: string; content: string }[];
  };
  const zip = new Uint8Array(
    await (
      await fetch(`${gw.admin}/api/export`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).arrayBuffer(),
  );
  return { files: json.files, zip };
}

async function clear(gw: RunningGateway): Promise<void> {
  const call = api(gw.admin);
  for (const kind of ['allowlist', 'trusted-sites']) {
    for (const item of (await call('GET', `/api/${kind}?limit=1000`)).json.items as { id: string }[])
      assert.equal((await call('DELETE', `/api/${kind}/${item.id}`)).status, 204);
  }
}

describe('real Salesforce metadata through /api/import and /api/export', () => {
  const snapshots = JSON.parse(readFileSync(join(FIXTURES, 'snapshots.json'), 'utf8')) as Snapshot[];
  const refused = mustBeRefused(snapshots);
  const tmp = tempDir();
  let a: RunningGateway;
  let b: RunningGateway;
  before(async () => {
    [a, b] = await Promise.all([
      startCli(['--store', `sqlite:${tmp.dir}/a.db`]),
      startCli(['--store', `sqlite:${tmp.dir}/b.db`]),
    ]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    tmp.cleanup();
  });

  test('the fixture set is there and marks its refusals', () => {
    assert.equal(snapshots.length, 32);
    assert.equal(refused.size, 6);
  });

  for (const snap of snapshots) {
    test(`${snap.repo}@${snap.commit.slice(0, 7)} (${snap.format}, API ${snap.apiVersion})`, async () => {
      await Promise.all([clear(a), clear(b)]);
      const files = Object.fromEntries(
        snap.files.map((f) => [f.path, readFileSync(join(FIXTURES, snap.dir, f.path), 'utf8')]),
      );
      // A source-format project states its API version in sfdx-project.json (not copied into the fixture set).
      const project =
        snap.format === 'source'
          ? {
              'sfdx-project.json': JSON.stringify({
                packageDirectories: [{ path: 'force-app', default: true }],
                sourceApiVersion: snap.apiVersion,
              }),
            }
          : {};
      const zipOf = (paths: string[]) =>
        zipSync(
          Object.fromEntries(
            [...Object.entries(project), ...paths.map((p) => [p, files[p]!] as const)].map(([p, c]) => [
              p,
              strToU8(c),
            ]),
          ),
        );
      const bad = snap.files.map((f) => f.path).filter((p) => refused.has(`${snap.dir}/${p}`));
      const good = snap.files.map((f) => f.path).filter((p) => !bad.includes(p));

      if (bad.length) {
        const before = await exported(a);
        const all = await upload(a, zipOf(Object.keys(files)));
        assert.equal(all.status, 400, JSON.stringify(all.json));
        const named = (all.json.error?.problems ?? all.json.problems) as { file: string; message: string }[];
        for (const p of bad)
          assert.ok(
            named.some((x) => x.file.endsWith(p)),
            `${p} is named: ${JSON.stringify(named)}`,
          );
        assert.deepEqual(
          named.filter((x) => !bad.some((p) => x.file.endsWith(p))),
          [],
          'nothing else is flagged',
        );
        const valid = all.json.error?.valid ?? all.json.valid;
        assert.equal(
          valid.corsOrigins + valid.trustedSites,
          good.filter((p) => kindOf(p) !== 'other').length,
          'the valid entries are counted',
        );
        assert.deepEqual((await exported(a)).files, before.files, 'nothing was written');
      }
      // Import is all or nothing: the rest of the upload imports on its own.
      if (!good.some((p) => kindOf(p) !== 'other')) return;
      const res = await upload(a, zipOf(good));
      assert.equal(res.status, 200, JSON.stringify(res.json));

      const out = await exported(a);
      const byPath = new Map(out.files.map((f) => [f.path, f.content]));
      for (const path of good) {
        const kind = kindOf(path);
        if (kind === 'other') continue;
        const exportedFile = byPath.get(
          kind === 'cors'
            ? `corsWhitelistOrigins/${nameOf(path)}.corsWhitelistOrigin`
            : `cspTrustedSites/${nameOf(path)}.cspTrustedSite`,
        );
        assert.ok(
          exportedFile,
          `${path} is exported under its own name ${nameOf(path)}: ${[...byPath.keys()].join(', ')}`,
        );
        const got = fieldsOf(exportedFile);
        if (kind === 'cors') {
          assert.equal(got.urlPattern, fieldsOf(files[path]!).urlPattern, path);
        } else {
          const want = expectedSite(files[path]!, Number(snap.apiVersion));
          const gotTyped = Object.fromEntries(
            Object.entries(got).map(([k, v]) => [k, v === 'true' ? true : v === 'false' ? false : v]),
          );
          assert.deepEqual(gotTyped, want, path);
        }
      }
      // The export deploys back: into an empty gateway, it gives the same export.
      const again = await upload(b, out.zip);
      assert.equal(again.status, 200, JSON.stringify(again.json));
      assert.deepEqual((await exported(b)).files, out.files);
    });
  }
});
