// temporary A/B harness (not committed): EXP_VARIANTS=a,b (dirs /tmp/dist-<v>), EXP_ROUNDS, EXP_SCEN=cc,refresh
import { cpSync, rmSync } from 'node:fs';
import { prepareLatchkey, startLatchkey, basic, createRefreshTokens } from './src/lib/latchkey.js';
import { stopServer, ROOT } from './src/lib/children.js';
import { peakRssMiB } from './src/lib/proc.js';
import { cannon, Problems, tokenResponseCheck } from './src/lib/load.js';
const variants = process.env.EXP_VARIANTS.split(',');
const rounds = Number(process.env.EXP_ROUNDS ?? 3);
const scen = (process.env.EXP_SCEN ?? 'cc,refresh').split(',');
const D = Number(process.env.EXP_D ?? 6);
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const inst = await prepareLatchkey({ audience: 'https://api.example' });
const res = {};
const use = (v) => { v = v.split('+')[0]; rmSync(`${ROOT}/packages/server/dist`, { recursive: true, force: true }); cpSync(`/tmp/dist-${v}`, `${ROOT}/packages/server/dist`, { recursive: true }); };
try {
  for (let r = 0; r < rounds; r++) for (const v of (r % 2 ? [...variants].reverse() : variants)) {
    use(v);
    for (const s of scen) {
      let tokens, next = 0;
      if (s === 'refresh') tokens = await createRefreshTokens(inst, 16000 * (D + 2));
      const srv = await startLatchkey(inst, (process.env[`EXP_NODE_ARGS_${v}`] ?? process.env.EXP_NODE_ARGS ?? '').split(' ').filter(Boolean));
      const gc = { sc: 0, mc: 0, scms: 0, mcms: 0 }; srv.child.stdout.on('data', (d) => { for (const l of d.toString().split('\n')) { const m = / ([\d.]+) \/ [\d.]+ ms/.exec(l); if (l.includes('Scavenge')) { gc.sc++; gc.scms += m ? +m[1] : 0; } else if (l.includes('Mark-Compact') || l.includes('Mark-sweep')) { gc.mc++; gc.mcms += m ? +m[1] : 0; } } });
      try {
        const target = s === 'cc'
          ? { url: `${inst.issuer}/token`, method: 'POST', headers: { ...form, authorization: basic(inst.service) }, body: 'grant_type=client_credentials&scope=api.read', check: tokenResponseCheck() }
          : { url: `${inst.issuer}/token`, method: 'POST', headers: { ...form, authorization: basic(inst.web) }, setupBody: () => `grant_type=refresh_token&refresh_token=${tokens[next++]}`, check: tokenResponseCheck(true) };
        const p = new Problems();
        await cannon(target, { seconds: 2, connections: 50, pid: srv.pid, problems: p });
        const m = await cannon(target, { seconds: D, connections: 50, pid: srv.pid, problems: p });
        const k = `${s} ${v}`; (res[k] ??= []).push(`${(m.requests / m.seconds).toFixed(0)}/${(m.cpuMicros / m.requests).toFixed(0)}µs/p99 ${m.latencies.p99}/rss ${peakRssMiB(srv.pid).toFixed(0)}${p.count ? ' INVALID ' + p.count + ' ' + p.first : ''}`);
        console.log(k, res[k].at(-1), JSON.stringify(gc));
      } finally { await stopServer(srv); }
    }
  }
} finally { await inst.dispose(); }
console.log(res);
