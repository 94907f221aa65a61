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

/** A tensor a block cannot take: names the layer, what it expects and what it got. Nothing was computed or allocated. */
export class BlockInputError extends Error {
  constructor(
    /** The layer's name and block type, e.g. `blocks_3_1 (InvertedResidual)`. */
    readonly layer: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${layer}: expected ${expected}, got ${received}`);
    this.name = 'BlockInputError';
  }
}
