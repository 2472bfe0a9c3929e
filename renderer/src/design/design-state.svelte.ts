import { parse as parseLenient } from 'jsonc-parser';
import { assertNever } from '../../../core/assert-never.js';
import type { GraphRevision } from '../../../core/graph/model-graph.js';
import type { CheckResult } from '../../../core/spec/load-spec.js';
import type { Recheck } from '../../../core/spec/recheck-spec.js';
import { serializeSpec } from '../../../core/spec/serialize-spec.js';
import type { SpecIssue } from '../../../core/spec/spec-issue.js';
import { DEFAULT_PRESET, findPreset, PRESETS } from '../../../core/zoo/presets.js';
import { checkDocument, editLayerMode } from './design-check.js';
import { brokenLayers, groupLayers, layerRowsMemo, unplacedIssues, type DesignLayer, type LayerStage } from './design-layers.js';
import type { LayerMode } from './layer-mode.js';

/** Where the document in the designer came from: what Save writes to, and what "auto" baselines follow. */
export type DesignSource = { readonly kind: 'preset'; readonly id: string } | { readonly kind: 'file'; readonly path: string };

/** One state of the document; undo and redo move between these. */
export interface DesignEntry {
  /** The document as data: a SpecDocument when it checks, whatever could be read of it when not. */
  readonly value: unknown;
  /** The file text the value was read from, until the first edit: issues then carry line and column. */
  readonly text?: string;
  readonly source: DesignSource;
  /** What produced this state, e.g. `layer1.0.conv1: seeded (normal)`; shown on the undo button. */
  readonly label: string;
  /**
   * The check, when the edit that made this state made it too: a mode change re-checks only the nodes
   * it touched. A document loaded or opened is checked in full when first shown.
   */
  readonly check?: Recheck;
}

/** Keeps at most this many states; older ones fall off the bottom of the undo stack. */
const HISTORY_LIMIT = 200;

function describeMode(mode: LayerMode): string {
  switch (mode.kind) {
    case 'learnable':
    case 'frozen':
      return mode.kind;
    case 'seeded':
      return `seeded (${mode.dist})`;
    case 'nl':
      return `NL module (Cnl ${mode.cnl}, ${mode.dist})`;
    default:
      return assertNever(mode);
  }
}

function presetEntry(id: string): DesignEntry {
  const preset = findPreset(id);
  if (preset === undefined) throw new Error(`unknown preset "${id}" (known: ${PRESETS.map((p) => p.id).join(', ')})`);
  return { value: preset.build(), source: { kind: 'preset', id }, label: `preset ${id}` };
}

/**
 * The designer's document: a stack of immutable states (undo/redo), the check of the current one with
 * every issue placed beside the layer it names, and the per-layer mode switch. Everything else the UI
 * shows (the budget) derives from `graph`.
 */
export class DesignState {
  // Raw: documents are replaced, never mutated, so deep proxies would only cost time on every toggle.
  #history = $state.raw<readonly DesignEntry[]>([]);
  #at = $state(0);
  #savedEntry = $state.raw<DesignEntry | undefined>(undefined);
  /** A sentence about the last edit that could not be made; cleared by the next change. */
  notice = $state<string | undefined>(undefined);

  constructor(presetId: string = DEFAULT_PRESET) {
    this.#history = [presetEntry(presetId)];
  }

  readonly entry: DesignEntry = $derived(this.#history[this.#at] as DesignEntry);
  readonly source: DesignSource = $derived(this.entry.source);

  // Checked once per state: undo and redo come back to the very graph, which the rows and budget know.
  readonly #checks = new WeakMap<DesignEntry, Recheck>();
  readonly #recheck: Recheck = $derived.by(() => {
    const entry = this.entry;
    let check = entry.check ?? this.#checks.get(entry);
    if (check === undefined) {
      check = checkDocument(entry.value, entry.text);
      this.#checks.set(entry, check);
    }
    return check;
  });
  readonly check: CheckResult = $derived(this.#recheck.result);
  /** How the current graph came from the previous one by a mode change; the budget resizes by it. */
  readonly revision: GraphRevision | undefined = $derived(this.#recheck.revision);
  readonly doc = $derived(this.check.ok ? this.check.doc : undefined);
  readonly graph = $derived(this.check.ok ? this.check.graph : undefined);
  readonly issues: readonly SpecIssue[] = $derived(this.check.ok ? [] : this.check.issues);

  // Rows per graph: a mode change remakes the rows it touched, the others stay the same objects.
  readonly #rows = layerRowsMemo();
  readonly layers: readonly DesignLayer[] = $derived.by(() =>
    this.check.ok ? this.#rows.of(this.check.graph, this.revision) : brokenLayers(this.entry.value, this.check.issues),
  );
  // The last grouping, so unchanged blocks keep their objects and the view leaves them alone.
  #lastStages: readonly LayerStage[] = [];
  readonly stages: readonly LayerStage[] = $derived.by(() => (this.#lastStages = groupLayers(this.layers, this.#lastStages)));
  /** Issues no row can show: the document's own fields, its outputs, or nodes that could not be read. */
  readonly documentIssues: readonly SpecIssue[] = $derived(unplacedIssues(this.layers, this.issues));

  readonly name: string = $derived.by(() => {
    const name = (this.entry.value as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' ? name : this.source.kind === 'file' ? this.source.path : this.source.id;
  });

  readonly canUndo = $derived(this.#at > 0);
  readonly canRedo = $derived(this.#at < this.#history.length - 1);
  readonly undoLabel = $derived(this.canUndo ? this.entry.label : undefined);
  readonly redoLabel = $derived(this.#history[this.#at + 1]?.label);
  /** Whether the document differs from what was last opened or saved as a file. */
  readonly dirty = $derived(this.entry !== this.#savedEntry);

  #push(entry: DesignEntry): void {
    const kept = this.#history.slice(0, this.#at + 1);
    const next = [...kept, entry].slice(-HISTORY_LIMIT);
    this.#history = next;
    this.#at = next.length - 1;
    this.notice = undefined;
  }

  loadPreset(id: string): void {
    this.#push(presetEntry(id));
  }

  /** A spec file's text as read through the API; a file that does not check still opens, with its issues. */
  openText(path: string, text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Rows for a file with a syntax error come from what a tolerant parse can read.
      value = parseLenient(text, [], { allowTrailingComma: true });
    }
    const entry: DesignEntry = { value, text, source: { kind: 'file', path }, label: `open ${path}` };
    this.#push(entry);
    this.#savedEntry = entry;
  }

  /** Sets one layer's mode (by row key); refused, with a notice, while the document has problems. */
  setMode(key: string, mode: LayerMode): void {
    const layer = this.layers.find((l) => l.key === key);
    if (!this.check.ok || layer?.target === undefined) {
      this.notice = this.check.ok ? `no layer "${key}" in this model` : 'Fix the problems listed in red before changing layer modes.';
      return;
    }
    try {
      const { value, check } = editLayerMode(this.check, layer.target, mode);
      this.#push({ value, check, source: this.source, label: `${key}: ${describeMode(mode)}` });
    } catch (error) {
      this.notice = `${key} cannot be ${describeMode(mode)}: ${(error as Error).message}`;
    }
  }

  undo(): void {
    if (this.canUndo) this.#at--;
    this.notice = undefined;
  }

  redo(): void {
    if (this.canRedo) this.#at++;
    this.notice = undefined;
  }

  /** The canonical text of the current document, or undefined while it has problems. */
  specText(): string | undefined {
    return this.doc === undefined ? undefined : serializeSpec(this.doc);
  }

  /** Records that the current document was written to `path`: Save writes there next time. */
  markSaved(path: string): void {
    // The same document: it keeps its check, so the graph (and what the rows and budget know of it) stays.
    const saved: DesignEntry = { ...this.entry, check: this.#recheck, source: { kind: 'file', path } };
    const history = [...this.#history];
    history[this.#at] = saved;
    this.#history = history;
    this.#savedEntry = saved;
  }
}
