/*
 * Convolution (plain, grouped, depthwise), direct and im2col-free: for each output channel the plane
 * starts at the bias, then every weight tap is swept over the output rows it touches. Four input
 * channels share one sweep (four weights in registers, one read-modify-write of the output per four
 * multiply-adds: about 4 Cortex-M4 instructions a MAC). The rows and columns a tap touches come from
 * rfw_tap_span, found once per conv, so the inner loops have no padding test and run over contiguous
 * memory (every other element at stride 2). A channel swept alone (depthwise) takes a 3-wide kernel's
 * three taps together over the columns all three reach, when there are at least JOINT_MIN_COLUMNS of
 * them, and one tap at a time over the rest (8 → 6.6 instructions a MAC).
 */
#include "kernels/kernels.h"
#include "kernels/window-span.h"

#define JOINT_MIN_COLUMNS 6u
#define CACHED_TAPS 16u

/* Where the output columns of each tap of one kernel row are, found once per output channel. */
typedef struct row_spans {
  rfw_span ry;               /* output rows this kernel row reaches */
  rfw_span joint;            /* 3-wide kernels: columns all three taps reach (empty: tap by tap everywhere) */
  rfw_span rx[CACHED_TAPS];  /* output columns of tap kx, for kx < CACHED_TAPS */
} row_spans;

static void sweep4(float *d, const float *a0, const float *a1, const float *a2, const float *a3, float w0, float w1, float w2, float w3, size_t n, uint32_t stride) {
  if (stride == 1) {
    for (size_t j = 0; j < n; j++) d[j] += w0 * a0[j] + w1 * a1[j] + w2 * a2[j] + w3 * a3[j];
  } else {
    for (size_t j = 0, s = 0; j < n; j++, s += stride) d[j] += w0 * a0[s] + w1 * a1[s] + w2 * a2[s] + w3 * a3[s];
  }
}

static void sweep1(float *d, const float *a, float w, size_t n, uint32_t stride) {
  if (stride == 1) {
    for (size_t j = 0; j < n; j++) d[j] += w * a[j];
  } else {
    for (size_t j = 0, s = 0; j < n; j++, s += stride) d[j] += w * a[s];
  }
}

static void sweep3(float *d, const float *a, float w0, float w1, float w2, size_t n, uint32_t stride) {
  if (stride == 1) {
    for (size_t j = 0; j < n; j++) d[j] += w0 * a[j] + w1 * a[j + 1] + w2 * a[j + 2];
  } else {
    for (size_t j = 0, s = 0; j < n; j++, s += stride) d[j] += w0 * a[s] + w1 * a[s + 1] + w2 * a[s + 2];
  }
}

/** One tap of one channel over the output rows `ry` and columns `span`. */
static void tap_rows(const float *x, float *o, rfw_dims in_dims, rfw_dims out_dims, const rfw_window *win, uint32_t ky, uint32_t kx, rfw_span ry, rfw_span span, float w) {
  const size_t row_step = (size_t)win->sh * in_dims.w;
  const float *a = x + ((size_t)ry.lo * win->sh + ky - win->ph) * in_dims.w + (size_t)span.lo * win->sw + kx - win->pw;
  float *d = o + (size_t)ry.lo * out_dims.w + span.lo;
  for (uint32_t oy = ry.lo; oy < ry.hi; oy++, a += row_step, d += out_dims.w) sweep1(d, a, w, span.hi - span.lo, win->sw);
}

/**
 * A depthwise channel's 3-wide kernel row: the three taps together over the joint columns, then each
 * tap over the edge columns left of and right of them.
 */
static void depthwise_row3(const float *x, float *o, rfw_dims in_dims, rfw_dims out_dims, const rfw_window *win, uint32_t ky, const row_spans *sp, const float *w) {
  const rfw_span joint = sp->joint, ry = sp->ry;
  const size_t row_step = (size_t)win->sh * in_dims.w, n = joint.hi - joint.lo;
  const float *a = x + ((size_t)ry.lo * win->sh + ky - win->ph) * in_dims.w + (size_t)joint.lo * win->sw - win->pw;
  float *d = o + (size_t)ry.lo * out_dims.w + joint.lo;
  for (uint32_t oy = ry.lo; oy < ry.hi; oy++, a += row_step, d += out_dims.w) sweep3(d, a, w[0], w[1], w[2], n, win->sw);
  for (uint32_t kx = 0; kx < 3; kx++) {
    rfw_span left = sp->rx[kx], right = sp->rx[kx];
    if (left.hi > joint.lo) left.hi = joint.lo;
    if (right.lo < joint.hi) right.lo = joint.hi;
    if (left.lo < left.hi) tap_rows(x, o, in_dims, out_dims, win, ky, kx, ry, left, w[kx]);
    if (right.lo < right.hi) tap_rows(x, o, in_dims, out_dims, win, ky, kx, ry, right, w[kx]);
  }
}

void rfw_conv2d(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, uint32_t groups, const rfw_values *weight, const rfw_values *bias) {
  const uint32_t cin_g = in_dims.c / groups, cout_g = out_dims.c / groups;
  const size_t in_plane = (size_t)in_dims.h * in_dims.w, out_plane = (size_t)out_dims.h * out_dims.w;
  const size_t taps = (size_t)win->kh * win->kw;
  row_spans sp;
  sp.joint.lo = sp.joint.hi = 0;
  for (uint32_t kx = 0; kx < win->kw && kx < CACHED_TAPS; kx++) sp.rx[kx] = rfw_tap_span(kx, win->pw, win->sw, in_dims.w, out_dims.w);
  if (win->kw == 3 && cin_g == 1) {
    rfw_span j = sp.rx[0];
    for (uint32_t kx = 1; kx < 3; kx++) {
      if (sp.rx[kx].lo > j.lo) j.lo = sp.rx[kx].lo;
      if (sp.rx[kx].hi < j.hi) j.hi = sp.rx[kx].hi;
    }
    if (j.lo + JOINT_MIN_COLUMNS <= j.hi) sp.joint = j;
  }
  for (uint32_t oc = 0; oc < out_dims.c; oc++) {
    float *o = out + oc * out_plane;
    const float b = rfw_value_at(bias, oc);
    for (size_t j = 0; j < out_plane; j++) o[j] = b;
    const float *x = in + (size_t)(oc / cout_g) * cin_g * in_plane;
    const size_t w_oc = (size_t)oc * cin_g * taps;
    for (uint32_t ky = 0; ky < win->kh; ky++) {
      sp.ry = rfw_tap_span(ky, win->ph, win->sh, in_dims.h, out_dims.h);
      const rfw_span ry = sp.ry;
      if (ry.lo == ry.hi) continue;
      if (sp.joint.lo < sp.joint.hi) {
        const float w[3] = {rfw_value_at(weight, w_oc + ky * 3u), rfw_value_at(weight, w_oc + ky * 3u + 1), rfw_value_at(weight, w_oc + ky * 3u + 2)};
        depthwise_row3(x, o, in_dims, out_dims, win, ky, &sp, w);
        continue;
      }
      for (uint32_t kx = 0; kx < win->kw; kx++) {
        const rfw_span rx = kx < CACHED_TAPS ? sp.rx[kx] : rfw_tap_span(kx, win->pw, win->sw, in_dims.w, out_dims.w);
        if (rx.lo == rx.hi) continue;
        const size_t n = rx.hi - rx.lo;
        /* Input row and column of output (ry.lo, rx.lo) under this tap; both are inside the plane. */
        const size_t at = ((size_t)ry.lo * win->sh + ky - win->ph) * in_dims.w + (size_t)rx.lo * win->sw + kx - win->pw;
        const size_t row_step = (size_t)win->sh * in_dims.w;
        const size_t w_tap = w_oc + (size_t)ky * win->kw + kx;
        uint32_t ic = 0;
        for (; ic + 4 <= cin_g; ic += 4) {
          const size_t wi = w_tap + ic * taps;
          const float w0 = rfw_value_at(weight, wi), w1 = rfw_value_at(weight, wi + taps);
          const float w2 = rfw_value_at(weight, wi + 2 * taps), w3 = rfw_value_at(weight, wi + 3 * taps);
          const float *a = x + ic * in_plane + at;
          float *d = o + (size_t)ry.lo * out_dims.w + rx.lo;
          for (uint32_t oy = ry.lo; oy < ry.hi; oy++, a += row_step, d += out_dims.w) sweep4(d, a, a + in_plane, a + 2 * in_plane, a + 3 * in_plane, w0, w1, w2, w3, n, win->sw);
        }
        for (; ic < cin_g; ic++) tap_rows(x + ic * in_plane, o, in_dims, out_dims, win, ky, kx, ry, rx, rfw_value_at(weight, w_tap + ic * taps));
      }
    }
  }
}
