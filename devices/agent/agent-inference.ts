import type * as tfc from '@tensorflow/tfjs';
import { initEngine, type Engine, type EnginePreference } from '../../core/node/engine/tf-engine.js';
import { buildTfModel, type TfModel } from '../../core/node/engine/tf-model.js';
import { forwardNode } from '../../core/node/engine/tf-ops.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { toHex } from '../../core/package/tensor-digest.js';
import type { LayerTiming } from '../protocol/messages.js';

/** The active package as the agent's store offers it: its digest now, its bytes on demand. */
export interface ModelSource {
  readonly digest: Uint8Array;
  read(): Promise<Uint8Array>;
}

export interface Inference {
  readonly logits: Float32Array;
  readonly micros: number;
}

export interface Bench {
  /** Timed runs done (fewer than asked when the time budget ran out; at least one). */
  readonly runs: number;
  readonly layers: readonly LayerTiming[];
}

interface Loaded {
  readonly key: string;
  readonly model: TfModel;
  /** One input, without the batch dimension. */
  readonly inputShape: readonly number[];
}

/**
 * Runs the board's active model with TensorFlow.js: tfjs-node when its native library loads, else the
 * WebAssembly backend. tfjs because it is the studio's own engine (core/node/engine): the same
 * kernels and PyTorch semantics, so the studio can compare a board's logits with its own; and it runs
 * wherever Node runs with no native build. onnxruntime-node would need an export step on the board and
 * a semantics check of its own against the studio.
 *
 * The model is built on first use and rebuilt when the active package changes; the old one is disposed.
 */
export class AgentInference {
  private loaded: Loaded | undefined;

  private constructor(readonly engine: Engine) {}

  static async start(preference: EnginePreference = 'auto'): Promise<AgentInference> {
    return new AgentInference(await initEngine(preference));
  }

  /** `tfjs-node` or `tfjs-wasm`. */
  get engineName(): string {
    return this.engine.name;
  }

  /** Float32 values one input has (C·H·W, or F). */
  async inputElements(source: ModelSource): Promise<number> {
    return (await this.load(source)).inputShape.reduce((a, b) => a * b, 1);
  }

  async infer(source: ModelSource, input: Float32Array): Promise<Inference> {
    const { model, inputShape } = await this.load(source);
    const tf = this.engine.tf;
    const start = performance.now();
    const out = tf.tidy(() => model.forward(tf.tensor(input, [1, ...inputShape]), false));
    // The download ends the timing: until the values are read, a backend may not have run the graph.
    const logits = new Float32Array(out.dataSync());
    const micros = Math.round((performance.now() - start) * 1000);
    out.dispose();
    return { logits, micros };
  }

  /**
   * Per-layer latency: runs the graph node by node in execution order, reading each node's output so
   * its time is real work, not queued work; the mean over `runs` timed runs after one warm-up run.
   * Stops early, after at least one timed run, once `budgetMs` has passed or `carryOn()` says no.
   */
  async bench(source: ModelSource, runs: number, budgetMs = 30_000, carryOn: () => boolean = () => true): Promise<Bench> {
    const { model, inputShape } = await this.load(source);
    const tf = this.engine.tf;
    const nodes = model.graph.nodes;
    const total = new Float64Array(nodes.length);
    const input = new Float32Array(inputShape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i));
    const once = (timed: boolean): void => {
      tf.tidy(() => {
        const x = tf.tensor(input, [1, ...inputShape]);
        const outputs: tfc.Tensor[] = [];
        nodes.forEach((node, i) => {
          const start = performance.now();
          const inputs = node.op === 'input' ? [x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x] : node.inputs.map((j) => outputs[j] as tfc.Tensor);
          const y = forwardNode(tf, node, inputs, model.tensorsOf(node), false);
          y.dataSync();
          if (timed) total[i] = (total[i] as number) + (performance.now() - start);
          outputs[i] = y;
        });
      });
    };
    once(false);
    const began = performance.now();
    let done = 0;
    while (done < Math.max(1, runs)) {
      once(true);
      done++;
      if (performance.now() - began > budgetMs || !carryOn()) break;
      // Let the event loop breathe between runs: a stop request or a closing link is seen at once.
      await new Promise((r) => setImmediate(r));
    }
    return { runs: done, layers: nodes.map((n, i) => ({ index: i, name: n.name, op: n.op, micros: ((total[i] as number) * 1000) / done })) };
  }

  dispose(): void {
    this.loaded?.model.dispose();
    this.loaded = undefined;
  }

  private async load(source: ModelSource): Promise<Loaded> {
    const key = toHex(source.digest);
    if (this.loaded?.key === key) return this.loaded;
    this.dispose();
    // The package passed every check at COMMIT; decoding again is how the graph and values come back.
    const pkg = decodePackage(await source.read(), { requireSignature: false });
    const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
    const model = buildTfModel(this.engine, pkg.graph, values);
    this.loaded = { key, model, inputShape: pkg.graph.nodes[0]?.outputShape ?? [] };
    return this.loaded;
  }
}
