/*
 * The float32 multiplier a seeded tensor's init implies (core/seed/seed-mult.ts). Boards never use it to
 * regenerate — the package stores `mult` — but the decoder refuses a package whose stored multiplier
 * disagrees with its init, as the TypeScript decoder does. Computed in doubles with the same operations
 * in the same order; sqrt is correctly rounded in IEEE-754 C libraries, as Math.sqrt is in JavaScript.
 */
#ifndef RFW_SEED_MULT_H
#define RFW_SEED_MULT_H

#include <stdint.h>

#include "seed/seed-stream.h"

typedef enum rfw_init { RFW_INIT_KAIMING = 1, RFW_INIT_XAVIER = 2 } rfw_init;
typedef enum rfw_fan { RFW_FAN_DEFAULT = 0, RFW_FAN_IN = 1, RFW_FAN_OUT = 2 } rfw_fan;

/**
 * @param[in] dist  the distribution
 * @param[in] init  kaiming or xavier
 * @param[in] fan   kaiming's fan (RFW_FAN_DEFAULT means fan_in); ignored by xavier
 * @param[in] gain  a positive finite gain
 * @param[in] shape the tensor's shape in canonical order, `rank` dimensions (1 to 4)
 */
float rfw_seeded_mult(rfw_dist dist, rfw_init init, rfw_fan fan, double gain, const uint32_t *shape, unsigned rank);

#endif
