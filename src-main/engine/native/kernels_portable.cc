// Portable build of the kernels: plain C++ micro-kernel, no instruction-set flags.
#define MS_KERNEL_NS portable_isa

namespace modescope {
namespace portable_isa {

constexpr int MR = 6;
constexpr int NR = 16;

// C[MR×NR] (=|+=) A_panel · B_panel over kc; panels are packed k-major. Written with 4-wide
// generic vectors: NEON and SSE both map them to registers (24 accumulators fit arm64's 32).
typedef float v4 __attribute__((vector_size(16)));

static inline v4 load4(const float* p) {
  v4 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void store4(float* p, v4 v) { __builtin_memcpy(p, &v, sizeof v); }

static void micro_kernel(int kc, const float* a, const float* b, float* c, int ldc, bool accumulate) {
  v4 acc[MR][NR / 4];
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NR / 4; ++q) acc[r][q] = v4{0, 0, 0, 0};
  for (int p = 0; p < kc; ++p) {
    const v4 b0 = load4(b + p * NR), b1 = load4(b + p * NR + 4), b2 = load4(b + p * NR + 8),
             b3 = load4(b + p * NR + 12);
    for (int r = 0; r < MR; ++r) {
      const float ar = a[p * MR + r];
      acc[r][0] += ar * b0;
      acc[r][1] += ar * b1;
      acc[r][2] += ar * b2;
      acc[r][3] += ar * b3;
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NR / 4; ++q) {
      float* cp = c + r * ldc + 4 * q;
      store4(cp, accumulate ? load4(cp) + acc[r][q] : acc[r][q]);
    }
}

}  // namespace portable_isa
}  // namespace modescope

#include "kernels_impl.h"

namespace modescope {

const KernelTable& portable_kernels() {
  static const KernelTable table{"scalar", portable_isa::rnn_forward, portable_isa::rnn_backward,
                                 portable_isa::mvn_forward, portable_isa::mvn_backward, portable_isa::dense_forward,
                                 portable_isa::dense_backward, portable_isa::layer_norm_forward,
                                 portable_isa::layer_norm_backward, portable_isa::adam_update};
  return table;
}

}  // namespace modescope
