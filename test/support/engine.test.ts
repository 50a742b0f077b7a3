import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { basicAuthorization, parseLocalNode, splitCredentials } from '../../scripts/engine/cluster-http.js';
import { parseProcStat } from '../../scripts/engine/processes.js';
import {
  chooseJdk,
  instancePaths,
  javaRequirement,
  lastLines,
  looksLikeBindFailure,
  mavenCoordinates,
  parseJavaRelease,
  parseServiceToken,
  parseVersion,
  rewriteJvmOptions,
  serverArgs,
  serverEnv,
} from '../../scripts/engine/settings.js';
import { startEngine } from '../../scripts/engine.js';
import { faultDrills, leaseFaultEngine, SECURED_USERS } from './fault-engine.js';

describe('engine settings', () => {
  it('parses versions and rejects anything else', () => {
    expect(parseVersion('8.19.9')).toEqual({ major: 8, minor: 19, patch: 9 });
    expect(() => parseVersion('8.19')).toThrow(/MAJOR.MINOR.PATCH/);
    expect(() => parseVersion('latest')).toThrow();
  });

  it('builds Maven coordinates and the local repository path of the zip', () => {
    const es = mavenCoordinates('elasticsearch', '8.19.9');
    expect(es.artifact).toBe('org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.9:zip');
    expect(es.repositoryPath).toBe(
      'org/elasticsearch/distribution/integ-test-zip/elasticsearch/8.19.9/elasticsearch-8.19.9.zip',
    );
    expect(mavenCoordinates('opensearch', '3.4.0').artifact).toBe(
      'org.opensearch.distribution.integ-test-zip:opensearch:3.4.0:zip',
    );
  });

  it('picks Java 17 for ES 8 / OpenSearch 2 and Java 21+ for ES 9 / OpenSearch 3', () => {
    const installed = [
      { home: '/jvm/25', major: 25 },
      { home: '/jvm/17', major: 17 },
    ];
    expect(chooseJdk(javaRequirement('elasticsearch', '8.19.9'), installed)?.major).toBe(17);
    expect(chooseJdk(javaRequirement('opensearch', '2.19.5'), installed)?.major).toBe(17);
    expect(chooseJdk(javaRequirement('elasticsearch', '9.2.0'), installed)?.major).toBe(25);
    expect(chooseJdk(javaRequirement('opensearch', '3.4.0'), installed)?.major).toBe(25);
    // Nothing new enough: no choice rather than a JDK the server rejects.
    expect(
      chooseJdk(javaRequirement('elasticsearch', '9.2.0'), [{ home: '/jvm/17', major: 17 }]),
    ).toBeUndefined();
    // No preferred major installed: the oldest one that is new enough.
    expect(
      chooseJdk(javaRequirement('elasticsearch', '8.19.9'), [
        { home: '/jvm/24', major: 24 },
        { home: '/jvm/22', major: 22 },
      ])?.major,
    ).toBe(22);
  });

  it('reads the Java major from a JDK release file', () => {
    expect(parseJavaRelease('IMPLEMENTOR="Debian"\nJAVA_VERSION="17.0.15"\n')).toBe(17);
    expect(parseJavaRelease('JAVA_VERSION="25"\n')).toBe(25);
    expect(parseJavaRelease('JAVA_VERSION="1.8.0_402"\n')).toBe(8);
    expect(parseJavaRelease('OS_NAME="Linux"\n')).toBeUndefined();
  });

  it('runs one loopback node with disk thresholds off, security explicit for Elasticsearch only', () => {
    const paths = instancePaths('/i');
    const settings = { httpPort: 9250, transportPort: 9350, paths, security: false };
    const es = serverArgs('elasticsearch', settings).join(' ');
    expect(es).toContain('-E discovery.type=single-node');
    expect(es).toContain('-E network.host=127.0.0.1');
    expect(es).toContain('-E http.port=9250 -E transport.port=9350');
    expect(es).toContain('-E cluster.routing.allocation.disk.threshold_enabled=false');
    expect(es).toContain('-E path.data=/i/data -E path.logs=/i/logs');
    expect(es).toContain('-E xpack.security.enabled=false');
    expect(serverArgs('elasticsearch', { ...settings, security: true }).join(' ')).toContain(
      'xpack.security.enabled=true',
    );
    expect(serverArgs('opensearch', settings).join(' ')).not.toContain('xpack');
  });

  it('gives the server a closed environment with a 512 MB heap and per-instance config', () => {
    const env = serverEnv('opensearch', '/jdk', instancePaths('/i'));
    expect(env).toMatchObject({
      OPENSEARCH_JAVA_HOME: '/jdk',
      OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
      OPENSEARCH_PATH_CONF: '/i/config',
      OPENSEARCH_TMPDIR: '/i/tmp',
    });
    expect(Object.keys(env)).not.toContain('JAVA_HOME');
    expect(serverEnv('elasticsearch', '/jdk', instancePaths('/i'))).toMatchObject({
      ES_JAVA_HOME: '/jdk',
      ES_JAVA_OPTS: '-Xms512m -Xmx512m',
      // Elasticsearch's launcher and CLI tools: short-lived JVMs, first JIT tier only.
      CLI_JAVA_OPTS: '-XX:TieredStopAtLevel=1',
    });
    // A short-lived server (fault drills) too.
    expect(
      serverEnv('opensearch', '/jdk', instancePaths('/i'), { quickJit: true }).OPENSEARCH_JAVA_OPTS,
    ).toBe('-Xms512m -Xmx512m -XX:TieredStopAtLevel=1');
  });

  it('moves relative log, error and heap dump paths of jvm.options into the instance', () => {
    const options = [
      '## -XX:HeapDumpPath=/heap/dump/path',
      '-XX:HeapDumpPath=data',
      '-XX:ErrorFile=logs/hs_err_pid%p.log',
      '8:-Xloggc:logs/gc.log',
      '9-:-Xlog:gc*,gc+age=trace,safepoint:file=logs/gc.log:utctime,pid,tags:filecount=32,filesize=64m',
      '-Xlog:gc*:file=gc.log:utctime',
      '-XX:ErrorFile=/abs/hs_err.log',
      '-XX:+UseG1GC',
    ].join('\n');
    expect(rewriteJvmOptions(options, instancePaths('/i')).split('\n')).toEqual([
      '## -XX:HeapDumpPath=/heap/dump/path',
      '-XX:HeapDumpPath=/i/logs',
      '-XX:ErrorFile=/i/logs/hs_err_pid%p.log',
      '8:-Xloggc:/i/logs/gc.log',
      '9-:-Xlog:gc*,gc+age=trace,safepoint:file=/i/logs/gc.log:utctime,pid,tags:filecount=32,filesize=64m',
      '-Xlog:gc*:file=/i/logs/gc.log:utctime',
      '-XX:ErrorFile=/abs/hs_err.log',
      '-XX:+UseG1GC',
    ]);
  });

  it('reads a service token, log tails and bind failures', () => {
    expect(parseServiceToken('SERVICE_TOKEN elastic/kibana/soc-watch = AAEAAWVsYXN0aWM\n')).toBe(
      'AAEAAWVsYXN0aWM',
    );
    expect(parseServiceToken('ERROR: nope\n')).toBeUndefined();
    expect(lastLines('a\n\nb\r\nc\n', 2)).toEqual(['b', 'c']);
    expect(looksLikeBindFailure('BindHttpException: Failed to bind to 127.0.0.1:9200')).toBe(true);
    expect(looksLikeBindFailure('java.lang.OutOfMemoryError')).toBe(false);
  });

  it('parses /proc stat lines whose command holds spaces and parentheses', () => {
    const line = '4242 (java (x) y) S 1 4240 4240 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 30 0 98765 1 2 3';
    expect(parseProcStat(line)).toEqual({ pid: 4242, state: 'S', ppid: 1, pgid: 4240, startTime: 98765 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('validates node info and moves URL credentials into a header', () => {
    expect(parseLocalNode({ nodes: { abc: { version: '8.19.9', process: { id: 7 } } } })).toEqual({
      version: '8.19.9',
      pid: 7,
    });
    expect(parseLocalNode({ nodes: {} })).toBeUndefined();
    expect(parseLocalNode({ error: 'x' })).toBeUndefined();
    expect(splitCredentials('http://u:p%40ss@127.0.0.1:9200/')).toEqual({
      base: 'http://127.0.0.1:9200',
      authorization: basicAuthorization('u', 'p@ss'),
    });
    expect(splitCredentials('http://127.0.0.1:9200').authorization).toBeUndefined();
  });
});

describe('startEngine (real Elasticsearch)', () => {
  it('refuses a port that is already taken, before starting anything', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(startEngine({ kind: 'elasticsearch', port })).rejects.toThrow(`port ${port}`);
    } finally {
      blocker.close();
    }
  });

  // The run's secured fault-drill server, which startEngine started (security, file-realm users,
  // a service token). Not a server of this file's own: a start costs 20–40 s of CPU on CI.
  // kill() and start() are checked by the poller drill of test/cluster/faults.test.ts (no process
  // left, data kept, back on the same URL); stop() by the pool's teardown (no process, no
  // directory left, else the run fails).
  it.skipIf(!faultDrills())(
    'runs with security: 401 without credentials or with a wrong password, 200 with',
    async () => {
      const engine = await leaseFaultEngine('secured');
      try {
        const user = SECURED_USERS.analyst;
        expect(engine.version).toBe(inject('esVersion'));
        expect(engine.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(existsSync(join(engine.instanceDir, 'data'))).toBe(true);
        const health = `${engine.url}/_cluster/health`;
        expect((await fetch(health)).status).toBe(401);
        expect(
          (await fetch(health, { headers: { authorization: basicAuthorization(user.name, 'wrong') } }))
            .status,
        ).toBe(401);
        const authorization = basicAuthorization(user.name, user.password);
        expect((await fetch(health, { headers: { authorization } })).status).toBe(200);
      } finally {
        await engine.release();
      }
    },
  );
});
