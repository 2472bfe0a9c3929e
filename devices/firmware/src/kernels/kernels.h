/*
 * The kernels: one image, float32, NCHW (channel planes one after another, rows inside a plane), with
 * the semantics of the studio's ops (core/ops/) and engine (core/node/engine/tf-ops.ts), which are
 * PyTorch's: explicit symmetric padding, floor output sizes, OIHW weights. A vector [F] is C = F planes
 * of 1×1. Kernels check nothing: the package decoder checked the shapes and attributes, and the executor
 * hands them buffers that do not overlap (docs/budget.md §6: no op works in place). They allocate
 * nothing and call no function per element.
 */
#ifndef RFW_KERNELS_H
#define RFW_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/values.h"

typedef struct rfw_dims {
  uint32_t c, h, w;
} rfw_dims;

/** A sliding window: kernel, stride and padding (before and after) per axis. */
typedef struct rfw_window {
  uint32_t kh, kw, sh, sw, ph, pw;
} rfw_window;

/**
 * Convolution, grouped (groups = 1: plain; groups = C_in: depthwise, output channel c·m + j reads input
 * channel c). Direct: each weight is read once and swept over the output plane, four input channels at
 * a time, with the padding handled by the loop bounds instead of per-element tests.
 * @param[in] weight [C_out, C_in/groups, kh, kw]
 * @param[in] bias   [C_out], or no values for a conv without bias
 */
void rfw_conv2d(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, uint32_t groups, const rfw_values *weight, const rfw_values *bias);

/** Dense: out[o] = Σᵢ W[o, i] · x[i] (+ bias[o]). @param[in] weight [out, in] */
void rfw_dense(const float *in, uint32_t in_features, float *out, uint32_t out_features, const rfw_values *weight, const rfw_values *bias);

/**
 * Batch norm at inference, folded per channel into y = x · scale + shift with scale = γ / √(var + eps)
 * and shift = β − mean · scale (computed in double, once per channel per run: no buffer to keep).
 */
void rfw_batchnorm(const float *in, float *out, uint32_t channels, size_t plane, const rfw_values *gamma, const rfw_values *beta, const rfw_values *mean, const rfw_values *var, double eps);

/** max(x, 0); NaN stays NaN, as PyTorch's. */
void rfw_relu(const float *in, float *out, size_t count);

/**
 * Max pooling; padding never wins (it is −∞), a NaN does (PyTorch). Reduces each output row's window
 * rows into `row` (in_dims.w floats) first, as the average pool.
 */
void rfw_maxpool(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, float *row);

/**
 * Average pooling, divided by kh·kw (count_include_pad) or by the pixels the window covers. Sums each
 * output row's window rows into `row` (in_dims.w floats) first, then slides along it: about kh + kw adds
 * per output instead of kh·kw.
 */
void rfw_avgpool(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const rfw_window *win, int count_include_pad, float *row);

/** Channels of group `g` when `channels` are split into `groups` near-equal groups, the first taking the remainder (mixedPoolSplits). */
uint32_t rfw_mixedpool_split(uint32_t channels, uint32_t groups, uint32_t g);

/**
 * The mixed pool: the channel groups of rfw_mixedpool_split, group g average-pooled with a k_g×k_g
 * window, padding k_g / 2 and the common stride.
 * @param[in] kernel_words the kernels, `kernel_count` little-endian u32 words as the package stores them
 */
void rfw_mixedpool(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const uint8_t *kernel_words, uint32_t kernel_count, uint32_t stride, int count_include_pad, float *row);

void rfw_add(const float *a, const float *b, float *out, size_t count);
void rfw_sub(const float *a, const float *b, float *out, size_t count);

/** One input of a concat along channels: in NCHW its planes follow the previous input's. @return the next input's place */
float *rfw_concat_append(float *at, const float *in, size_t count);

/** torch.nn.ChannelShuffle: output channel j·groups + g is input channel g·(C/groups) + j. */
void rfw_channel_shuffle(const float *in, float *out, uint32_t channels, size_t plane, uint32_t groups);

/** The mean of each channel plane: [C, H, W] to [C, 1, 1]. */
void rfw_global_avgpool(const float *in, float *out, uint32_t channels, size_t plane);

/** exp(x − max) / Σ exp(x − max) over the vector. */
void rfw_softmax(const float *in, float *out, uint32_t count);

/**
 * The input node's own normalisation, (x − mean_c) / std_c in float32 as the studio's engine computes it
 * (core/graph/input-normalize.ts), with one value for every channel or one per channel.
 * @param[in] mean_words `mean_count` little-endian float64 values (two u32 words each), as the package stores them
 */
void rfw_normalize(const float *in, float *out, uint32_t channels, size_t plane, const uint8_t *mean_words, uint32_t mean_count, const uint8_t *std_words, uint32_t std_count);

#endif
