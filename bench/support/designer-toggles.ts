import type { LayerMode } from '../../renderer/src/design/layer-mode.js';
import { DesignerSession } from './designer-session.js';

/** A toggle back and forth on one layer: `a` then `b`, again and again (the row key changes when a conv becomes an NL module). */
export interface ToggleScenario {
  readonly preset: string;
  readonly a: readonly [key: string, mode: LayerMode];
  readonly b: readonly [key: string, mode: LayerMode];
}

const SEEDED: LayerMode = { kind: 'seeded', dist: 'normal' };
const LEARNABLE: LayerMode = { kind: 'learnable' };

/** The figures the studio suite reports, in Node and (the first) in Chromium. */
export const SCENARIOS = {
  /** The goal: a ResNet-18 conv between learnable and seeded. */
  resnet18: { preset: 'resnet18-cifar', a: ['layer4.1.conv2', SEEDED], b: ['layer4.1.conv2', LEARNABLE] },
  /** The designer's default model (178 nodes): an NL module's pointwise conv seeded and back. */
  reframe: { preset: 'reframe-resnet18-cifar', a: ['layer4.1.nl2.pw', SEEDED], b: ['layer4.1.nl2.pw', LEARNABLE] },
  /** A conv swapped for an NL module and back: the structure changes, so everything is checked again. */
  nlSwap: { preset: 'resnet18-cifar', a: ['layer4.1.conv2', { kind: 'nl', cnl: 'dw', dist: 'normal' }], b: ['layer4.1.nl2', LEARNABLE] },
} as const satisfies Record<string, ToggleScenario>;

export type ScenarioName = keyof typeof SCENARIOS;

/** Milliseconds per toggle, `count` of them after `warmup` untimed ones. */
export function timeToggles(s: ToggleScenario, count: number, warmup: number): number[] {
  const session = new DesignerSession(s.preset);
  const samples: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const [key, mode] = i % 2 === 0 ? s.a : s.b;
    const t0 = performance.now();
    session.setMode(key, mode);
    const ms = performance.now() - t0;
    if (i >= warmup) samples.push(ms);
  }
  return samples;
}
