/*
 * rfw_model_infer: the nodes in execution order (GRPH holds them so), each reading its inputs' buffers
 * and writing its own at the planned offsets. A node's tensors are the next entries of TENS (they come
 * in node order, roles in order), read in place from the package, from the weight region (seeded, at
 * load) or rebuilt into the node's scratch just before it runs (seeded, per layer).
 */
#include <string.h>

#include "common/bytes.h"
#include "kernels/kernels.h"
#include "model/model-plan.h"
#include "port/port.h"

#define MAX_NODE_TENSORS 4

typedef struct node_tensors {
  rfw_tensor t[MAX_NODE_TENSORS];
  rfw_values v[MAX_NODE_TENSORS];
  unsigned count;
} node_tensors;

static uint32_t attr(const rfw_node *n, unsigned i) { return rfw_u32le(n->attrs + 4 * i); }
static uint32_t input_of(const rfw_node *n, unsigned k) { return rfw_u16le(n->inputs + 2 * k); }

static rfw_dims dims_of(const rfw_node *n) {
  rfw_dims d = {n->shape[0], 1, 1};
  if (n->rank == 3) {
    d.h = n->shape[1];
    d.w = n->shape[2];
  }
  return d;
}

static size_t elements_of(rfw_dims d) { return (size_t)d.c * d.h * d.w; }

static int little_endian(void) {
  const uint32_t one = 1;
  uint8_t first;
  memcpy(&first, &one, 1);
  return first == 1;
}

/** float32 data a kernel can read as an array: aligned, and in this machine's byte order. */
static const float *in_place(const rfw_tensor *t) {
  if (t->dtype != RFW_DTYPE_FP32 || t->data.ptr == NULL || ((uintptr_t)t->data.ptr & (sizeof(float) - 1)) != 0 || !little_endian()) return NULL;
  return (const float *)(const void *)t->data.ptr;
}

/** Node `index`'s tensors from TENS entry *cursor on, with where each one's values are. */
static rfw_status tensors_of(const rfw_model *model, uint32_t index, uint32_t *cursor, node_tensors *nt, rfw_diag *diag) {
  const rfw_package *pkg = model->pkg;
  const struct rfw_model_plan *plan = model->plan;
  size_t scratch = 0;
  nt->count = 0;
  while (*cursor < pkg->tensor_count && nt->count < MAX_NODE_TENSORS) {
    rfw_tensor *t = &nt->t[nt->count];
    rfw_package_tensor(pkg, *cursor, t);
    if (t->node != index) break;
    rfw_values *v = &nt->v[nt->count];
    v->tensor = t;
    v->f32 = NULL;
    if (t->mode == RFW_MODE_SEEDED) {
      if (plan->tensor_at != NULL) {
        v->f32 = plan->weights + plan->tensor_at[*cursor] / sizeof(float);
      } else {
        float *dst = (float *)(void *)(plan->activations + plan->scratch_at[index] + scratch);
        const rfw_status s = rfw_regenerate(&t->seed, 0, (size_t)t->elements, dst);
        if (s != RFW_OK) return rfw_fail(diag, s, "tensor %u could not be regenerated (%s)", *cursor, rfw_status_name(s));
        scratch += (size_t)t->elements * sizeof(float);
        v->f32 = dst;
      }
    } else {
      v->f32 = in_place(t);
    }
    nt->count++;
    (*cursor)++;
  }
  return RFW_OK;
}

static const rfw_values NO_VALUES = {NULL, NULL};

static void run_node(const rfw_model *model, const rfw_node *n, const float *input, float *out, const node_tensors *nt) {
  const struct rfw_model_plan *plan = model->plan;
  const float *x = NULL;
  rfw_node in_node;
  rfw_dims in = {0, 0, 0};
  if (n->input_count > 0) {
    const uint32_t j = input_of(n, 0);
    x = (const float *)(const void *)(plan->activations + plan->out_at[j]);
    rfw_package_node(model->pkg, j, &in_node);
    in = dims_of(&in_node);
  }
  const rfw_dims od = dims_of(n);
  switch (n->op) {
    case RFW_OP_INPUT:
      if (n->attr_count == 0) {
        memcpy(out, input, elements_of(od) * sizeof(float));
      } else {
        const uint32_t n_mean = attr(n, 0);
        rfw_normalize(input, out, od.c, (size_t)od.h * od.w, n->attrs + 4, n_mean, n->attrs + 4 * (2 + 2 * n_mean), attr(n, 1 + 2 * n_mean));
      }
      return;
    case RFW_OP_CONV: {
      const rfw_window win = {attr(n, 1), attr(n, 2), attr(n, 3), attr(n, 4), attr(n, 5), attr(n, 6)};
      rfw_conv2d(x, in, out, od, &win, attr(n, 7), &nt->v[0], nt->count > 1 ? &nt->v[1] : &NO_VALUES);
      return;
    }
    case RFW_OP_DENSE:
      rfw_dense(x, in.c, out, od.c, &nt->v[0], nt->count > 1 ? &nt->v[1] : &NO_VALUES);
      return;
    case RFW_OP_BATCHNORM: {
      const double eps = rfw_f64_from_bits((uint64_t)attr(n, 0) | ((uint64_t)attr(n, 1) << 32));
      rfw_batchnorm(x, out, od.c, (size_t)od.h * od.w, &nt->v[0], &nt->v[1], &nt->v[2], &nt->v[3], eps);
      return;
    }
    case RFW_OP_RELU:
      rfw_relu(x, out, elements_of(od));
      return;
    case RFW_OP_MAXPOOL: {
      const rfw_window win = {attr(n, 0), attr(n, 1), attr(n, 2), attr(n, 3), attr(n, 4), attr(n, 5)};
      rfw_maxpool(x, in, out, od, &win, plan->row);
      return;
    }
    case RFW_OP_AVGPOOL: {
      const rfw_window win = {attr(n, 0), attr(n, 1), attr(n, 2), attr(n, 3), attr(n, 4), attr(n, 5)};
      rfw_avgpool(x, in, out, od, &win, (int)attr(n, 6), plan->row);
      return;
    }
    case RFW_OP_MIXEDPOOL:
      rfw_mixedpool(x, in, out, od, n->attrs + 12, attr(n, 2), attr(n, 0), (int)attr(n, 1), plan->row);
      return;
    case RFW_OP_ADD:
    case RFW_OP_SUB: {
      const float *y = (const float *)(const void *)(plan->activations + plan->out_at[input_of(n, 1)]);
      if (n->op == RFW_OP_ADD) rfw_add(x, y, out, elements_of(od));
      else rfw_sub(x, y, out, elements_of(od));
      return;
    }
    case RFW_OP_CONCAT: {
      float *at = out;
      for (unsigned k = 0; k < n->input_count; k++) {
        const uint32_t j = input_of(n, k);
        rfw_node part;
        rfw_package_node(model->pkg, j, &part);
        at = rfw_concat_append(at, (const float *)(const void *)(plan->activations + plan->out_at[j]), elements_of(dims_of(&part)));
      }
      return;
    }
    case RFW_OP_CHANNELSHUFFLE:
      rfw_channel_shuffle(x, out, od.c, (size_t)od.h * od.w, attr(n, 0));
      return;
    case RFW_OP_GLOBALAVGPOOL:
      rfw_global_avgpool(x, out, in.c, (size_t)in.h * in.w);
      return;
    case RFW_OP_FLATTEN:
      return; /* a view: its output is its input's buffer */
    case RFW_OP_SOFTMAX:
      rfw_softmax(x, out, od.c);
      return;
  }
}

rfw_status rfw_model_infer(rfw_model *model, const float *input, float *logits, rfw_layer_hook hook, void *context, rfw_diag *diag) {
  rfw_diag_clear(diag);
  if (model == NULL || model->plan == NULL || input == NULL || logits == NULL) return rfw_fail(diag, RFW_ERR_ARGUMENT, "rfw_model_infer needs a loaded model, an input and room for the logits");
  const rfw_package *pkg = model->pkg;
  const struct rfw_model_plan *plan = model->plan;
  uint32_t cursor = 0;
  for (uint32_t i = 0; i < pkg->node_count; i++) {
    const uint32_t started = hook != NULL ? rfw_port_micros() : 0;
    rfw_node n;
    rfw_package_node(pkg, i, &n);
    node_tensors nt;
    const rfw_status s = tensors_of(model, i, &cursor, &nt, diag);
    if (s != RFW_OK) return s;
    run_node(model, &n, input, (float *)(void *)(plan->activations + plan->out_at[i]), &nt);
    if (hook != NULL) hook(context, i, i, rfw_port_micros() - started);
  }
  memcpy(logits, plan->activations + plan->out_at[plan->sizes.output_node], (size_t)model->output_elements * sizeof(float));
  return RFW_OK;
}
