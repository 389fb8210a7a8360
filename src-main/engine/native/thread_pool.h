// A persistent pool of worker threads sized to the machine; the calling thread takes part too.
#pragma once

namespace modescope {

// Number of threads that run tasks (workers + the caller).
int pool_threads();

// Runs fn(ctx, task) for task in [0, tasks) and returns when all are done. Tasks are handed out
// dynamically, so results must not depend on which thread ran a task. Calls made from inside a
// task run serially on that thread.
void pool_run(int tasks, void (*fn)(void* ctx, int task), void* ctx);

}  // namespace modescope
