/**
 * The mapper without the cycle model: tiles cover the output once, the PE's affine address
 * registers put every valid product at its linear accumulator address, the products land on
 * the reference's outputs, descriptors carry exactly the job layout's fields, and each tile
 * drains once.
 */
import { describe, it, expect } from 'vitest';
import { derive } from '../../generator/config.ts';
import { JOB_FIELDS, fits, jobLayout } from '../../generator/layout.ts';
import { pairProducts } from '../../golden/model/coord.ts';
import { size } from '../../golden/workload/tensor.ts';
import { reference } from '../../testbench/cosim.ts';
import { cases } from './cases.ts';

describe.each(cases().map((c) => [c.name, c] as const))('%s', (_name, { cfg, w, tensors, m }) => {
  it('tiles cover every output: once, or (fwd, bwd) several times only at output halos', () => {
    const seen = new Uint8Array(size(m.outShape));
    for (const tile of m.tiles) {
      expect(tile.count).toBeLessThanOrEqual(cfg.banks * cfg.bankDepth);
      for (let addr = 0; addr < tile.count; addr++) seen[m.outIndex(tile, addr)]++;
    }
    expect(seen.every((n) => n >= 1)).toBe(true);
    const halos = w.kind === 'conv' && (w.phase === 'fwd' || w.phase === 'bwd');
    // A halo overlaps at most the neighbouring tiles: two in each planar direction.
    expect(seen.every((n) => n <= (halos ? 4 : 1))).toBe(true);
  });

  it('every stationary element is loaded by one PE of its group only (planar tiles own their inputs: no input halo)', () => {
    if (w.kind !== 'conv' || w.phase === 'wgrad') return;
    const { R, S, stride: u, pad: p } = w;
    let loaded = 0;
    for (const aj of m.arrayJobs) {
      if (!aj.bcast) continue;
      // Within a broadcast group, one array job is one reduction step: positions are comparable.
      // (Groups take different slices of output channels, so each loads its own copy.)
      const owner = new Map<string, number>();
      const group = aj.group ?? aj.pe.length;
      aj.pe.forEach((job, pe) => {
        const tile = m.tiles[job.tile];
        if (!tile) return;
        const [, , oy, ox] = tile.origin;
        for (const v of job.a) for (const e of v) {
          // Undo the mapper's relative coordinates: fwd (h+p-oy*u) split into (div u, phase tag); bwd y*u-p+R-1-oy.
          const pos = w.phase === 'fwd'
            ? `${e.y * u + (u > 1 ? Math.floor(e.g / u) : 0) + oy * u - p},${e.x * u + (u > 1 ? e.g % u : 0) + ox * u - p}`
            : `${(e.y + p - R + 1 + oy) / u},${(e.x + p - S + 1 + ox) / u}`;
          const key = `${Math.floor(pe / group)}:${pos}`;
          expect(owner.get(key) ?? pe).toBe(pe);
          owner.set(key, pe);
          loaded++;
        }
      });
    }
    expect(loaded).toBeGreaterThan(0);
  });

  it('every valid product: the affine address equals c*limY*limX + oy*limX + ox, and the products sum to the reference', () => {
    const addrMod = 2 ** derive(cfg).addrWidth;
    const out = new Float64Array(size(m.outShape));
    let checked = 0;
    const wrong: object[] = [];
    for (const aj of m.arrayJobs) for (const job of aj.pe) {
      const d = job.desc, tile = m.tiles[job.tile];
      const sa = d.signA ? -1 : 1, sb = d.signB ? -1 : 1, plane = d.limY * d.limX;
      for (const b of job.b) for (const a of job.a) {
        const pp = pairProducts(d, b, a, cfg.I);
        pp.validP.forEach((p, k) => {
          const eb = b[Math.floor(p / cfg.I)], ea = a[p % cfg.I];
          const oy = sa * ea.y + sb * eb.y + d.offY, ox = sa * ea.x + sb * eb.x + d.offX;
          // What af_coord computes, modulo 2^addrWidth.
          const hw = ea.c * d.strideAC + eb.c * d.strideBC + sa * (ea.y * d.limX + ea.x) + sb * (eb.y * d.limX + eb.x) + d.offAddr;
          const addr = pp.validAddr[k];
          // Collected rather than asserted one by one: there are thousands of products.
          if (((hw % addrMod) + addrMod) % addrMod !== addr || addr % plane !== oy * d.limX + ox || addr >= tile.count) {
            wrong.push({ addr, hw, oy, ox, tile: job.tile });
          }
          out[m.outIndex(tile, addr)] += ea.val * eb.val;
          checked++;
        });
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(wrong.slice(0, 3)).toEqual([]);
    const ref = reference(w, tensors, cfg.accWidth);
    expect(Array.from(out)).toEqual(Array.from(ref.data, Number));
  });

  it('descriptors have exactly the job layout fields, each fitting its register', () => {
    const layout = jobLayout(cfg);
    for (const aj of m.arrayJobs) for (const job of aj.pe) {
      expect(Object.keys(job.desc).sort()).toEqual([...JOB_FIELDS].sort());
      for (const f of layout.fields) expect(fits(f, job.desc[f.name]), f.name).toBe(true);
      expect(job.desc.nA).toBe(job.a.length);
      expect(job.desc.nB).toBe(job.b.length);
      expect(job.a.every((v) => v.length <= cfg.I) && job.b.every((v) => v.length <= cfg.F)).toBe(true);
      expect(job.a.length).toBeLessThanOrEqual(cfg.aDepth);
      expect(job.b.length).toBeLessThanOrEqual(cfg.bDepth);
    }
  });

  it('each tile drains once, in the last job that uses it, with all its rows', () => {
    const drains = new Map<number, number>();
    m.arrayJobs.forEach((aj, i) => {
      const drained = new Set(aj.pe.filter((j) => j.desc.drain).map((j) => j.tile));
      for (const t of drained) {
        expect(drains.has(t)).toBe(false);
        drains.set(t, i);
      }
      for (const j of aj.pe) if (j.desc.drain) expect(j.desc.drainRows).toBe(Math.ceil(m.tiles[j.tile].count / cfg.banks));
    });
    expect([...drains.keys()].sort((x, y) => x - y)).toEqual(m.tiles.map((_, t) => t));
    m.arrayJobs.forEach((aj, i) => { for (const j of aj.pe) if (j.tile >= 0) expect(i).toBeLessThanOrEqual(drains.get(j.tile)!); });
  });
});
