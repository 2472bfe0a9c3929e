/*
 * Max pooling in two passes per output row, as the average pool: the window's rows reduced into `row`
 * (one float per input column), then each output reduces its window's columns of that row, with the
 * 3×3 window of the NL module unrolled. Padding counts as −∞, so a window's maximum is that of the
 * pixels it covers (padding is at most half a kernel, so every window covers one).
 *
 * A NaN wins and stays, as in PyTorch's kernel. Testing for it costs a second compare at every step,
 * so each plane is first checked for NaNs (one integer test per pixel) and takes the plain compare when
 * it has none, which is every plane of a working model.
 */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/window-span.h"

static inline float max_plain(float m, float v) { return v > m ? v : m; }
static inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }

static int has_nan(const float *x, size_t n) {
  uint32_t any = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t bits;
    memcpy(&bits, &x[i], sizeof bits);
    any |= (bits & 0x7fffffffu) > 0x7f800000u;
  }
  return any != 0;
}

/*
 * The row and column passes, once with the plain compare and once with the NaN test: MAX is max_plain
 * or max_nan, chosen per plane outside the loops.
 */
#define RFW_MAXPOOL_PLANE(name, MAX)                                                                                   \
  static void name(const float *x, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, float *row, rfw_span inside) { \
    const uint32_t width = in_dims.w, kw = win->kw, sw = win->sw;                                                     \
    for (uint32_t oy = 0; oy < out_dims.h; oy++) {                                                                     \
      const rfw_span ry = rfw_window_clip(oy, win->kh, win->sh, win->ph, in_dims.h);                                  \
      const float *r = x + (size_t)ry.lo * width;                                                                      \
      if (ry.hi - ry.lo == 3) {                                                                                        \
        const float *r1 = r + width, *r2 = r + 2 * width;                                                              \
        for (uint32_t i = 0; i < width; i++) row[i] = MAX(MAX(r[i], r1[i]), r2[i]);                                    \
      } else {                                                                                                         \
        for (uint32_t i = 0; i < width; i++) row[i] = r[i];                                                            \
        for (uint32_t y = ry.lo + 1; y < ry.hi; y++) {                                                                 \
          r += width;                                                                                                  \
          for (uint32_t i = 0; i < width; i++) row[i] = MAX(row[i], r[i]);                                             \
        }                                                                                                              \
      }                                                                                                                \
      for (uint32_t ox = 0; ox < out_dims.w; ox++) {                                                                   \
        if (ox == inside.lo && inside.lo < inside.hi && kw == 3) {                                                                              \
          const float *p = row + (size_t)ox * sw - win->pw;                                                            \
          for (; ox < inside.hi; ox++, p += sw) *out++ = MAX(MAX(p[0], p[1]), p[2]);                                   \
          if (ox >= out_dims.w) break;                                                                                 \
        }                                                                                                              \
        const rfw_span rx = rfw_window_clip(ox, kw, sw, win->pw, width);                                               \
        float m = row[rx.lo];                                                                                          \
        for (uint32_t i = rx.lo + 1; i < rx.hi; i++) m = MAX(m, row[i]);                                               \
        *out++ = m;                                                                                                    \
      }                                                                                                                \
    }                                                                                                                  \
  }

RFW_MAXPOOL_PLANE(pool_plane, max_plain)
RFW_MAXPOOL_PLANE(pool_plane_nan, max_nan)

void rfw_maxpool(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, float *row) {
  const size_t in_plane = (size_t)in_dims.h * in_dims.w, out_plane = (size_t)out_dims.h * out_dims.w;
  const rfw_span inside = rfw_window_inside(win->kw, win->sw, win->pw, in_dims.w, out_dims.w);
  for (uint32_t c = 0; c < in_dims.c; c++, in += in_plane, out += out_plane) {
    if (has_nan(in, in_plane)) pool_plane_nan(in, in_dims, out, out_dims, win, row, inside);
    else pool_plane(in, in_dims, out, out_dims, win, row, inside);
  }
}
