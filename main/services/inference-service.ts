import type { StudioApi, TestInferenceResult } from '../contract/studio-api.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import { withBoard, type BoardConnector } from './board-link.js';
import { datasetInputs } from './dataset-inputs.js';
import { checkTestInferenceRequest } from './request-checks.js';
import { ServiceError } from './service-error.js';
import { studioLogits } from './studio-inference.js';
import { resolvePath, type StudioContext } from './studio-context.js';

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

/** The test inference: N images through the board and through the studio, compared image by image. */
export function createInferenceService(ctx: StudioContext, connect: BoardConnector): Pick<StudioApi, 'testInference'> {
  return {
    async testInference(given): Promise<TestInferenceResult> {
      const request = checkTestInferenceRequest(given);
      const file = resolvePath(ctx, request.packagePath);
      const bytes = await readPackageFile(file);
      const pkg = decodePackage(bytes);
      const data = await datasetInputs(request.data ?? 'demo', pkg.graph, request.images);
      const studio = await studioLogits(pkg, data.inputs);
      return withBoard(ctx, connect, request.target, async (b) => {
        const info = b.client.lastInfo;
        if (!info.capabilities.infer) throw new ServiceError('cannot-infer', `${info.name} cannot run inferences (its runtime stores packages only)`, 'use a board whose runtime can infer, e.g. the ReFrame agent');
        const images: TestInferenceResult['images'][number][] = [];
        let engine = '';
        for (const [i, input] of data.inputs.entries()) {
          const r = await b.client.infer(input);
          engine = r.engine;
          const mine = studio.logits[i] as Float32Array;
          if (r.logits.length !== mine.length) throw new ServiceError('other-model', `the board returned ${r.logits.length} logits where ${pkg.graph.name} gives ${mine.length}: it runs another model`, 'push the package to the board first');
          const maxAbsDiff = r.logits.reduce((m, v, k) => Math.max(m, Math.abs(v - (mine[k] as number))), 0);
          images.push({ index: i, label: data.labels[i] ?? '', boardClass: argmax(r.logits), studioClass: argmax(mine), agree: argmax(r.logits) === argmax(mine), maxAbsDiff, boardMicros: r.micros });
        }
        return {
          board: info.name,
          boardEngine: engine,
          studioEngine: studio.engine,
          boardRunsPackage: info.active !== undefined && toHex(info.active) === toHex(fileDigest(bytes)),
          classes: [...data.classes],
          images,
          agreement: images.filter((x) => x.agree).length / images.length,
          maxAbsDiff: images.reduce((m, x) => Math.max(m, x.maxAbsDiff), 0),
          meanBoardMicros: images.reduce((s, x) => s + x.boardMicros, 0) / images.length,
        };
      });
    },
  };
}
