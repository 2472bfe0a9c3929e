/* ShuffleNet's channel shuffle (torch.nn.ChannelShuffle): C viewed as [groups, C/groups] and transposed, one plane copy per channel. */
#include <string.h>

#include "kernels/kernels.h"

void rfw_channel_shuffle(const float *in, float *out, uint32_t channels, size_t plane, uint32_t groups) {
  const uint32_t per = channels / groups;
  for (uint32_t g = 0; g < groups; g++) {
    for (uint32_t j = 0; j < per; j++) memcpy(out + ((size_t)j * groups + g) * plane, in + ((size_t)g * per + j) * plane, plane * sizeof *in);
  }
}
