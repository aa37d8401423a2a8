#pragma once
// Bias + CELU(α) over a row-major block, keeping CELU' for the backward pass. The rows run in a
// translation unit of their own compiled with -ffast-math (CeluFastMath.cpp), so the exponentials
// vectorise through glibc's libmvec (within a few ulp of std::exp; the flavour-agreement tests
// check it). -ffast-math assumes finite values, so every row is tested first in integer
// arithmetic (which the flag cannot remove): a row holding a NaN or an infinity goes through the
// plain IEEE loop of CeluKernel.cpp instead, where a NaN stays NaN in the activation and in CELU'
// and is seen by the result check, never turned into a finite number.
namespace mlffb::ani {

void biasCeluForward(float* z, float* derivative, const float* bias, long rows, int cols, float alpha);
void biasCeluForward(double* z, double* derivative, const double* bias, long rows, int cols, double alpha);

/// One row in plain IEEE arithmetic (NaN in, NaN out): the path for rows that are not finite.
void biasCeluRowStrict(float* z, float* derivative, const float* bias, int cols, float alpha);
void biasCeluRowStrict(double* z, double* derivative, const double* bias, int cols, double alpha);

/// Whether the fast rows were compiled as intended: optimised, with -ffast-math, and with the C
/// library declaring a vector expf/exp to the compiler. A build that loses the flags (as happened
/// once when the file moved folders) fails a unit test instead of silently halving the network
/// stage's speed.
bool celuFastPathVectorised();

}  // namespace mlffb::ani
