// Reusable large scratch blocks. The kernels need tens of MB of temporaries per call; returning
// them to the OS and faulting fresh pages in on every call costs milliseconds, so freed blocks are
// kept (up to a cap) and handed out again.
#pragma once

#include <cstddef>

namespace modescope {

// 64-byte aligned block of at least `bytes`; contents undefined. Never returns null (aborts).
void* scratch_acquire(size_t bytes);
void scratch_release(void* block, size_t bytes);

}  // namespace modescope
