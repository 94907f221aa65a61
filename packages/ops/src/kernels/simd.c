/*
 * WebAssembly SIMD kernels for the wasm backend, run on tensors in tfjs-wasm's own memory (the module
 * imports it). Built by build-kernels.mjs with clang's wasm32 target (Debian: clang-14, lld-14): no libc, no
 * static data, no stack use, so the module writes nothing but the output buffers it is given.
 *
 * Tensors are NHWC float32 seen as [rows, channels]. Per-channel sums run in float blocks of BLOCK rows,
 * flushed into double accumulators (in the caller's scratch buffer), so that long sums stay exact to float.
 * f32x4.min / max propagate NaN (unlike XNNPACK's clamps), so NaN stays NaN as in PyTorch.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
#define BLOCK 256
#define EXPORT(name) __attribute__((export_name(#name)))

enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_HARD_SWISH = 3 };

static void zero(float* p, u32 n) {
  for (u32 i = 0; i < n; i++) p[i] = 0.f;
}

/* acc64[i] += acc[i]; acc[i] = 0 */
static void flush(float* acc, double* acc64, u32 n) {
  for (u32 i = 0; i < n; i++) {
    acc64[i] += (double)acc[i];
    acc[i] = 0.f;
  }
}

/*
 * Depthwise filter gradient: dw[ky, kx, c] = sum over n, oy, ox of x[n, oy*sh - pt + ky, ox*sw - pl + kx, c] *
 * dy[n, oy, ox, c] (taps outside x are zero padding).
 */
EXPORT(dw_filter_grad)
void dw_filter_grad(const float* x, const float* dy, float* dw, u32 n, u32 h, u32 w, u32 c, u32 ho, u32 wo, u32 kh,
                    u32 kw, u32 sh, u32 sw, u32 pt, u32 pl) {
  zero(dw, kh * kw * c);
  for (u32 b = 0; b < n; b++)
    for (u32 oy = 0; oy < ho; oy++)
      for (u32 ox = 0; ox < wo; ox++) {
        const float* g = dy + ((b * ho + oy) * wo + ox) * c;
        for (u32 ky = 0; ky < kh; ky++) {
          int iy = (int)(oy * sh + ky) - (int)pt;
          if (iy < 0 || iy >= (int)h) continue;
          for (u32 kx = 0; kx < kw; kx++) {
            int ix = (int)(ox * sw + kx) - (int)pl;
            if (ix < 0 || ix >= (int)w) continue;
            const float* xp = x + ((b * h + (u32)iy) * w + (u32)ix) * c;
            float* acc = dw + (ky * kw + kx) * c;
            u32 ch = 0;
            for (; ch + 4 <= c; ch += 4)
              wasm_v128_store(acc + ch, wasm_f32x4_add(wasm_v128_load(acc + ch),
                                                       wasm_f32x4_mul(wasm_v128_load(xp + ch), wasm_v128_load(g + ch))));
            for (; ch < c; ch++) acc[ch] += xp[ch] * g[ch];
          }
        }
      }
}

/*
 * Batch statistics over rows: mean[c] and biased variance[c], two passes (the variance from the centred
 * values). scratch: c floats and 2c doubles, 8-byte aligned.
 */
EXPORT(bn_stats)
void bn_stats(const float* x, float* mean, float* var, float* scratch, u32 rows, u32 c) {
  float* acc = scratch;
  double* acc64 = (double*)(scratch + ((c + 1) & ~1u));
  for (int pass = 0; pass < 2; pass++) {
    zero(acc, c);
    for (u32 i = 0; i < c; i++) acc64[i] = 0.0;
    for (u32 r = 0; r < rows; r++) {
      const float* row = x + r * c;
      u32 ch = 0;
      if (pass == 0) {
        for (; ch + 4 <= c; ch += 4) wasm_v128_store(acc + ch, wasm_f32x4_add(wasm_v128_load(acc + ch), wasm_v128_load(row + ch)));
        for (; ch < c; ch++) acc[ch] += row[ch];
      } else {
        for (; ch + 4 <= c; ch += 4) {
          v128_t d = wasm_f32x4_sub(wasm_v128_load(row + ch), wasm_v128_load(mean + ch));
          wasm_v128_store(acc + ch, wasm_f32x4_add(wasm_v128_load(acc + ch), wasm_f32x4_mul(d, d)));
        }
        for (; ch < c; ch++) acc[ch] += (row[ch] - mean[ch]) * (row[ch] - mean[ch]);
      }
      if ((r + 1) % BLOCK == 0) flush(acc, acc64, c);
    }
    flush(acc, acc64, c);
    float* out = pass == 0 ? mean : var;
    for (u32 i = 0; i < c; i++) out[i] = (float)(acc64[i] / (double)rows);
  }
}

static v128_t relu6(v128_t h) {
  return wasm_f32x4_min(wasm_f32x4_max(h, wasm_f32x4_splat(0.f)), wasm_f32x4_splat(6.f));
}

static v128_t activate(v128_t h, u32 act) {
  if (act == ACT_RELU) return wasm_f32x4_max(h, wasm_f32x4_splat(0.f));
  if (act == ACT_RELU6) return relu6(h);
  /* h * relu6(h + 3) / 6 */
  if (act == ACT_HARD_SWISH) return wasm_f32x4_mul(h, wasm_f32x4_mul(relu6(wasm_f32x4_add(h, wasm_f32x4_splat(3.f))), wasm_f32x4_splat(1.f / 6.f)));
  return h;
}

static float relu6_1(float h) {
  if (h != h) return h;
  return h < 0.f ? 0.f : h > 6.f ? 6.f : h;
}

static float activate1(float h, u32 act) {
  if (act == ACT_RELU) return h != h || h > 0.f ? h : 0.f;
  if (act == ACT_RELU6) return relu6_1(h);
  if (act == ACT_HARD_SWISH) return h * relu6_1(h + 3.f) * (1.f / 6.f);
  return h;
}

/* y = act(x * scale[c] + shift[c]) */
EXPORT(bn_act_forward)
void bn_act_forward(const float* x, float* y, const float* scale, const float* shift, u32 rows, u32 c, u32 act) {
  for (u32 r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    u32 ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      v128_t h = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(xr + ch), wasm_v128_load(scale + ch)), wasm_v128_load(shift + ch));
      wasm_v128_store(yr + ch, activate(h, act));
    }
    for (; ch < c; ch++) yr[ch] = activate1(xr[ch] * scale[ch] + shift[ch], act);
  }
}

/*
 * The activation's derivative. ReLU / ReLU6 from the output y: 1 where the activation passed its input
 * through (0 < y, and y < 6 for ReLU6), else 0. Hard-swish from its input h (PyTorch's: 0 below -3, h / 3 + 1/2
 * up to 3, 1 above). NaN where y or h is NaN.
 */
static v128_t derivative(v128_t y, v128_t h, u32 act) {
  v128_t zero4 = wasm_f32x4_splat(0.f), one4 = wasm_f32x4_splat(1.f);
  if (act == ACT_NONE) return one4;
  if (act == ACT_HARD_SWISH) {
    v128_t mid = wasm_f32x4_add(wasm_f32x4_mul(h, wasm_f32x4_splat(1.f / 3.f)), wasm_f32x4_splat(0.5f));
    v128_t g = wasm_v128_bitselect(one4, mid, wasm_f32x4_gt(h, wasm_f32x4_splat(3.f)));
    return wasm_v128_bitselect(zero4, g, wasm_f32x4_lt(h, wasm_f32x4_splat(-3.f)));
  }
  v128_t t = act == ACT_RELU ? y : wasm_f32x4_mul(y, wasm_f32x4_sub(wasm_f32x4_splat(6.f), y));
  v128_t m = wasm_v128_and(wasm_f32x4_gt(t, zero4), one4);
  return wasm_f32x4_add(m, wasm_f32x4_mul(t, zero4)); /* + 0 * t: NaN where y is NaN */
}

static float derivative1(float y, float h, u32 act) {
  if (act == ACT_NONE) return 1.f;
  if (act == ACT_HARD_SWISH) return h < -3.f ? 0.f : h > 3.f ? 1.f : h * (1.f / 3.f) + 0.5f;
  float t = act == ACT_RELU ? y : y * (6.f - y);
  return (t > 0.f ? 1.f : 0.f) + 0.f * t;
}

/* dy times the activation's derivative; h = x * hs + hb, the activation's input, is computed for hard-swish only */
static v128_t grad_in(const float* dy, const float* y, const float* x, const float* hs, const float* hb, u32 act) {
  v128_t g = wasm_v128_load(dy);
  if (act == ACT_NONE) return g;
  v128_t h = act == ACT_HARD_SWISH ? wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x), wasm_v128_load(hs)), wasm_v128_load(hb)) : g;
  return wasm_f32x4_mul(g, derivative(act == ACT_HARD_SWISH ? h : wasm_v128_load(y), h, act));
}

static float grad_in1(float dy, float y, float x, float hs, float hb, u32 act) {
  return act == ACT_NONE ? dy : dy * derivative1(y, x * hs + hb, act);
}

/*
 * BatchNorm + activation gradient. With dh = dy * act'(·) and x̂ = (x - mean) * invstd:
 *   dbeta = sum(dh), dgamma = sum(dh * x̂),
 *   dx = gamma * invstd * (dh - dbeta / rows - x̂ * dgamma / rows).
 * ReLU / ReLU6 read their derivative from y; hard-swish recomputes its input from x, gamma and beta (y unused);
 * y is unused for ACT_NONE too. scratch: 4c floats and 2c doubles, 8-byte aligned.
 */
EXPORT(bn_act_backward)
void bn_act_backward(const float* dy, const float* y, const float* x, float* dx, float* dgamma, float* dbeta,
                     const float* mean, const float* invstd, const float* gamma, const float* beta, float* scratch,
                     u32 rows, u32 c, u32 act) {
  float* s1 = scratch;
  float* s2 = scratch + c;
  float* hs = scratch + 2 * c; /* the activation's input h = x * hs + hb (hard-swish) */
  float* hb = scratch + 3 * c;
  double* t1 = (double*)(scratch + ((4 * c + 1) & ~1u));
  double* t2 = t1 + c;
  zero(scratch, 2 * c);
  for (u32 i = 0; i < c; i++) {
    t1[i] = t2[i] = 0.0;
    hs[i] = gamma[i] * invstd[i];
    hb[i] = beta[i] - mean[i] * hs[i];
  }
  for (u32 r = 0; r < rows; r++) {
    const float* dyr = dy + r * c;
    const float* yr = y + r * c;
    const float* xr = x + r * c;
    u32 ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      v128_t dh = grad_in(dyr + ch, yr + ch, xr + ch, hs + ch, hb + ch, act);
      wasm_v128_store(s1 + ch, wasm_f32x4_add(wasm_v128_load(s1 + ch), dh));
      v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + ch), wasm_v128_load(mean + ch));
      wasm_v128_store(s2 + ch, wasm_f32x4_add(wasm_v128_load(s2 + ch), wasm_f32x4_mul(dh, d)));
    }
    for (; ch < c; ch++) {
      float dh = grad_in1(dyr[ch], yr[ch], xr[ch], hs[ch], hb[ch], act);
      s1[ch] += dh;
      s2[ch] += dh * (xr[ch] - mean[ch]);
    }
    if ((r + 1) % BLOCK == 0) {
      flush(s1, t1, c);
      flush(s2, t2, c);
    }
  }
  flush(s1, t1, c);
  flush(s2, t2, c);
  /*
   * dx = a * dh + b * x + e, per channel: a = gamma * invstd, b = -a * invstd * dgamma / rows,
   * e = -a * dbeta / rows - b * mean. a and b take the float sums' place in scratch; e lives in dbeta's buffer
   * until dgamma and dbeta are written, last.
   */
  float* a = scratch;
  float* b = scratch + c;
  float* e = dbeta;
  for (u32 i = 0; i < c; i++) {
    double db = t1[i], dg = t2[i] * (double)invstd[i];
    double ai = (double)gamma[i] * invstd[i];
    double bi = -ai * invstd[i] * dg / rows;
    a[i] = (float)ai;
    b[i] = (float)bi;
    e[i] = (float)(-ai * db / rows - bi * mean[i]);
    t2[i] = dg;
  }
  for (u32 r = 0; r < rows; r++) {
    const float* dyr = dy + r * c;
    const float* yr = y + r * c;
    const float* xr = x + r * c;
    float* dxr = dx + r * c;
    u32 ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      v128_t dh = grad_in(dyr + ch, yr + ch, xr + ch, hs + ch, hb + ch, act);
      v128_t v = wasm_f32x4_add(wasm_f32x4_mul(dh, wasm_v128_load(a + ch)), wasm_f32x4_mul(wasm_v128_load(xr + ch), wasm_v128_load(b + ch)));
      wasm_v128_store(dxr + ch, wasm_f32x4_add(v, wasm_v128_load(e + ch)));
    }
    for (; ch < c; ch++) {
      float dh = grad_in1(dyr[ch], yr[ch], xr[ch], hs[ch], hb[ch], act);
      dxr[ch] = dh * a[ch] + xr[ch] * b[ch] + e[ch];
    }
  }
  for (u32 i = 0; i < c; i++) {
    dgamma[i] = (float)t2[i];
    dbeta[i] = (float)t1[i];
  }
}

#define ROWS 64 /* rows of A and B streamed per pass over C: ROWS · (m + n) floats stay in L2 */

/* acc += a * b, four lanes */
#define MADD(acc, av, bv) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(av, bv))

/*
 * c[m, n] = a[rows, m]ᵀ · b[rows, n]: a filter gradient, the input's pixels times the output gradient's, summed
 * over every pixel of the batch (rows ≫ m, n). XNNPACK would need one operand transposed and the other packed,
 * two copies of an activation-sized matrix; this reads each once, 4 × 8 outputs per register tile.
 */
EXPORT(matmul_tn)
void matmul_tn(const float* a, const float* b, float* c, u32 rows, u32 m, u32 n) {
  zero(c, m * n);
  for (u32 p0 = 0; p0 < rows; p0 += ROWS) {
    u32 p1 = p0 + ROWS < rows ? p0 + ROWS : rows;
    u32 i = 0;
    for (; i + 4 <= m; i += 4) {
      float* c0 = c + i * n;
      float* c1 = c0 + n;
      float* c2 = c1 + n;
      float* c3 = c2 + n;
      u32 j = 0;
      for (; j + 8 <= n; j += 8) {
        v128_t s00 = wasm_v128_load(c0 + j), s01 = wasm_v128_load(c0 + j + 4);
        v128_t s10 = wasm_v128_load(c1 + j), s11 = wasm_v128_load(c1 + j + 4);
        v128_t s20 = wasm_v128_load(c2 + j), s21 = wasm_v128_load(c2 + j + 4);
        v128_t s30 = wasm_v128_load(c3 + j), s31 = wasm_v128_load(c3 + j + 4);
        for (u32 p = p0; p < p1; p++) {
          const float* ar = a + p * m + i;
          const float* br = b + p * n + j;
          v128_t b0 = wasm_v128_load(br), b1 = wasm_v128_load(br + 4);
          v128_t a0 = wasm_f32x4_splat(ar[0]), a1 = wasm_f32x4_splat(ar[1]);
          v128_t a2 = wasm_f32x4_splat(ar[2]), a3 = wasm_f32x4_splat(ar[3]);
          MADD(s00, a0, b0); MADD(s01, a0, b1);
          MADD(s10, a1, b0); MADD(s11, a1, b1);
          MADD(s20, a2, b0); MADD(s21, a2, b1);
          MADD(s30, a3, b0); MADD(s31, a3, b1);
        }
        wasm_v128_store(c0 + j, s00); wasm_v128_store(c0 + j + 4, s01);
        wasm_v128_store(c1 + j, s10); wasm_v128_store(c1 + j + 4, s11);
        wasm_v128_store(c2 + j, s20); wasm_v128_store(c2 + j + 4, s21);
        wasm_v128_store(c3 + j, s30); wasm_v128_store(c3 + j + 4, s31);
      }
      for (; j < n; j++)
        for (u32 p = p0; p < p1; p++) {
          const float* ar = a + p * m + i;
          float bv = b[p * n + j];
          c0[j] += ar[0] * bv;
          c1[j] += ar[1] * bv;
          c2[j] += ar[2] * bv;
          c3[j] += ar[3] * bv;
        }
    }
    for (; i < m; i++) {
      float* ci = c + i * n;
      for (u32 p = p0; p < p1; p++) {
        float av = a[p * m + i];
        const float* br = b + p * n;
        u32 j = 0;
        for (; j + 4 <= n; j += 4)
          wasm_v128_store(ci + j, wasm_f32x4_add(wasm_v128_load(ci + j), wasm_f32x4_mul(wasm_f32x4_splat(av), wasm_v128_load(br + j))));
        for (; j < n; j++) ci[j] += av * br[j];
      }
    }
  }
}
