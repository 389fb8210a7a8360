// AVX2/FMA build of the kernels. Compiled with -mavx2 -mfma (see binding.gyp) and only called
// after cpuid confirms support.
#include "kernels.h"

#if !(defined(__x86_64__) || defined(_M_X64))

// Not an x86-64 target: there is no AVX2 build; the portable kernels stand in (cpuid never
// selects this table there anyway).
namespace modescope {
const KernelTable& avx2_kernels() { return portable_kernels(); }
}  // namespace modescope

#else

#define MS_KERNEL_NS avx2_isa

#include <immintrin.h>

namespace modescope {
namespace avx2_isa {

constexpr int MR = 6;
constexpr int NR = 16;

// C[6×16] (=|+=) A_panel · B_panel: 12 accumulators, two B vectors and one broadcast per row.
static void micro_kernel(int kc, const float* a, const float* b, float* c, int ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b + p * NR);
    const __m256 b1 = _mm256_load_ps(b + p * NR + 8);
    const float* ap = a + p * MR;
    __m256 av = _mm256_broadcast_ss(ap + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(ap + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(ap + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(ap + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(ap + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(ap + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  __m256 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < MR; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      rows[r][0] = _mm256_add_ps(rows[r][0], _mm256_loadu_ps(cr));
      rows[r][1] = _mm256_add_ps(rows[r][1], _mm256_loadu_ps(cr + 8));
    }
    _mm256_storeu_ps(cr, rows[r][0]);
    _mm256_storeu_ps(cr + 8, rows[r][1]);
  }
}

}  // namespace avx2_isa
}  // namespace modescope

#include "kernels_impl.h"

namespace modescope {

const KernelTable& avx2_kernels() {
  static const KernelTable table{"avx2-fma", avx2_isa::rnn_forward, avx2_isa::rnn_backward, avx2_isa::mvn_forward,
                                 avx2_isa::mvn_backward, avx2_isa::dense_forward,
                                 avx2_isa::dense_backward, avx2_isa::layer_norm_forward,
                                 avx2_isa::layer_norm_backward, avx2_isa::adam_update};
  return table;
}

}  // namespace modescope

#endif  // x86-64
