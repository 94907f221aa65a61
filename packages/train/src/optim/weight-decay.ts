/**
 * The zoo's weight names that weight decay skips: BatchNorm's γ and β and every bias (`…/bias`, SE's
 * `…/se/reduce_bias`) — timm's and TF-slim's rule.
 */
const NO_DECAY = /[/_](gamma|beta|bias)$/;

/** Whether weight decay applies to the weight of this name (conv, SE and dense kernels only). */
export function decays(weightName: string): boolean {
  return !NO_DECAY.test(weightName);
}
