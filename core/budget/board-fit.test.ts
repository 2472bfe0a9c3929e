import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build-graph.js';
import { findPreset } from '../zoo/presets.js';
import { fitBoard } from './board-fit.js';
import { BOARD_PROFILES, findBoard } from './board-profiles.js';
import { computeBudget } from './compute-budget.js';
import { compareTotals } from './reduction.js';

const budgetOf = (id: string) => {
  const built = buildGraph(findPreset(id)!.build());
  if (!built.ok) throw new Error('preset must build');
  return computeBudget(built.graph);
};

describe('board profiles', () => {
  it('cover the boards the studio targets', () => {
    expect(BOARD_PROFILES.map((b) => b.id)).toEqual(
      expect.arrayContaining(['esp32-s3', 'stm32f746', 'nrf52840', 'rp2040', 'raspberry-pi-4', 'mps2-an386', 'netduinoplus2']),
    );
    for (const b of BOARD_PROFILES) {
      expect(b.modelFlashBytes).toBeLessThanOrEqual(b.flashBytes);
      expect(b.modelRamBytes).toBeLessThanOrEqual(b.ramBytes);
    }
  });

  it('fits the small Fashion-MNIST network on the emulated Cortex-M4 and refuses ResNet-18 on an STM32F405', () => {
    const small = fitBoard(budgetOf('reframe-resnet8-fashion'), findBoard('mps2-an386')!);
    expect(small.regeneratePerLayer.fits).toBe(true);
    expect(small.recommended).not.toBe('none');
    const big = fitBoard(budgetOf('resnet18-cifar'), findBoard('netduinoplus2')!);
    expect(big.recommended).toBe('none');
    expect(big.regenerateAtLoad.flashUse).toBeGreaterThan(1);
  });
});

describe('compareTotals', () => {
  it('gives the paper-scale reductions of NL-ResNet-18 against ResNet-18', () => {
    const r = compareTotals(budgetOf('reframe-resnet18-cifar').totals, budgetOf('resnet18-cifar').totals, 'resnet18-cifar');
    expect(r.change.learnableParams).toBeCloseTo(1_107_786 / 11_173_962 - 1, 12);
    expect(r.change.macs).toBeCloseTo(57_844_736 / 555_422_720 - 1, 12);
    expect(Math.round(r.change.learnableParams * 1000) / 10).toBe(-90.1);
    expect(Math.round(r.change.macs * 1000) / 10).toBe(-89.6);
  });
});
