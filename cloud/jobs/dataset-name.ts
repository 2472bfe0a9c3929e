/** Dataset names travel in URLs and become file names: keep them plain. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isDatasetName(name: string): boolean {
  return NAME.test(name) && !name.includes('..');
}
