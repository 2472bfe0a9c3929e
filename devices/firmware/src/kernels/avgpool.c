/*
 * Average pooling in two passes per output row, with running sums where consecutive windows overlap:
 * `row` holds, per input column, the sum over the window's rows (moving down one output row adds the
 * rows that enter and subtracts the rows that leave), and each output's sum over its window's columns
 * of `row` moves along the same way. About four adds per output whatever the window, where a direct
 * window takes kh·kw (121 for the mixed pool's 11×11). The running sums round differently from a
 * direct sum, by a few float32 ulps of the window's sum, far inside the studio's 1e-4 on logits.
 * Windows that do not overlap (stride ≥ kernel) are summed directly.
 */
#include "kernels/kernels.h"
#include "kernels/window-span.h"

static void add_row(float *row, const float *r, uint32_t width) {
  for (uint32_t i = 0; i < width; i++) row[i] += r[i];
}

static void sub_row(float *row, const float *r, uint32_t width) {
  for (uint32_t i = 0; i < width; i++) row[i] -= r[i];
}

static void swap_row(float *row, const float *in, const float *out, uint32_t width) {
  for (uint32_t i = 0; i < width; i++) row[i] += in[i] - out[i];
}

/** `row` becomes the sum of plane rows [ry.lo, ry.hi), moved from the sum over `was`. */
static void slide_rows(float *row, const float *x, uint32_t width, rfw_span was, rfw_span ry, int fresh) {
  if (fresh || ry.lo >= was.hi) {
    const float *r = x + (size_t)ry.lo * width;
    for (uint32_t i = 0; i < width; i++) row[i] = r[i];
    for (uint32_t y = ry.lo + 1; y < ry.hi; y++) add_row(row, x + (size_t)y * width, width);
    return;
  }
  uint32_t enter = was.hi, leave = was.lo;
  for (; enter < ry.hi && leave < ry.lo; enter++, leave++) swap_row(row, x + (size_t)enter * width, x + (size_t)leave * width, width);
  for (; enter < ry.hi; enter++) add_row(row, x + (size_t)enter * width, width);
  for (; leave < ry.lo; leave++) sub_row(row, x + (size_t)leave * width, width);
}

/** One output row from `row` (the window rows' sums per column): clipped windows at the edges, sliding inside. */
static void pool_row(const float *row, uint32_t width, float *out, uint32_t out_w, const rfw_window *win, int count_include_pad, float rows, rfw_span inside) {
  const float full = 1.0f / (float)(win->kh * win->kw);
  const uint32_t kw = win->kw, sw = win->sw;
  for (uint32_t ox = 0; ox < out_w; ox++) {
    if (ox == inside.lo && inside.lo < inside.hi) {
      /* Every window here covers kw columns from ox·sw − pw on. */
      const float inv = count_include_pad ? full : 1.0f / (rows * (float)kw);
      const float *p = row + (size_t)ox * sw - win->pw;
      float s = 0.0f;
      for (uint32_t i = 0; i < kw; i++) s += p[i];
      out[ox] = s * inv;
      for (ox++; ox < inside.hi; ox++) {
        if (sw < kw) {
          for (uint32_t t = 0; t < sw; t++) s += p[kw + t] - p[t];
        } else {
          s = 0.0f;
          for (uint32_t i = 0; i < kw; i++) s += p[sw + i];
        }
        p += sw;
        out[ox] = s * inv;
      }
      if (ox >= out_w) break;
    }
    const rfw_span rx = rfw_window_clip(ox, kw, sw, win->pw, width);
    float s = 0.0f;
    for (uint32_t i = rx.lo; i < rx.hi; i++) s += row[i];
    out[ox] = count_include_pad ? s * full : s / (rows * (float)(rx.hi - rx.lo));
  }
}

void rfw_avgpool(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, int count_include_pad, float *row) {
  const size_t in_plane = (size_t)in_dims.h * in_dims.w;
  const uint32_t width = in_dims.w;
  const int slide_down = win->sh < win->kh;
  const rfw_span inside = rfw_window_inside(win->kw, win->sw, win->pw, width, out_dims.w);
  for (uint32_t c = 0; c < in_dims.c; c++) {
    const float *x = in + c * in_plane;
    rfw_span was = {0, 0};
    for (uint32_t oy = 0; oy < out_dims.h; oy++, out += out_dims.w) {
      const rfw_span ry = rfw_window_clip(oy, win->kh, win->sh, win->ph, in_dims.h);
      slide_rows(row, x, width, was, ry, oy == 0 || !slide_down);
      was = ry;
      pool_row(row, width, out, out_dims.w, win, count_include_pad, (float)(ry.hi - ry.lo), inside);
    }
  }
}
