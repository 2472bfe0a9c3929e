import { parse as parseLenient } from 'jsonc-parser';
import { assertNever } from '../../../core/assert-never.js';
import { checkSpecText, checkSpecValue, type CheckResult } from '../../../core/spec/load-spec.js';
import { serializeSpec } from '../../../core/spec/serialize-spec.js';
import type { SpecIssue } from '../../../core/spec/spec-issue.js';
import { DEFAULT_PRESET, findPreset, PRESETS } from '../../../core/zoo/presets.js';
import { brokenLayers, designLayers, groupLayers, issueNodeIndex, type DesignLayer, type LayerStage } from './design-layers.js';
import { applyLayerMode, type LayerMode } from './layer-mode.js';

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

  readonly check: CheckResult = $derived.by(() => (this.entry.text === undefined ? checkSpecValue(this.entry.value) : checkSpecText(this.entry.text)));
  readonly doc = $derived(this.check.ok ? this.check.doc : undefined);
  readonly graph = $derived(this.check.ok ? this.check.graph : undefined);
  readonly issues: readonly SpecIssue[] = $derived(this.check.ok ? [] : this.check.issues);

  readonly layers: readonly DesignLayer[] = $derived.by(() =>
    this.check.ok ? designLayers(this.check.doc, this.check.graph) : brokenLayers(this.entry.value, this.check.issues),
  );
  readonly stages: readonly LayerStage[] = $derived(groupLayers(this.layers));
  /** Issues no row can show: the document's own fields, its outputs, or nodes that could not be read. */
  readonly documentIssues: readonly SpecIssue[] = $derived.by(() => {
    const shown = new Set(this.layers.flatMap((l) => l.specIndices));
    return this.issues.filter((issue) => {
      const i = issueNodeIndex(issue);
      return i === undefined || !shown.has(i);
    });
  });

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
      const value = applyLayerMode(this.check.doc, this.check.graph, layer.target, mode);
      this.#push({ value, source: this.source, label: `${key}: ${describeMode(mode)}` });
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
    const saved: DesignEntry = { ...this.entry, source: { kind: 'file', path } };
    const history = [...this.#history];
    history[this.#at] = saved;
    this.#history = history;
    this.#savedEntry = saved;
  }
}
