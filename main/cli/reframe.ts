import { Command, InvalidArgumentError, Option } from 'commander';
import { WEIGHT_DTYPES } from '../../core/budget/weight-dtype.js';
import { SpecFileError } from '../../core/node/read-spec-file.js';
import { serializeSpec } from '../../core/spec/serialize-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { PRESETS } from '../../core/zoo/presets.js';
import { budgetCommand } from './budget-command.js';
import { CliError } from './cli-error.js';
import { loadModel } from './load-model.js';

function out(text: string): void {
  process.stdout.write(text);
}

export function buildProgram(): Command {
  const program = new Command('reframe')
    .description('ReFrame Studio, headless: design, budget, pack and push seeded CNNs')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('presets')
    .description('list the model zoo')
    .option('--json', 'machine-readable output', false)
    .action((o: { json: boolean }) => {
      if (o.json) {
        out(`${JSON.stringify(PRESETS.map((p) => ({ id: p.id, summary: p.summary, baseline: p.baseline ?? null })), null, 2)}\n`);
      } else {
        const width = Math.max(...PRESETS.map((p) => p.id.length));
        out(PRESETS.map((p) => `${p.id.padEnd(width)}  ${p.summary}\n`).join(''));
      }
    });

  program
    .command('spec')
    .description('print the spec JSON of a preset (or re-print a spec file in canonical form)')
    .argument('<model>', 'preset id or spec file')
    .action(async (model: string) => out(serializeSpec((await loadModel(model)).doc)));

  program
    .command('budget')
    .description('parameters, MACs/FLOPs, memory, package bytes and board fit of a model')
    .argument('<model>', 'preset id or spec file')
    .option('--json', 'machine-readable output', false)
    .option('--baseline <model>', 'compare against this preset or spec file')
    .option('--board <profile>', 'check the fit on one board profile only')
    .addOption(new Option('--dtype <dtype>', 'storage of learnable tensors in the package').choices(WEIGHT_DTYPES).default('fp32'))
    .option('--layers', 'include the per-layer table (always in --json)', false)
    .action(async (model: string, o: Parameters<typeof budgetCommand>[1]) => out(await budgetCommand(model, o)));

  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 bad input (spec, file), 2 usage. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof SpecError || error instanceof SpecFileError) {
      process.stderr.write(`reframe: ${error.message}\n`);
      return 1;
    }
    if (error instanceof CliError || error instanceof InvalidArgumentError) {
      process.stderr.write(`reframe: ${error.message}\n`);
      return 2;
    }
    if (error !== null && typeof error === 'object' && 'exitCode' in error && 'code' in error) {
      // commander already printed its help or usage message.
      return (error as { exitCode: number }).exitCode;
    }
    throw error;
  }
}
