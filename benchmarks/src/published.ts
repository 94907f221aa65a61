/**
 * Published ImageNet top-1 accuracies (%), from ../shared/reference/figures.md: torchvision for V2 1.0 and V3,
 * TF-slim for V1 and the other V2 widths, the MobileNeXt README; MobileNetV4 from its paper. The accuracy columns
 * of later training runs will sit beside these.
 */
export const PUBLISHED_TOP1: Record<string, number> = {
  mobilenetv1_100: 70.6,
  mobilenetv1_075: 68.4,
  mobilenetv1_050: 63.3,
  mobilenetv1_025: 49.8,
  mobilenetv2_140: 75.0,
  mobilenetv2_130: 74.4,
  mobilenetv2_100: 71.878,
  mobilenetv2_075: 69.8,
  mobilenetv2_050: 65.4,
  mobilenetv2_035: 60.3,
  mobilenetv3_large_100: 74.042,
  mobilenetv3_small_100: 67.668,
  mobilenext_140: 76.1,
  mobilenext_100: 74.02,
  mobilenext_075: 72,
  mobilenext_050: 67.7,
  mobilenext_035: 64.7,
  mobilenetv4_conv_small: 73.8, // MobileNetV4 paper (224×224; the other V4s run at 256 and 384: docs/zoo.md)
};
