/** A block configuration that cannot be built: names the block type and the offending field. */
export class BlockConfigError extends Error {
  constructor(
    readonly blockType: string,
    readonly field: string,
    message: string,
  ) {
    super(`${blockType}: ${field} ${message}`);
    this.name = 'BlockConfigError';
  }
}
