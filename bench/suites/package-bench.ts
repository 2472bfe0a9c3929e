import type { WeightDtype } from '../../core/budget/weight-dtype.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import type { BenchFigure } from '../bench-result.js';

function packedBytes(id: string, dtype: WeightDtype, includeSpec: boolean): number {
  const result = checkSpecValue(findPreset(id)!.build());
  if (!result.ok) throw new Error(`${id} must build`);
  return encodePackage(result.graph, initialValues(result.graph), { dtype, includeSpec }).length;
}

/**
 * Package bytes of NL-ResNet-18 at each dtype against ResNet-18 at fp32, both as board packages
 * (no spec JSON, which only the studio reads); the with-spec size is in the detail.
 */
export async function packageBench(): Promise<BenchFigure[]> {
  const baseline = packedBytes('resnet18-cifar', 'fp32', false);
  const goals: Record<WeightDtype, number> = { fp32: 10, fp16: 5, int8: 2.6 };
  return (['fp32', 'fp16', 'int8'] as const).map((dtype) => {
    const bytes = packedBytes('reframe-resnet18-cifar', dtype, false);
    return {
      suite: 'package',
      name: `reframe-resnet18-cifar ${dtype} package / resnet18-cifar fp32 package`,
      value: (100 * bytes) / baseline,
      unit: '%',
      goal: { op: '<=', value: goals[dtype] },
      engine: 'exact packed size (platform independent)',
      detail: { bytes, baselineBytes: baseline, bytesWithSpec: packedBytes('reframe-resnet18-cifar', dtype, true) },
    };
  });
}
