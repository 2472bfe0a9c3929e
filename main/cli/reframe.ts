import { Command, InvalidArgumentError, Option } from 'commander';
import { WEIGHT_DTYPES } from '../../core/budget/weight-dtype.js';
import { SpecFileError } from '../../core/node/read-spec-file.js';
import { serializeSpec } from '../../core/spec/serialize-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { PRESETS } from '../../core/zoo/presets.js';
import { KeyFileError, generateKeyFiles } from '../../core/node/package-keys.js';
import { PackageFileError } from '../../core/node/package-files.js';
import { WeightsFileError } from '../../core/node/safetensors.js';
import { PackageError } from '../../core/package/package-error.js';
import { budgetCommand } from './budget-command.js';
import { CliError } from './cli-error.js';
import { CloudError } from '../../cloud/client/cloud-error.js';
import { applyCommand, deltaCommand } from './delta-command.js';
import { diffCommand } from './diff-command.js';
import { inspectCommand, regenCommand } from './inspect-command.js';
import { loadModel } from './load-model.js';
import { packCommand } from './pack-command.js';
import { verifyCommand } from './verify-command.js';
import { trainCommand, type TrainCommandOptions } from './train-command.js';
import { evalCommand } from './eval-command.js';
import { exportOnnxCommand } from './export-onnx-command.js';
import { DatasetError } from '../../core/data/image-dataset.js';
import { EngineError } from '../../core/node/engine/tf-engine.js';
import { CheckpointError } from '../../core/node/train/checkpoint.js';
import { TrainingCancelled } from '../../core/node/train/trainer.js';
import { TrainingWorkerError } from '../../core/node/train/run-training.js';
import { agentCommand, DEFAULT_STORAGE_LIMIT, type AgentCommandOptions } from './agent-command.js';
import { TransportError } from '../../devices/transport/transport.js';
import { boardErrorText } from './board-error-text.js';
import { withBoardTarget } from './board-target.js';
import { pushCommand, type PushCommandOptions } from './push-command.js';
import { devicesCommand, type DevicesCommandOptions } from './devices-command.js';
import { boardActivateCommand, boardInfoCommand, boardRollbackCommand } from './board-command.js';
import { boardInferCommand, type BoardInferOptions } from './board-infer-command.js';
import { boardBenchCommand, type BoardBenchOptions } from './board-bench-command.js';
import { addCloudCommands, CloudCommandError } from './cloud-command.js';
import { addCloudWorkerCommand } from './cloud-worker-command.js';
import { ServiceDatabaseError } from '../../cloud/store/service-database.js';
import type { BoardTargetOptions } from './board-target.js';

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

  program
    .command('pack')
    .description('build a seed package: graph, seeds, stored tensors, integrity, optional signature')
    .argument('<model>', 'preset id or spec file')
    .option('--weights <file>', 'trained values: a .safetensors file or a .rfpk package (default: untrained initial values)')
    .addOption(new Option('--dtype <dtype>', 'storage of learnable tensors').choices(WEIGHT_DTYPES).default('fp32'))
    .option('--sign <private key>', 'sign with this Ed25519 private key (PEM, from reframe keygen)')
    .option('--no-spec', 'leave out the spec JSON (boards do not need it)')
    .requiredOption('--out <file.rfpk>', 'where to write the package')
    .action(async (model: string, o: Parameters<typeof packCommand>[1]) => out(await packCommand(model, o)));

  program
    .command('inspect')
    .description('show what a package holds, tensor by tensor')
    .argument('<pkg>', 'package file')
    .option('--json', 'machine-readable output', false)
    .action(async (file: string, o: { json: boolean }) => out(await inspectCommand(file, o)));

  program
    .command('verify')
    .description('run every check and rebuild every tensor against its digest')
    .argument('<pkg>', 'package file')
    .option('--key <public key...>', 'trusted Ed25519 public keys (PEM); with a key, a valid signature is required')
    .action(async (file: string, o: { key?: string[] }) => out(await verifyCommand(file, o)));

  program
    .command('regen')
    .description("write one tensor's float32 values (little-endian, canonical order)")
    .argument('<pkg>', 'package file')
    .requiredOption('--tensor <name>', 'tensor id, e.g. layer1.0.nl1.conv.weight')
    .requiredOption('--out <file>', 'output file')
    .action(async (file: string, o: { tensor: string; out: string }) => out(await regenCommand(file, o)));

  program
    .command('diff')
    .description('compare two packages node by node and tensor by tensor')
    .argument('<a>', 'package file')
    .argument('<b>', 'package file')
    .action(async (a: string, b: string) => out(await diffCommand(a, b)));

  program
    .command('delta')
    .description('make a delta package holding only the tensors that changed')
    .argument('<base>', 'the package the board has')
    .argument('<new>', 'the package to send')
    .requiredOption('--out <file>', 'output file')
    .option('--sign <private key>', 'sign the delta')
    .action(async (base: string, target: string, o: { out: string; sign?: string }) => out(await deltaCommand(base, target, o)));

  program
    .command('apply')
    .description('rebuild a full package from its base and a delta (checked against the target digest)')
    .argument('<base>', 'base package')
    .argument('<delta>', 'delta package')
    .requiredOption('--out <file>', 'output file')
    .option('--key <public key...>', 'require the delta to be signed by one of these keys')
    .action(async (base: string, delta: string, o: { out: string; key?: string[] }) => out(await applyCommand(base, delta, o)));

  program
    .command('train')
    .description('train a model on your machine (or a cloud service with --cloud) and write its seed package')
    .argument('<model>', 'preset id or spec file')
    .requiredOption('--data <source>', '"demo", a folder (IDX, CIFAR-10 batches, or images in class folders) or a data file')
    .option('--epochs <n>', 'epochs', '10')
    .option('--batch <n>', 'batch size', '64')
    .option('--lr <rate>', 'initial learning rate', '0.05')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'adam']).default('sgd'))
    .option('--momentum <m>', 'SGD momentum', '0.9')
    .option('--weight-decay <wd>', 'L2 weight decay', '5e-4')
    .addOption(new Option('--schedule <name>', 'learning-rate schedule, stepped per epoch').choices(['cosine', 'step', 'constant']).default('cosine'))
    .option('--augment', 'random crop with padding and horizontal flips', false)
    .addOption(new Option('--engine <engine>', 'training engine').choices(['auto', 'node', 'wasm']).default('auto'))
    .option('--seed <hex>', 'seed of data order, augmentation and validation split', '0x5eed')
    .option('--weights <file>', 'start from these values (.rfpk or .safetensors)')
    .option('--checkpoint <dir>', 'write a checkpoint after every epoch')
    .option('--resume', 'continue from the checkpoint in --checkpoint', false)
    .addOption(new Option('--dtype <dtype>', 'storage of learnable tensors in the output package').choices(WEIGHT_DTYPES).default('fp32'))
    .requiredOption('--out <file.rfpk>', 'the trained package')
    .option('--cloud <url>', 'train on a cloud training service (reframe cloud serve) instead of this machine')
    .option('--token <token>', 'bearer token for --cloud (or set REFRAME_CLOUD_TOKEN, which keeps it out of the process list)')
    .action(async (model: string, o: TrainCommandOptions) => {
      // Ctrl-C stops between steps; the last checkpoint stays whole for --resume.
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        out(await trainCommand(model, o, abort.signal));
      } finally {
        process.off('SIGINT', stop);
      }
    });

  program
    .command('eval')
    .description("a package's accuracy and confusion matrix on a dataset")
    .argument('<pkg>', 'package file')
    .requiredOption('--data <source>', 'as for train')
    .addOption(new Option('--engine <engine>', 'engine').choices(['auto', 'node', 'wasm']).default('auto'))
    .action(async (file: string, o: { data: string; engine: 'auto' | 'node' | 'wasm' }) => out(await evalCommand(file, o)));

  program
    .command('export-onnx')
    .description("write a package's model as ONNX for other runtimes")
    .argument('<pkg>', 'package file')
    .requiredOption('--out <file.onnx>', 'output file')
    .action(async (file: string, o: { out: string }) => out(await exportOnnxCommand(file, o)));

  program
    .command('keygen')
    .description('make an Ed25519 key pair for signing packages: <prefix>.key and <prefix>.pub')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .action(async (o: { out: string }) => {
      const k = await generateKeyFiles(o.out);
      out(`wrote ${k.privatePath} (private, keep it safe) and ${k.publicPath}; key id ${k.keyId}\n`);
    });

  program
    .command('agent')
    .description('run the board agent: take pushed packages into A/B slots, run inference and benchmarks (docs/protocol.md)')
    .option('--serial <path>', 'serve on this serial port (e.g. /dev/ttyGS0, or a pty)')
    .option('--listen <host:port>', 'serve on TCP (e.g. 0.0.0.0:5577), advertised over mDNS')
    .requiredOption('--store <dir>', 'where the package slots and the pending upload live')
    .option('--require-signature', 'refuse packages not signed by a --trust key', false)
    .option('--trust <public key...>', 'trusted Ed25519 public keys (PEM, from reframe keygen)')
    .option('--baud <n>', "line rate: the agent's writes are paced to baud/10 bytes per second")
    .option('--name <board name>', 'the name studios see (default: the host name)')
    .option('--storage-limit <bytes>', 'largest upload or package the board stores (K, M, G suffixes)', DEFAULT_STORAGE_LIMIT)
    .option('--no-mdns', 'do not advertise the TCP agent over mDNS')
    .addOption(new Option('--engine <engine>', 'inference engine').choices(['auto', 'node', 'wasm']).default('auto'))
    .action(async (o: AgentCommandOptions) => agentCommand(o));

  withBoardTarget(
    program
      .command('push')
      .description('send a package to a board: resumes an interrupted push, sends a delta when the board runs a package pushed from here before (or a --delta-from base), then activates it')
      .argument('<pkg>', 'package file'),
  )
    .option('--delta-from <base.rfpk...>', 'more packages the board may run now (besides those pushed from here): if it runs one, only a delta travels')
    .option('--window <bytes>', 'most bytes unacknowledged (default 8192 on serial, 65536 on TCP)')
    .option('--json', 'machine-readable summary', false)
    .action(async (file: string, o: PushCommandOptions) => {
      // Ctrl-C stops between chunks; the board keeps what it has and the same push resumes.
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        out(await pushCommand(file, o, abort.signal));
      } finally {
        process.off('SIGINT', stop);
      }
    });

  program
    .command('devices')
    .description('list serial ports, board agents on the network (mDNS) and boards this studio has talked to')
    .option('--json', 'machine-readable output', false)
    .option('--timeout <ms>', 'how long to listen for network agents', '1500')
    .option('--interface <address>', 'search the network only through the interface with this address (default: all)')
    .action(async (o: DevicesCommandOptions) => out(await devicesCommand(o)));

  const board = program.command('board').description('talk to one board: info, activate, rollback, infer, bench');
  withBoardTarget(board.command('info').description("what the board runs, holds and can do"))
    .option('--json', 'machine-readable output', false)
    .action(async (o: BoardTargetOptions & { json: boolean }) => out(await boardInfoCommand(o)));
  withBoardTarget(board.command('activate').description('make a package the board holds the active one').argument('<digest|pkg>', "the package's sha256 (or its start), or the package file"))
    .action(async (target: string, o: BoardTargetOptions) => out(await boardActivateCommand(target, o)));
  withBoardTarget(board.command('rollback').description('make the previous package active again'))
    .action(async (o: BoardTargetOptions) => out(await boardRollbackCommand(o)));
  withBoardTarget(board.command('infer').description("run one input through the board's model; with --package, compare with the studio's result"))
    .option('--input <file>', 'float32 little-endian values in the model\'s NCHW order')
    .option('--data <source>', '"demo" or a dataset folder (needs --package)')
    .option('--index <i>', 'which image of --data (its test part when it has one; default 0)')
    .option('--package <pkg.rfpk>', 'also run the input through the studio\'s engine and print the largest logit difference')
    .addOption(new Option('--engine <engine>', "the studio's engine for --package").choices(['auto', 'node', 'wasm']).default('auto'))
    .option('--json', 'machine-readable output', false)
    .action(async (o: BoardInferOptions) => out(await boardInferCommand(o)));
  withBoardTarget(board.command('bench').description('per-layer latency measured on the board'))
    .option('--runs <n>', 'inferences to average', '10')
    .option('--json', 'machine-readable output', false)
    .action(async (o: BoardBenchOptions) => out(await boardBenchCommand(o)));

  addCloudWorkerCommand(addCloudCommands(program, out));

  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 bad input (spec, file), 2 usage. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // A lost link, a silent board or a board's refusal: the sentence says what to do.
    const linkError = boardErrorText(error);
    if (linkError !== undefined) {
      process.stderr.write(`reframe: ${linkError}\n`);
      return 1;
    }
    if (
      error instanceof SpecError ||
      error instanceof SpecFileError ||
      error instanceof PackageError ||
      error instanceof PackageFileError ||
      error instanceof KeyFileError ||
      error instanceof WeightsFileError ||
      error instanceof DatasetError ||
      error instanceof EngineError ||
      error instanceof CheckpointError ||
      error instanceof TrainingCancelled ||
      error instanceof TrainingWorkerError ||
      error instanceof TransportError ||
      error instanceof CloudCommandError ||
      error instanceof ServiceDatabaseError ||
      error instanceof CloudError
    ) {
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
