import { mobilenetV1, mobilenetV2, mobilenetV3, mobilenext } from '../arch/specs.js';
import { listModels, registerModel } from '../registry.js';

/**
 * The small models of fixtures/weight_formats.py, as zoo specs of their families (so every key map applies): the
 * first blocks of each architecture at small widths, built the way the registered ones are.
 */
export const TINY_SPECS = {
  test_v1_tiny: { ...mobilenetV1(1), stem: 'cn_r1_k3_s2_c8_nre', stages: [['ds_r1_k3_s1_c16'], ['ds_r2_k3_s2_c32'], ['ds_r1_k3_s2_c64']] },
  // Our stages group by stride: the 24s and the 32 share a stage, where timm and PaddleClas start a new one at 32.
  test_v2_tiny: {
    ...mobilenetV2(1),
    stages: [['ir_r1_k3_s1_e1_c8'], ['ir_r2_k3_s2_e6_c16'], ['ir_r2_k3_s2_e6_c24', 'ir_r1_k3_s1_e6_c32']],
    head: 'cn_r1_k1_s1_c64_nr6',
  },
  test_v3_tiny: {
    ...mobilenetV3('small', 1),
    stem: 'cn_r1_k3_s2_c8_nhs',
    stages: [['ir_r1_k3_s2_x8_c8_se0.25_nre'], ['ir_r1_k3_s2_x32_c16_nre', 'ir_r1_k3_s1_x48_c16_nre'], ['ir_r1_k5_s2_x48_c24_se0.25_nhs', 'ir_r1_k5_s1_x72_c32_se0.25_nhs']],
    head: 'cn_r1_k1_s1_c192_nhs',
    hidden: { channels: 64, activation: 'hardSwish' as const },
  },
  test_next_tiny: {
    ...mobilenext(0.25),
    stages: [['sg_r1_k3_s2_e2_c96'], ['sg_r1_k3_s1_e6_c144_keep'], ['sg_r2_k3_s2_e6_c192'], ['sg_r2_k3_s1_e6_c288']],
  },
};
export type TinyName = keyof typeof TINY_SPECS;

/** Registers the small models once per process. */
export function registerTinySpecs(): void {
  for (const [name, spec] of Object.entries(TINY_SPECS)) if (!listModels().includes(name)) registerModel(name, spec);
}
