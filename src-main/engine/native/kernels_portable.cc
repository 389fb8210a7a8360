// Portable build of the kernels: plain C++ micro-kernel, no instruction-set flags.
#define MS_KERNEL_NS portable_isa

namespace modescope {
namespace portable_isa {

constexpr int MR = 6;
constexpr int NR = 16;

// C[MR×NR] (=|+=) A_panel · B_panel over kc; panels are packed k-major.
static void micro_kernel(int kc, const float* a, const float* b, float* c, int ldc, bool accumulate) {
  float acc[MR][NR] = {};
  for (int p = 0; p < kc; ++p) {
    for (int r = 0; r < MR; ++r) {
      const float ar = a[p * MR + r];
      for (int q = 0; q < NR; ++q) acc[r][q] += ar * b[p * NR + q];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NR; ++q) c[r * ldc + q] = (accumulate ? c[r * ldc + q] : 0.0f) + acc[r][q];
}

}  // namespace portable_isa
}  // namespace modescope

#include "kernels_impl.h"

namespace modescope {

const KernelTable& portable_kernels() {
  static const KernelTable table{"scalar", portable_isa::rnn_forward, portable_isa::rnn_backward,
                                 portable_isa::mvn_forward, portable_isa::mvn_backward, portable_isa::dense_forward,
                                 portable_isa::dense_backward};
  return table;
}

}  // namespace modescope
