#pragma once

namespace modescope {

// True when the CPU executes AVX2 and FMA3 and the OS saves the YMM registers.
bool cpu_has_avx2_fma();

}  // namespace modescope
