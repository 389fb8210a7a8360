#include "cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif

namespace modescope {

static void cpuid(int leaf, int sub, unsigned regs[4]) {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, leaf, sub);
  for (int i = 0; i < 4; ++i) regs[i] = static_cast<unsigned>(r[i]);
#else
  __cpuid_count(leaf, sub, regs[0], regs[1], regs[2], regs[3]);
#endif
}

static unsigned long long xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
#endif
}

bool cpu_has_avx2_fma() {
  unsigned r[4];
  cpuid(0, 0, r);
  if (r[0] < 7) return false;
  cpuid(1, 0, r);
  const bool fma = (r[2] >> 12) & 1;
  const bool osxsave = (r[2] >> 27) & 1;
  const bool avx = (r[2] >> 28) & 1;
  if (!(fma && osxsave && avx)) return false;
  if ((xgetbv0() & 0x6) != 0x6) return false;  // XMM and YMM state enabled by the OS
  cpuid(7, 0, r);
  return (r[1] >> 5) & 1;
}

}  // namespace modescope

#else

namespace modescope {
bool cpu_has_avx2_fma() { return false; }
}  // namespace modescope

#endif
