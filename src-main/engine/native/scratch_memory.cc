#include "scratch_memory.h"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace modescope {
namespace {

constexpr size_t kCacheCap = size_t{512} << 20;  // bytes kept for reuse across calls

struct Block {
  void* ptr;
  size_t bytes;
};

std::mutex& cache_mutex() {
  static std::mutex* m = new std::mutex();
  return *m;
}

std::vector<Block>& cache() {
  static std::vector<Block>* c = new std::vector<Block>();
  return *c;
}

size_t cached_bytes = 0;

size_t rounded(size_t bytes) { return bytes == 0 ? 64 : (bytes + 63) / 64 * 64; }

}  // namespace

void* scratch_acquire(size_t bytes) {
  bytes = rounded(bytes);
  {
    std::lock_guard<std::mutex> lock(cache_mutex());
    auto& c = cache();
    size_t best = c.size();
    for (size_t i = 0; i < c.size(); ++i)
      if (c[i].bytes == bytes) {
        best = i;
        break;
      }
    if (best < c.size()) {
      void* p = c[best].ptr;
      cached_bytes -= c[best].bytes;
      c.erase(c.begin() + static_cast<long>(best));
      return p;
    }
  }
  void* p = std::aligned_alloc(64, bytes);
  if (!p) std::abort();
  return p;
}

void scratch_release(void* block, size_t bytes) {
  if (!block) return;
  bytes = rounded(bytes);
  std::lock_guard<std::mutex> lock(cache_mutex());
  if (cached_bytes + bytes > kCacheCap) {
    std::free(block);
    return;
  }
  cache().push_back(Block{block, bytes});
  cached_bytes += bytes;
}

}  // namespace modescope
