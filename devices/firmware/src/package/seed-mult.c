#include "package/seed-mult.h"

#include <math.h>

float rfw_seeded_mult(rfw_dist dist, rfw_init init, rfw_fan fan, double gain, const uint32_t *shape, unsigned rank) {
  /* PyTorch's fans for OIHW / [out, in]; a 1-D tensor uses its length for both. */
  double fan_in, fan_out;
  if (rank == 1) {
    fan_in = fan_out = (double)shape[0];
  } else {
    double receptive = 1;
    for (unsigned k = 2; k < rank; k++) receptive *= (double)shape[k];
    fan_in = (double)shape[1] * receptive;
    fan_out = (double)shape[0] * receptive;
  }
  double sigma, bound;
  if (init == RFW_INIT_KAIMING) {
    const double f = fan == RFW_FAN_OUT ? fan_out : fan_in;
    sigma = gain / sqrt(f);
    bound = gain * sqrt(3 / f);
  } else {
    const double fans = fan_in + fan_out;
    sigma = gain * sqrt(2 / fans);
    bound = gain * sqrt(6 / fans);
  }
  switch (dist) {
    case RFW_DIST_UNIFORM:
      return (float)(bound * 0x1p-23);
    case RFW_DIST_NORMAL:
      return (float)(sigma * sqrt(3) * 0x1p-24);
    case RFW_DIST_SIGN:
      return (float)sigma;
  }
  return 0;
}
