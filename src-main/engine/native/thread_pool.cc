#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace modescope {
namespace {

thread_local bool in_task = false;

class Pool {
 public:
  Pool() {
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("MODESCOPE_THREADS")) n = std::atoi(env);
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    threads_ = n;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { work(); });
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  int threads() const { return threads_; }

  void run(int tasks, void (*fn)(void*, int), void* ctx) {
    if (tasks <= 0) return;
    if (in_task || threads_ == 1 || tasks == 1) {
      for (int t = 0; t < tasks; ++t) fn(ctx, t);
      return;
    }
    std::lock_guard<std::mutex> serial(run_mutex_);  // one job at a time from JS threads
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = fn;
      ctx_ = ctx;
      tasks_ = tasks;
      next_.store(0);
      busy_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return busy_ == 0; });
  }

 private:
  void drain() {
    in_task = true;
    for (;;) {
      int t = next_.fetch_add(1);
      if (t >= tasks_) break;
      fn_(ctx_, t);
    }
    in_task = false;
  }

  void work() {
    unsigned long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      drain();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  bool stop_ = false;
  unsigned long generation_ = 0;
  int busy_ = 0;
  void (*fn_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_{0};
};

Pool& pool() {
  // Leaked on purpose: joining threads during static destruction at process exit can deadlock.
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int pool_threads() { return pool().threads(); }

void pool_run(int tasks, void (*fn)(void* ctx, int task), void* ctx) { pool().run(tasks, fn, ctx); }

}  // namespace modescope
