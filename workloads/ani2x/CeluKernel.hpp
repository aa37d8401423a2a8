#pragma once
// Bias + CELU(α) over a row-major block, keeping CELU' for the backward pass. Compiled on its
// own with -ffast-math so the exponentials vectorise (glibc libmvec); the values stay within a
// few ulp of std::exp (checked by the flavour-agreement tests).
namespace mlffb::ani {

void biasCeluForward(float* z, float* derivative, const float* bias, long rows, int cols, float alpha);
void biasCeluForward(double* z, double* derivative, const double* bias, long rows, int cols, double alpha);

}  // namespace mlffb::ani
