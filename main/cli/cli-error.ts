/** A usage problem the CLI reports in one line with exit code 2. */
export class CliError extends Error {
  readonly code = 'cli-usage';
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
