// Kernel bodies, compiled once per instruction set. The including file defines MS_KERNEL_NS (a
// namespace unique to that translation unit) and micro_kernel(). Everything here lives in that
// namespace and avoids inline library templates (std::vector, std::min…): with two copies built
// under different -m flags, a shared inline symbol could let the linker run AVX2 code on a CPU
// without it.
#ifndef MS_KERNEL_NS
#error "define MS_KERNEL_NS before including kernels_impl.h"
#endif

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "scratch_memory.h"
#include "thread_pool.h"

namespace modescope {
namespace MS_KERNEL_NS {

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int round_up(int v, int m) { return (v + m - 1) / m * m; }

// 64-byte aligned scratch owned by one scope, zeroed unless the caller overwrites all of it.
// Blocks of 64 KiB and more come from the reuse cache (scratch_memory.h).
class Scratch {
 public:
  enum Init { kZero, kUninitialised };
  explicit Scratch(size_t floats, Init init = kZero) : bytes_((floats * sizeof(float) + 63) / 64 * 64) {
    if (bytes_ == 0) bytes_ = 64;
    cached_ = bytes_ >= (size_t{64} << 10);
    ptr_ = static_cast<float*>(cached_ ? scratch_acquire(bytes_) : aligned_alloc(64, bytes_));
    if (init == kZero) memset(ptr_, 0, bytes_);
  }
  ~Scratch() {
    if (cached_) scratch_release(ptr_, bytes_);
    else free(ptr_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  float* get() const { return ptr_; }

 private:
  size_t bytes_;
  bool cached_;
  float* ptr_;
};

// Reductions over rows or time points are split into at most this many contiguous chunks, whose
// partial sums are then combined in chunk order. The count is fixed, not derived from the pool
// size, so every reduced value has one summation order whatever the number of threads (set by
// MODESCOPE_THREADS or the machine) and however the pool hands out the chunks.
constexpr int kReductionChunks = 32;

static inline int reduction_chunks(int64_t items) {
  return static_cast<int>(items < kReductionChunks ? (items > 0 ? items : 1) : kReductionChunks);
}

template <typename F>
static void trampoline(void* ctx, int task) {
  (*static_cast<F*>(ctx))(task);
}

// Runs body(task) for task in [0, tasks) on the pool.
template <typename F>
static void parallel_tasks(int tasks, F body) {
  pool_run(tasks, &trampoline<F>, &body);
}

// e^x with Cephes' single-precision polynomial and exponent scaling (about 1 ulp); written with
// plain arithmetic and a magic-constant rounding so loops over it vectorise.
static inline float fast_exp(float x) {
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.0f ? -87.0f : x;
  const float shifter = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer
  float n = (x * 1.44269504088896341f + shifter) - shifter;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

static inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

static inline float fast_tanh(float x) { return 2.0f / (1.0f + fast_exp(-2.0f * x)) - 1.0f; }

// ---------------------------------------------------------------------------------------------
// SGEMM: C (=|+=) op(A)[M×K] · op(B)[K×N], row-major, Goto-style packing around micro_kernel().
// ---------------------------------------------------------------------------------------------

constexpr int KC = 256;
constexpr int MC = 96;   // multiple of MR
constexpr int NCT = 128;  // columns per parallel task, multiple of NR

struct PackedB {
  const float* data;
  int k, n, n_pad;
};

static inline float load_op(const float* m, int ld, bool trans, int row, int col) {
  return trans ? m[static_cast<size_t>(col) * ld + row] : m[static_cast<size_t>(row) * ld + col];
}

static size_t packed_b_size(int k, int n) { return static_cast<size_t>(k) * round_up(n, NR); }

// Layout: K-blocks of KC rows; inside a block of kc rows, NR-wide column panels of kc×NR.
static void pack_b_block(bool trans, const float* b, int ldb, int n, int p0, int kc, float* block) {
  const int n_pad = round_up(n, NR);
  for (int jp = 0; jp < n_pad / NR; ++jp) {
    float* panel = block + static_cast<size_t>(jp) * kc * NR;
    for (int p = 0; p < kc; ++p) {
      for (int c = 0; c < NR; ++c) {
        const int j = jp * NR + c;
        panel[p * NR + c] = j < n ? load_op(b, ldb, trans, p0 + p, j) : 0.0f;
      }
    }
  }
}

// Packs all of B, one K-block per task (large B, e.g. a gradient over every time step, is
// packed by all threads).
static void pack_b(bool trans, const float* b, int ldb, int k, int n, float* out) {
  const int n_pad = round_up(n, NR);
  const int blocks = (k + KC - 1) / KC;
  auto one = [&](int blk) {
    const int p0 = blk * KC;
    pack_b_block(trans, b, ldb, n, p0, imin(KC, k - p0), out + static_cast<size_t>(p0) * n_pad);
  };
  if (static_cast<size_t>(k) * n_pad < (size_t{1} << 16)) {
    for (int blk = 0; blk < blocks; ++blk) one(blk);
  } else {
    parallel_tasks(blocks, one);
  }
}

static void pack_a(bool trans, const float* a, int lda, int i0, int mc, int p0, int kc, float* out) {
  for (int ip = 0; ip < mc; ip += MR) {
    float* panel = out + static_cast<size_t>(ip) * kc;
    const int mr = imin(MR, mc - ip);
    if (!trans && mr == MR) {
      for (int p = 0; p < kc; ++p)
        for (int r = 0; r < MR; ++r) panel[p * MR + r] = a[static_cast<size_t>(i0 + ip + r) * lda + p0 + p];
    } else {
      for (int p = 0; p < kc; ++p)
        for (int r = 0; r < MR; ++r)
          panel[p * MR + r] = r < mr ? load_op(a, lda, trans, i0 + ip + r, p0 + p) : 0.0f;
    }
  }
}

static float* thread_pack_buffer() {
  static thread_local float* buffer = nullptr;  // one per pool thread, kept for the process
  if (!buffer) buffer = static_cast<float*>(aligned_alloc(64, sizeof(float) * MC * KC));
  return buffer;
}

// Rows [i0, i1) and columns [j0, j1) of C; j0 is a multiple of NR.
static void gemm_block(bool trans_a, const float* a, int lda, const PackedB& b, bool accumulate, float* c, int ldc,
                       int i0, int i1, int j0, int j1) {
  float* packed_a = thread_pack_buffer();
  alignas(64) float tile[MR * NR];
  for (int p0 = 0; p0 < b.k; p0 += KC) {
    const int kc = imin(KC, b.k - p0);
    const bool acc = accumulate || p0 > 0;
    const float* b_block = b.data + static_cast<size_t>(p0) * b.n_pad;
    for (int ic = i0; ic < i1; ic += MC) {
      const int mc = imin(MC, i1 - ic);
      pack_a(trans_a, a, lda, ic, mc, p0, kc, packed_a);
      for (int jp = j0 / NR; jp * NR < j1; ++jp) {
        const int nr = imin(NR, j1 - jp * NR);
        const float* b_panel = b_block + static_cast<size_t>(jp) * kc * NR;
        for (int ir = 0; ir < mc; ir += MR) {
          const int mr = imin(MR, mc - ir);
          float* c_tile = c + static_cast<size_t>(ic + ir) * ldc + jp * NR;
          const float* a_panel = packed_a + static_cast<size_t>(ir) * kc;
          if (mr == MR && nr == NR) {
            micro_kernel(kc, a_panel, b_panel, c_tile, ldc, acc);
          } else {
            micro_kernel(kc, a_panel, b_panel, tile, NR, false);
            for (int r = 0; r < mr; ++r)
              for (int q = 0; q < nr; ++q)
                c_tile[static_cast<size_t>(r) * ldc + q] = (acc ? c_tile[static_cast<size_t>(r) * ldc + q] : 0.0f) +
                                                            tile[r * NR + q];
          }
        }
      }
    }
  }
}

// Serial product with an already packed B (used inside tasks, e.g. the recurrent step).
static void gemm_packed(int m, bool trans_a, const float* a, int lda, const PackedB& b, bool accumulate, float* c,
                        int ldc) {
  if (m <= 0 || b.n <= 0) return;
  gemm_block(trans_a, a, lda, b, accumulate, c, ldc, 0, m, 0, b.n);
}

// Parallel product with an already packed B, over tiles of C; each tile sums its full K in a
// fixed order, so results do not depend on scheduling.
static void gemm_prepacked(bool trans_a, int m, const float* a, int lda, const PackedB& pb, bool accumulate, float* c,
                           int ldc) {
  const int n = pb.n;
  if (m <= 0 || n <= 0) return;
  const int m_tiles = (m + MC - 1) / MC;
  const int n_tiles = (n + NCT - 1) / NCT;
  parallel_tasks(m_tiles * n_tiles, [&](int task) {
    const int it = task / n_tiles;
    const int jt = task % n_tiles;
    gemm_block(trans_a, a, lda, pb, accumulate, c, ldc, it * MC, imin(m, (it + 1) * MC), jt * NCT,
               imin(n, (jt + 1) * NCT));
  });
}

static void gemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                 bool accumulate, float* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int i = 0; i < m; ++i) memset(c + static_cast<size_t>(i) * ldc, 0, sizeof(float) * n);
    return;
  }
  Scratch packed(packed_b_size(k, n), Scratch::kUninitialised);
  pack_b(trans_b, b, ldb, k, n, packed.get());
  gemm_prepacked(trans_a, m, a, lda, PackedB{packed.get(), k, n, round_up(n, NR)}, accumulate, c, ldc);
}

// ---------------------------------------------------------------------------------------------
// RNN over a whole sequence
// ---------------------------------------------------------------------------------------------

static inline int time_at(const RnnArgs& a, int step) { return a.reverse ? a.steps - 1 - step : step; }

static int batch_slices(int batch) { return imax(1, imin(batch, pool_threads())); }

static void rnn_forward(const RnnArgs& a) {
  const int B = a.batch, T = a.steps, I = a.input_size, H = a.units;
  const int HS = a.hidden_stride;
  const bool lstm = a.cell == 0;
  const int GH = (lstm ? 4 : 3) * H;
  const int W5 = 5 * H;
  // Input projection for every (b, t) at once.
  Scratch z(static_cast<size_t>(B) * T * GH, Scratch::kUninitialised);
  gemm(false, false, B * T, GH, I, a.x, I, a.kernel, GH, false, z.get(), GH);
  Scratch packed_u(packed_b_size(H, GH), Scratch::kUninitialised);
  pack_b(false, a.recurrent_kernel, GH, H, GH, packed_u.get());
  const PackedB pu{packed_u.get(), H, GH, round_up(GH, NR)};
  const float* b_in = a.bias;
  const float* b_rec = lstm ? nullptr : a.bias + GH;

  const int slices = batch_slices(B);
  parallel_tasks(slices, [&](int s) {
    const int b0 = B * s / slices, b1 = B * (s + 1) / slices, bs = b1 - b0;
    Scratch hz(static_cast<size_t>(bs) * GH);
    Scratch row(GH);
    Scratch zeros_buf(H);
    const float* zeros = zeros_buf.get();
    float* g = row.get();
    for (int step = 0; step < T; ++step) {
      const int t = time_at(a, step);
      const int tp = step > 0 ? time_at(a, step - 1) : -1;
      float* zt = z.get() + (static_cast<size_t>(b0) * T + t) * GH;
      const size_t ldz = static_cast<size_t>(T) * GH;
      const float* h_prev = nullptr;
      int ld_h = 0;
      if (tp >= 0) {
        h_prev = a.hidden + (static_cast<size_t>(b0) * T + tp) * HS;
        ld_h = T * HS;
      } else if (a.initial_h) {
        h_prev = a.initial_h + static_cast<size_t>(b0) * H;
        ld_h = H;
      }
      if (lstm) {
        if (h_prev) gemm_packed(bs, false, h_prev, ld_h, pu, true, zt, static_cast<int>(ldz));
      } else if (h_prev) {
        gemm_packed(bs, false, h_prev, ld_h, pu, false, hz.get(), GH);
      }
      for (int r = 0; r < bs; ++r) {
        const int b = b0 + r;
        const float* zr = zt + r * ldz;
        float* tape = a.tape + (static_cast<size_t>(b) * T + t) * W5;
        float* h = a.hidden + (static_cast<size_t>(b) * T + t) * HS;
        if (lstm) {
          for (int q = 0; q < GH; ++q) g[q] = zr[q] + b_in[q];
          for (int q = 0; q < 2 * H; ++q) g[q] = fast_sigmoid(g[q]);
          for (int q = 2 * H; q < 3 * H; ++q) g[q] = fast_tanh(g[q]);
          for (int q = 3 * H; q < 4 * H; ++q) g[q] = fast_sigmoid(g[q]);
          const float* c_prev = tp >= 0 ? a.tape + (static_cast<size_t>(b) * T + tp) * W5 + 4 * H
                                        : (a.initial_c ? a.initial_c + static_cast<size_t>(b) * H : nullptr);
          for (int j = 0; j < H; ++j) {
            const float cp = c_prev ? c_prev[j] : 0.0f;
            const float c = g[H + j] * cp + g[j] * g[2 * H + j];
            tape[4 * H + j] = c;
          }
          for (int q = 0; q < 4 * H; ++q) tape[q] = g[q];
          for (int j = 0; j < H; ++j) h[j] = g[3 * H + j] * fast_tanh(tape[4 * H + j]);
        } else {
          const float* hzr = hz.get() + static_cast<size_t>(r) * GH;
          // hz stays zero (Scratch is zeroed) until the first step that has a previous state.
          const float* hp = h_prev ? h_prev + static_cast<size_t>(r) * ld_h : zeros;
          for (int q = 0; q < 2 * H; ++q) g[q] = zr[q] + b_in[q] + hzr[q] + b_rec[q];
          for (int q = 2 * H; q < GH; ++q) g[q] = hzr[q] + b_rec[q];
          for (int q = 0; q < 2 * H; ++q) g[q] = fast_sigmoid(g[q]);
#pragma GCC ivdep
          for (int j = 0; j < H; ++j) {
            const float rec_h = g[2 * H + j];
            const float hh = fast_tanh(zr[2 * H + j] + b_in[2 * H + j] + g[H + j] * rec_h);
            const float zg = g[j];
            tape[j] = zg;
            tape[H + j] = g[H + j];
            tape[2 * H + j] = hh;
            tape[3 * H + j] = rec_h;
            tape[4 * H + j] = 0.0f;
            h[j] = zg * hp[j] + (1.0f - zg) * hh;
          }
        }
      }
    }
  });
}

static void rnn_backward(const RnnArgs& a) {
  const int B = a.batch, T = a.steps, I = a.input_size, H = a.units;
  const int HS = a.hidden_stride;
  const bool lstm = a.cell == 0;
  const int GH = (lstm ? 4 : 3) * H;
  const int W5 = 5 * H;
  const size_t BT = static_cast<size_t>(B) * T;
  Scratch dz(BT * GH, Scratch::kUninitialised);  // gradient of the input pre-activations
  Scratch dr(lstm ? 0 : BT * GH, Scratch::kUninitialised);  // GRU: gradient of the recurrent pre-activations
  float* d_rec = lstm ? dz.get() : dr.get();
  // dh_prev = d_rec · Uᵀ: pack Uᵀ [GH × H] once.
  Scratch packed_ut(packed_b_size(GH, H), Scratch::kUninitialised);
  pack_b(true, a.recurrent_kernel, GH, GH, H, packed_ut.get());
  const PackedB put{packed_ut.get(), GH, H, round_up(H, NR)};

  const int slices = batch_slices(B);
  parallel_tasks(slices, [&](int s) {
    const int b0 = B * s / slices, b1 = B * (s + 1) / slices, bs = b1 - b0;
    Scratch dh_buf(static_cast<size_t>(bs) * H);
    Scratch dc_buf(static_cast<size_t>(bs) * H);
    Scratch tanh_buf(H);
    Scratch zeros_buf(H);  // the state before the first step when no initial state is given
    const float* zeros = zeros_buf.get();
    float* dh = dh_buf.get();
    float* dc = dc_buf.get();
    float* tc = tanh_buf.get();
    for (int step = T - 1; step >= 0; --step) {
      const int t = time_at(a, step);
      const int tp = step > 0 ? time_at(a, step - 1) : -1;
      for (int r = 0; r < bs; ++r) {
        const int b = b0 + r;
        const size_t n = static_cast<size_t>(b) * T + t;
        const float* tape = a.tape + n * W5;
        const float* dy = a.d_hidden + n * HS;
        float* dzr = dz.get() + n * GH;
        float* dhr = dh + static_cast<size_t>(r) * H;
        float* dcr = dc + static_cast<size_t>(r) * H;
        if (lstm) {
          const float* c_prev = tp >= 0 ? a.tape + (static_cast<size_t>(b) * T + tp) * W5 + 4 * H
                                        : (a.initial_c ? a.initial_c + static_cast<size_t>(b) * H : zeros);
          for (int j = 0; j < H; ++j) tc[j] = fast_tanh(tape[4 * H + j]);
          // The rows written here never overlap the rows read (distinct buffers or time steps).
#pragma GCC ivdep
          for (int j = 0; j < H; ++j) {
            const float ig = tape[j], fg = tape[H + j], cg = tape[2 * H + j], og = tape[3 * H + j];
            const float dhj = dhr[j] + dy[j];
            const float dcj = dcr[j] + dhj * og * (1.0f - tc[j] * tc[j]);
            const float cp = c_prev[j];
            dzr[j] = dcj * cg * ig * (1.0f - ig);
            dzr[H + j] = dcj * cp * fg * (1.0f - fg);
            dzr[2 * H + j] = dcj * ig * (1.0f - cg * cg);
            dzr[3 * H + j] = dhj * tc[j] * og * (1.0f - og);
            dcr[j] = dcj * fg;
          }
        } else {
          const float* hp = tp >= 0 ? a.hidden + (static_cast<size_t>(b) * T + tp) * HS
                                    : (a.initial_h ? a.initial_h + static_cast<size_t>(b) * H : zeros);
          float* drr = dr.get() + n * GH;
#pragma GCC ivdep
          for (int j = 0; j < H; ++j) {
            const float zg = tape[j], rg = tape[H + j], hh = tape[2 * H + j], hzh = tape[3 * H + j];
            const float dhj = dhr[j] + dy[j];
            const float a_h = dhj * (1.0f - zg) * (1.0f - hh * hh);
            const float a_z = dhj * (hp[j] - hh) * zg * (1.0f - zg);
            const float a_r = a_h * hzh * rg * (1.0f - rg);
            dzr[j] = a_z;
            dzr[H + j] = a_r;
            dzr[2 * H + j] = a_h;
            drr[j] = a_z;
            drr[H + j] = a_r;
            drr[2 * H + j] = a_h * rg;
            dhr[j] = dhj * zg;
          }
        }
      }
      // Carry to the previous step: dh = (GRU: direct part) + d_rec_t · Uᵀ.
      const float* drt = d_rec + (static_cast<size_t>(b0) * T + t) * GH;
      gemm_packed(bs, false, drt, T * GH, put, !lstm, dh, H);
    }
    for (int r = 0; r < bs; ++r) {
      const int b = b0 + r;
      for (int j = 0; j < H; ++j) {
        a.d_initial_h[static_cast<size_t>(b) * H + j] = dh[static_cast<size_t>(r) * H + j];
        if (lstm) a.d_initial_c[static_cast<size_t>(b) * H + j] = dc[static_cast<size_t>(r) * H + j];
      }
    }
  });

  // Weight and input gradients as large GEMMs over all (b, t).
  if (a.dx) gemm(false, true, static_cast<int>(BT), I, GH, dz.get(), GH, a.kernel, GH, false, a.dx, I);
  Scratch h_prev(BT * H, Scratch::kUninitialised);
  for (int b = 0; b < B; ++b) {
    for (int step = 0; step < T; ++step) {
      const int t = time_at(a, step);
      float* dst = h_prev.get() + (static_cast<size_t>(b) * T + t) * H;
      if (step > 0) {
        memcpy(dst, a.hidden + (static_cast<size_t>(b) * T + time_at(a, step - 1)) * HS, sizeof(float) * H);
      } else if (a.initial_h) {
        memcpy(dst, a.initial_h + static_cast<size_t>(b) * H, sizeof(float) * H);
      } else {
        memset(dst, 0, sizeof(float) * H);
      }
    }
  }
  // dW = Xᵀ dZ and dU = H_prevᵀ d_rec: for an LSTM both multiply the same dZ, packed once.
  Scratch packed_dz(packed_b_size(static_cast<int>(BT), GH), Scratch::kUninitialised);
  pack_b(false, dz.get(), GH, static_cast<int>(BT), GH, packed_dz.get());
  const PackedB pdz{packed_dz.get(), static_cast<int>(BT), GH, round_up(GH, NR)};
  gemm_prepacked(true, I, a.x, I, pdz, false, a.d_kernel, GH);
  if (lstm) {
    gemm_prepacked(true, H, h_prev.get(), H, pdz, false, a.d_recurrent_kernel, GH);
  } else {
    gemm(true, false, H, GH, static_cast<int>(BT), h_prev.get(), H, d_rec, GH, false, a.d_recurrent_kernel, GH);
  }
  // Bias gradients: column sums over all rows, row-major (contiguous) in double, one partial per
  // fixed row range, reduced in order.
  const int cols = lstm ? GH : 2 * GH;
  const int parts = reduction_chunks(static_cast<int64_t>(BT));
  double* partial = static_cast<double*>(calloc(static_cast<size_t>(parts) * cols, sizeof(double)));
  parallel_tasks(parts, [&](int part) {
    double* acc = partial + static_cast<size_t>(part) * cols;
    for (size_t n = BT * part / parts; n < BT * (part + 1) / parts; ++n) {
      const float* zrow = dz.get() + n * GH;
      for (int q = 0; q < GH; ++q) acc[q] += zrow[q];
      if (!lstm) {
        const float* rrow = dr.get() + n * GH;
        for (int q = 0; q < GH; ++q) acc[GH + q] += rrow[q];
      }
    }
  });
  for (int q = 0; q < cols; ++q) {
    double sum = 0.0;
    for (int part = 0; part < parts; ++part) sum += partial[static_cast<size_t>(part) * cols + q];
    a.d_bias[q] = static_cast<float>(sum);
  }
  free(partial);
}

// ---------------------------------------------------------------------------------------------
// Dense layer: out = x·W + b over all rows at once
// ---------------------------------------------------------------------------------------------

static void dense_forward(const DenseArgs& a) {
  const int M = a.rows, K = a.inputs, N = a.outputs;
  gemm(false, false, M, N, K, a.x, K, a.kernel, N, false, a.out, N);
  if (!a.bias) return;
  const int tasks = imin(M, 4 * pool_threads());
  parallel_tasks(tasks, [&](int task) {
    for (int i = M * task / tasks; i < M * (task + 1) / tasks; ++i) {
      float* row = a.out + static_cast<size_t>(i) * N;
      for (int j = 0; j < N; ++j) row[j] += a.bias[j];
    }
  });
}

static void dense_backward(const DenseArgs& a) {
  const int M = a.rows, K = a.inputs, N = a.outputs;
  if (a.dx) gemm(false, true, M, K, N, a.d_out, N, a.kernel, N, false, a.dx, K);
  gemm(true, false, K, N, M, a.x, K, a.d_out, N, false, a.d_kernel, N);
  if (!a.d_bias) return;
  for (int j = 0; j < N; ++j) {
    double sum = 0.0;
    for (int i = 0; i < M; ++i) sum += a.d_out[static_cast<size_t>(i) * N + j];
    a.d_bias[j] = static_cast<float>(sum);
  }
}

// ---------------------------------------------------------------------------------------------
// Layer normalisation over the last axis
// ---------------------------------------------------------------------------------------------

// Rows are split into a fixed number of contiguous chunks (not one per thread), so the partial sums
// of dγ and dβ, and hence the result, are the same whatever the pool size.
constexpr int kLayerNormChunks = 16;

static void layer_norm_forward(const LayerNormArgs& a) {
  const int M = a.rows, F = a.features;
  const int tasks = imin(M, kLayerNormChunks);
  parallel_tasks(tasks, [&](int task) {
    for (int i = static_cast<int>(static_cast<long long>(M) * task / tasks);
         i < static_cast<int>(static_cast<long long>(M) * (task + 1) / tasks); ++i) {
      const float* x = a.x + static_cast<size_t>(i) * F;
      float* y = a.y + static_cast<size_t>(i) * F;
      double s = 0.0;
      for (int j = 0; j < F; ++j) s += x[j];
      const double mu = s / F;
      double v = 0.0;
      for (int j = 0; j < F; ++j) {
        const double d = x[j] - mu;
        v += d * d;
      }
      const double r = 1.0 / sqrt(v / F + static_cast<double>(a.epsilon));
      a.mean[i] = static_cast<float>(mu);
      a.rstd[i] = static_cast<float>(r);
      const float muf = static_cast<float>(mu), rf = static_cast<float>(r);
      for (int j = 0; j < F; ++j) y[j] = (x[j] - muf) * rf * a.gamma[j] + a.beta[j];
    }
  });
}

static void layer_norm_backward(const LayerNormArgs& a) {
  const int M = a.rows, F = a.features;
  const int tasks = imin(M, kLayerNormChunks);
  // Per chunk: dγ partials, then dβ partials, in double.
  double* partial = static_cast<double*>(calloc(static_cast<size_t>(tasks) * 2 * F, sizeof(double)));
  parallel_tasks(tasks, [&](int task) {
    double* dg = partial + static_cast<size_t>(task) * 2 * F;
    double* db = dg + F;
    for (int i = static_cast<int>(static_cast<long long>(M) * task / tasks);
         i < static_cast<int>(static_cast<long long>(M) * (task + 1) / tasks); ++i) {
      const size_t o = static_cast<size_t>(i) * F;
      const float* x = a.x + o;
      const float* dy = a.d_y + o;
      float* dx = a.dx + o;
      const float mu = a.mean[i], r = a.rstd[i];
      double sum_g = 0.0, sum_gx = 0.0;
      for (int j = 0; j < F; ++j) {
        const float xhat = (x[j] - mu) * r;
        const float g = dy[j] * a.gamma[j];
        sum_g += g;
        sum_gx += static_cast<double>(g) * xhat;
        dg[j] += static_cast<double>(dy[j]) * xhat;
        db[j] += dy[j];
      }
      const float mg = static_cast<float>(sum_g / F), mgx = static_cast<float>(sum_gx / F);
      for (int j = 0; j < F; ++j) {
        const float xhat = (x[j] - mu) * r;
        dx[j] = r * (dy[j] * a.gamma[j] - mg - xhat * mgx);
      }
    }
  });
  for (int j = 0; j < F; ++j) {
    double g = 0.0, b = 0.0;
    for (int t = 0; t < tasks; ++t) {
      g += partial[static_cast<size_t>(t) * 2 * F + j];
      b += partial[static_cast<size_t>(t) * 2 * F + F + j];
    }
    a.d_gamma[j] = static_cast<float>(g);
    a.d_beta[j] = static_cast<float>(b);
  }
  free(partial);
}

// ---------------------------------------------------------------------------------------------
// Adam update over a flat parameter block (elementwise, so independent of threads and order)
// ---------------------------------------------------------------------------------------------

static void adam_update(const AdamArgs& a) {
  const float c1 = a.one_minus_beta1, c2 = a.one_minus_beta2;
  for (size_t i = 0; i < a.n; ++i) {
    const float g = a.grad[i] * a.grad_scale;
    const float m = a.m[i] + (g - a.m[i]) * c1;
    const float v = a.v[i] + (g * g - a.v[i]) * c2;
    a.m[i] = m;
    a.v[i] = v;
    a.param[i] -= a.step_size * m / (sqrtf(v) + a.epsilon);
  }
}

// ---------------------------------------------------------------------------------------------
// Mixture-covariance Gaussian log-likelihood
// ---------------------------------------------------------------------------------------------

// VL time points are processed together, one per SIMD lane ("compact" layout): matrix element e of
// lane m lives at [e·VL + m], so Cholesky, inverse and the mixture sums are lane-wise arithmetic
// with no horizontal reductions.
constexpr int VL = kMvnLanes;
typedef float vf __attribute__((vector_size(VL * sizeof(float))));

static inline vf splat(float v) { return vf{v, v, v, v, v, v, v, v}; }

static const double kLog2Pi = 1.8378770664093453;

static inline size_t tri(int i) { return static_cast<size_t>(i) * (i + 1) / 2; }  // row start, packed lower
static inline size_t upper_row(int i, int C) { return static_cast<size_t>(i) * C - tri(i) + i; }  // row start, packed upper

struct Group {
  int64_t index[VL];  // flat b·T + t of each lane (padding lanes repeat the last real one)
  int lanes;          // real lanes
};

// Observed time points, in order.
static int64_t observed_points(const MvnArgs& a, int64_t* out) {
  const int64_t N = static_cast<int64_t>(a.batch) * a.steps;
  int64_t count = 0;
  for (int64_t n = 0; n < N; ++n)
    if (!a.mask || a.mask[n] != 0.0f) out[count++] = n;
  return count;
}

static Group make_group(const int64_t* points, int64_t count, int64_t g) {
  Group grp;
  grp.lanes = static_cast<int>(count - g * VL < VL ? count - g * VL : VL);
  for (int m = 0; m < VL; ++m) grp.index[m] = points[g * VL + (m < grp.lanes ? m : grp.lanes - 1)];
  return grp;
}

struct LaneFailure {
  int64_t index = -1;
  float pivot = 0.0f;
  void note(int64_t idx, float piv) {
    if (index < 0 || idx < index) {
      index = idx;
      pivot = piv;
    }
  }
};

// Workspace of one task for full covariances.
struct FullWorkspace {
  int C, K, P;
  Scratch l, aux, r, y, s, inv_diag, alpha;
  FullWorkspace(int C_, int K_)
      : C(C_), K(K_), P(C_ * (C_ + 1) / 2), l(static_cast<size_t>(P) * VL), aux(static_cast<size_t>(P) * VL),
        r(static_cast<size_t>(C_) * VL), y(static_cast<size_t>(C_) * VL), s(static_cast<size_t>(C_) * VL),
        inv_diag(static_cast<size_t>(C_) * VL), alpha(static_cast<size_t>(K_) * VL) {}
  vf* L() const { return reinterpret_cast<vf*>(l.get()); }
  vf* Aux() const { return reinterpret_cast<vf*>(aux.get()); }
  vf* R() const { return reinterpret_cast<vf*>(r.get()); }
  vf* Y() const { return reinterpret_cast<vf*>(y.get()); }
  vf* S() const { return reinterpret_cast<vf*>(s.get()); }
  vf* InvDiag() const { return reinterpret_cast<vf*>(inv_diag.get()); }
  vf* Alpha() const { return reinterpret_cast<vf*>(alpha.get()); }
};

static inline vf dot_lanes(const vf* a, const vf* b, int n) {
  vf s0 = splat(0), s1 = splat(0), s2 = splat(0), s3 = splat(0);
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (; k < n; ++k) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

// out[q] = Σ_{k<n} a[k]·b_q[k] for four rows b_q: each a[k] is loaded once for four products, and
// eight independent chains hide the FMA latency.
static inline void dot4_lanes(const vf* a, const vf* b0, const vf* b1, const vf* b2, const vf* b3, int n, vf out[4]) {
  vf x0 = splat(0), x1 = splat(0), x2 = splat(0), x3 = splat(0);
  vf y0 = splat(0), y1 = splat(0), y2 = splat(0), y3 = splat(0);
  int k = 0;
  for (; k + 2 <= n; k += 2) {
    const vf a0 = a[k], a1 = a[k + 1];
    x0 += a0 * b0[k];
    x1 += a0 * b1[k];
    x2 += a0 * b2[k];
    x3 += a0 * b3[k];
    y0 += a1 * b0[k + 1];
    y1 += a1 * b1[k + 1];
    y2 += a1 * b2[k + 1];
    y3 += a1 * b3[k + 1];
  }
  if (k < n) {
    x0 += a[k] * b0[k];
    x1 += a[k] * b1[k];
    x2 += a[k] * b2[k];
    x3 += a[k] * b3[k];
  }
  out[0] = x0 + y0;
  out[1] = x1 + y1;
  out[2] = x2 + y2;
  out[3] = x3 + y3;
}

// Two rows a0, a1 against four rows b_q: o0[q] = Σ a0[k] b_q[k], o1[q] = Σ a1[k] b_q[k]. Six loads
// feed eight FMAs, which matters because these rows come from L2.
static inline void dot2x4_lanes(const vf* a0, const vf* a1, const vf* b0, const vf* b1, const vf* b2, const vf* b3,
                                int n, vf o0[4], vf o1[4]) {
  vf x0 = splat(0), x1 = splat(0), x2 = splat(0), x3 = splat(0);
  vf y0 = splat(0), y1 = splat(0), y2 = splat(0), y3 = splat(0);
  for (int k = 0; k < n; ++k) {
    const vf p = a0[k], q = a1[k];
    const vf c0 = b0[k], c1 = b1[k], c2 = b2[k], c3 = b3[k];
    x0 += p * c0;
    x1 += p * c1;
    x2 += p * c2;
    x3 += p * c3;
    y0 += q * c0;
    y1 += q * c1;
    y2 += q * c2;
    y3 += q * c3;
  }
  o0[0] = x0;
  o0[1] = x1;
  o0[2] = x2;
  o0[3] = x3;
  o1[0] = y0;
  o1[1] = y1;
  o1[2] = y2;
  o1[3] = y3;
}

// Loads α and r = x − Σ α μ for the group's lanes.
static void load_lanes(const MvnArgs& a, const Group& grp, FullWorkspace& ws) {
  const int C = ws.C, K = ws.K;
  vf* alpha = ws.Alpha();
  vf* r = ws.R();
  for (int k = 0; k < K; ++k)
    for (int m = 0; m < VL; ++m) alpha[k][m] = a.alpha[grp.index[m] * K + k];
  for (int c = 0; c < C; ++c)
    for (int m = 0; m < VL; ++m) {
      float mean = 0.0f;
      if (a.means)
        for (int k = 0; k < K; ++k) mean += alpha[k][m] * a.means[static_cast<size_t>(k) * C + c];
      r[c][m] = a.x[grp.index[m] * C + c] - mean;
    }
}

// y = L⁻¹ r.
static void forward_solve(FullWorkspace& ws) {
  const vf* L = ws.L();
  const vf* r = ws.R();
  const vf* inv_diag = ws.InvDiag();
  vf* y = ws.Y();
  for (int i = 0; i < ws.C; ++i) y[i] = (r[i] - dot_lanes(L + tri(i), y, i)) * inv_diag[i];
}

// Loads the lanes, mixes C = Σ α D into ws.L (packed lower; d_t is the packed lower triangles
// transposed to [element, mode]), factorises it in place, and forward-solves y = L⁻¹ r. Returns
// log det per lane in logdet.
static void mix_and_factorise(const MvnArgs& a, const float* d_t, const Group& grp, FullWorkspace& ws,
                              double* logdet, LaneFailure& failure) {
  const int C = ws.C, K = ws.K, P = ws.P;
  load_lanes(a, grp, ws);
  const vf* alpha = ws.Alpha();
  vf* L = ws.L();
  vf* inv_diag = ws.InvDiag();
  // C = Σ_k α_k D_k, lane-wise, one store per element.
  for (int e = 0; e < P; ++e) {
    const float* de = d_t + static_cast<size_t>(e) * K;
    vf acc0 = splat(0), acc1 = splat(0);
    int k = 0;
    for (; k + 2 <= K; k += 2) {
      acc0 += alpha[k] * de[k];
      acc1 += alpha[k + 1] * de[k + 1];
    }
    if (k < K) acc0 += alpha[k] * de[k];
    L[e] = acc0 + acc1;
  }
  // Cholesky–Banachiewicz, row by row; four columns at a time share the loads of row i.
  double prod[VL];
  for (int m = 0; m < VL; ++m) {
    logdet[m] = 0.0;
    prod[m] = 1.0;
  }
  auto pivot = [&](vf* row, int i) {
    const vf d = row[i] - dot_lanes(row, row, i);
    for (int m = 0; m < VL; ++m) {
      float dm = d[m];
      if (!(dm > 0.0f)) {
        if (m < grp.lanes) failure.note(grp.index[m], dm);
        dm = 1.0f;  // keep the lane finite; the call reports the failure
      }
      const float root = sqrtf(dm);
      row[i][m] = root;
      inv_diag[i][m] = 1.0f / root;
      prod[m] *= root;
      // Taking the log every few factors keeps the product in double range without a log per pivot.
      if ((i & 7) == 7 || i == C - 1) {
        logdet[m] += 2.0 * log(prod[m]);
        prod[m] = 1.0;
      }
    }
  };
  // Finishes L_row[j..j+3] from the partial sums over k < j.
  auto finish4 = [&](vf* row, int j, const vf* acc) {
    const vf* r1 = L + tri(j + 1);
    const vf* r2 = L + tri(j + 2);
    const vf* r3 = L + tri(j + 3);
    const vf v0 = (row[j] - acc[0]) * inv_diag[j];
    const vf v1 = (row[j + 1] - acc[1] - v0 * r1[j]) * inv_diag[j + 1];
    const vf v2 = (row[j + 2] - acc[2] - v0 * r2[j] - v1 * r2[j + 1]) * inv_diag[j + 2];
    const vf v3 = (row[j + 3] - acc[3] - v0 * r3[j] - v1 * r3[j + 1] - v2 * r3[j + 2]) * inv_diag[j + 3];
    row[j] = v0;
    row[j + 1] = v1;
    row[j + 2] = v2;
    row[j + 3] = v3;
  };
  // Rows i and i+1 together: they share every load of the rows above them.
  for (int i = 0; i < C; i += 2) {
    const bool pair = i + 1 < C;
    vf* li = L + tri(i);
    vf* lk = pair ? L + tri(i + 1) : nullptr;
    int j = 0;
    for (; j + 4 <= i; j += 4) {
      const vf* r0 = L + tri(j);
      const vf* r1 = L + tri(j + 1);
      const vf* r2 = L + tri(j + 2);
      const vf* r3 = L + tri(j + 3);
      vf acc0[4], acc1[4];
      if (pair) {
        dot2x4_lanes(li, lk, r0, r1, r2, r3, j, acc0, acc1);
        finish4(lk, j, acc1);
      } else {
        dot4_lanes(li, r0, r1, r2, r3, j, acc0);
      }
      finish4(li, j, acc0);
    }
    for (int jj = j; jj < i; ++jj) li[jj] = (li[jj] - dot_lanes(li, L + tri(jj), jj)) * inv_diag[jj];
    pivot(li, i);
    if (pair) {
      for (int jj = j; jj <= i; ++jj) lk[jj] = (lk[jj] - dot_lanes(lk, L + tri(jj), jj)) * inv_diag[jj];
      pivot(lk, i + 1);
    }
  }
  forward_solve(ws);
}

// The backward pass's alternative to mix_and_factorise when the forward kept its factors.
static void load_factorised(const MvnArgs& a, const Group& grp, int64_t group, FullWorkspace& ws) {
  const int C = ws.C;
  const size_t P = static_cast<size_t>(ws.P);
  load_lanes(a, grp, ws);
  vf* L = ws.L();
  memcpy(L, a.factor_cache + static_cast<size_t>(group) * P * VL, sizeof(float) * P * VL);
  vf* inv_diag = ws.InvDiag();
  for (int i = 0; i < C; ++i) inv_diag[i] = splat(1.0f) / L[tri(i) + i];
  forward_solve(ws);
}

// Lower triangle of every D_k, packed by rows and transposed to [element, mode]: [C(C+1)/2, K].
static void pack_lower_transposed(const float* d, int K, int C, float* out, bool double_off_diagonal) {
  for (int k = 0; k < K; ++k)
    for (int i = 0; i < C; ++i)
      for (int j = 0; j <= i; ++j)
        out[(tri(i) + j) * K + k] =
            d[(static_cast<size_t>(k) * C + i) * C + j] * (double_off_diagonal && j < i ? 2.0f : 1.0f);
}

// Backward passes sum over points, so they split into the fixed reduction chunks. Forward passes
// write each point's value independently: any split gives the same bits, so they use one sized to
// the pool (fewer tasks, less per-task setup).
static int mvn_tasks(int64_t items, bool reduces) {
  if (reduces) return reduction_chunks(items);
  const int64_t per_pool = 4 * static_cast<int64_t>(pool_threads());
  return static_cast<int>(items < per_pool ? (items > 0 ? items : 1) : per_pool);
}

static MvnFailure mvn_full_forward(const MvnArgs& a) {
  const int C = a.channels, K = a.modes;
  const int64_t N = static_cast<int64_t>(a.batch) * a.steps;
  for (int64_t n = 0; n < N; ++n) a.log_lik[n] = 0.0f;
  int64_t* points = static_cast<int64_t*>(malloc(sizeof(int64_t) * (N > 0 ? N : 1)));
  const int64_t count = observed_points(a, points);
  const int64_t groups = (count + VL - 1) / VL;
  Scratch d_t(static_cast<size_t>(K) * tri(C));
  pack_lower_transposed(a.covariances, K, C, d_t.get(), false);
  const int tasks = mvn_tasks(groups, false);
  LaneFailure failures[256];
  parallel_tasks(tasks, [&](int task) {
    FullWorkspace ws(C, K);
    double logdet[VL];
    for (int64_t g = groups * task / tasks; g < groups * (task + 1) / tasks; ++g) {
      const Group grp = make_group(points, count, g);
      mix_and_factorise(a, d_t.get(), grp, ws, logdet, failures[task]);
      if (a.factor_cache)
        memcpy(a.factor_cache + static_cast<size_t>(g) * ws.P * VL, ws.L(), sizeof(float) * ws.P * VL);
      vf quad = splat(0);
      const vf* y = ws.Y();
      for (int c = 0; c < C; ++c) quad += y[c] * y[c];
      for (int m = 0; m < grp.lanes; ++m)
        a.log_lik[grp.index[m]] = static_cast<float>(-0.5 * (C * kLog2Pi + logdet[m] + quad[m]));
    }
  });
  free(points);
  LaneFailure first;
  for (int t = 0; t < tasks; ++t)
    if (failures[t].index >= 0) first.note(failures[t].index, failures[t].pivot);
  return MvnFailure{first.index, first.pivot};
}

static MvnFailure mvn_full_backward(const MvnArgs& a) {
  const int C = a.channels, K = a.modes, P = static_cast<int>(tri(C));
  const int KP = round_up(K, VL);  // α rows padded so the dD update is lane-wise over modes
  const int64_t N = static_cast<int64_t>(a.batch) * a.steps;
  if (a.dx) memset(a.dx, 0, sizeof(float) * N * C);
  memset(a.d_alpha, 0, sizeof(float) * N * K);
  int64_t* points = static_cast<int64_t*>(malloc(sizeof(int64_t) * (N > 0 ? N : 1)));
  const int64_t count = observed_points(a, points);
  const int64_t groups = (count + VL - 1) / VL;
  Scratch d_t(static_cast<size_t>(K) * P);
  Scratch dw_t(static_cast<size_t>(K) * P);  // off-diagonals doubled: ⟨G, D_k⟩ over the lower triangle
  pack_lower_transposed(a.covariances, K, C, d_t.get(), false);
  pack_lower_transposed(a.covariances, K, C, dw_t.get(), true);
  const int tasks = mvn_tasks(groups, true);
  // Per-chunk sums, reduced in chunk order: the result depends neither on scheduling nor on the
  // number of threads.
  Scratch d_cov_acc(static_cast<size_t>(tasks) * P * KP);
  Scratch d_mean_acc(static_cast<size_t>(tasks) * C * KP);
  LaneFailure failures[256];
  parallel_tasks(tasks, [&](int task) {
    FullWorkspace ws(C, K);
    Scratch alpha_rows_buf(static_cast<size_t>(VL) * KP);
    float* alpha_rows = alpha_rows_buf.get();  // [lane][mode], modes padded with zeros
    vf* dcov = reinterpret_cast<vf*>(d_cov_acc.get() + static_cast<size_t>(task) * P * KP);  // [e][KP/VL]
    vf* dmean = reinterpret_cast<vf*>(d_mean_acc.get() + static_cast<size_t>(task) * C * KP);
    const int kv = KP / VL;
    double logdet[VL];
    for (int64_t gi = groups * task / tasks; gi < groups * (task + 1) / tasks; ++gi) {
      const Group grp = make_group(points, count, gi);
      if (a.factor_cache) load_factorised(a, grp, gi, ws);
      else mix_and_factorise(a, d_t.get(), grp, ws, logdet, failures[task]);
      vf* L = ws.L();
      vf* inv_diag = ws.InvDiag();
      vf* s = ws.S();
      const vf* y = ws.Y();
      vf* alpha = ws.Alpha();
      vf g = splat(0);
      for (int m = 0; m < grp.lanes; ++m) g[m] = a.d_log_lik[grp.index[m]];
      // s = L⁻ᵀ y by row-wise axpy.
      for (int i = 0; i < C; ++i) s[i] = y[i];
      for (int i = C - 1; i >= 0; --i) {
        s[i] *= inv_diag[i];
        const vf* li = L + tri(i);
        const vf si = s[i];
        for (int k = 0; k < i; ++k) s[k] -= li[k] * si;
      }
      // U = L⁻ᵀ, packed upper by rows (U_jk = (L⁻¹)_kj), built row i of L⁻¹ at a time:
      // (L⁻¹)_ij = −(1/L_ii) Σ_{k=j}^{i−1} L_ik U_jk, where row j of U is contiguous in k.
      vf* U = ws.Aux();
      auto u = [&](int j, int k) -> vf* { return U + upper_row(j, C) + (k - j); };
      for (int i = 0; i < C; i += 2) {
        const bool pair = i + 1 < C;
        const vf* li = L + tri(i);
        const vf* lk = pair ? L + tri(i + 1) : nullptr;
        const vf neg = -inv_diag[i];
        const vf neg1 = pair ? -inv_diag[i + 1] : splat(0);
        *u(i, i) = inv_diag[i];
        int j = 0;
        for (; j + 4 <= i; j += 4) {
          const vf h0 = li[j] * *u(j, j) + li[j + 1] * *u(j, j + 1) + li[j + 2] * *u(j, j + 2);
          const vf h1 = li[j + 1] * *u(j + 1, j + 1) + li[j + 2] * *u(j + 1, j + 2);
          const vf h2 = li[j + 2] * *u(j + 2, j + 2);
          vf acc[4], acc1[4];
          if (pair) {
            dot2x4_lanes(li + j + 3, lk + j + 3, u(j, j + 3), u(j + 1, j + 3), u(j + 2, j + 3), u(j + 3, j + 3),
                         i - (j + 3), acc, acc1);
          } else {
            dot4_lanes(li + j + 3, u(j, j + 3), u(j + 1, j + 3), u(j + 2, j + 3), u(j + 3, j + 3), i - (j + 3), acc);
          }
          *u(j, i) = neg * (h0 + acc[0]);
          *u(j + 1, i) = neg * (h1 + acc[1]);
          *u(j + 2, i) = neg * (h2 + acc[2]);
          *u(j + 3, i) = neg * acc[3];
          if (pair) {
            // Row i+1 also sums over k = i, the entries just written.
            const vf k0 = lk[j] * *u(j, j) + lk[j + 1] * *u(j, j + 1) + lk[j + 2] * *u(j, j + 2);
            const vf k1 = lk[j + 1] * *u(j + 1, j + 1) + lk[j + 2] * *u(j + 1, j + 2);
            const vf k2 = lk[j + 2] * *u(j + 2, j + 2);
            const vf lki = lk[i];
            *u(j, i + 1) = neg1 * (k0 + acc1[0] + lki * *u(j, i));
            *u(j + 1, i + 1) = neg1 * (k1 + acc1[1] + lki * *u(j + 1, i));
            *u(j + 2, i + 1) = neg1 * (k2 + acc1[2] + lki * *u(j + 2, i));
            *u(j + 3, i + 1) = neg1 * (acc1[3] + lki * *u(j + 3, i));
          }
        }
        for (int jj = j; jj < i; ++jj) *u(jj, i) = neg * dot_lanes(li + jj, u(jj, jj), i - jj);
        if (pair) {
          *u(i + 1, i + 1) = inv_diag[i + 1];
          for (int jj = j; jj <= i; ++jj) *u(jj, i + 1) = neg1 * dot_lanes(lk + jj, u(jj, jj), i + 1 - jj);
        }
      }
      // G = −½ g (C⁻¹ − s sᵀ) with C⁻¹_ij = Σ_{k≥i} U_ik U_jk (j ≤ i); overwrites L.
      vf* G = L;
      const vf half_g = -0.5f * g;
      const vf* sv = s;
      for (int i = 0; i < C; i += 2) {
        const bool pair = i + 1 < C;
        const vf* ui = u(i, i);
        vf* gi = G + tri(i);
        vf* gk = pair ? G + tri(i + 1) : nullptr;
        int j = 0;
        if (pair) {
          const vf* uk = u(i + 1, i + 1);
          const int n = C - (i + 1);
          for (; j + 4 <= i + 1; j += 4) {
            vf acc0[4], acc1[4];
            dot2x4_lanes(ui + 1, uk, u(j, i + 1), u(j + 1, i + 1), u(j + 2, i + 1), u(j + 3, i + 1), n, acc0, acc1);
            for (int q = 0; q < 4; ++q) {
              const vf ci = acc0[q] + ui[0] * *u(j + q, i);  // row i also has the k = i term
              gi[j + q] = half_g * (ci - sv[i] * sv[j + q]);
              gk[j + q] = half_g * (acc1[q] - sv[i + 1] * sv[j + q]);
            }
          }
          for (int jj = j; jj <= i + 1; ++jj) gk[jj] = half_g * (dot_lanes(uk, u(jj, i + 1), n) - sv[i + 1] * sv[jj]);
        }
        for (int jj = j; jj <= i; ++jj) gi[jj] = half_g * (dot_lanes(ui, u(jj, i), C - i) - sv[i] * sv[jj]);
      }
      // dα_k = ⟨G, D_k⟩ (lower triangle, off-diagonals twice) + g sᵀ μ_k, eight modes at a time.
      for (int k0 = 0; k0 < K; k0 += VL) {
        const int kb = imin(VL, K - k0);
        vf acc[VL];
        for (int q = 0; q < VL; ++q) acc[q] = splat(0);
        const float* w = dw_t.get() + k0;
        if (kb == VL) {
          for (int e = 0; e < P; ++e) {
            const vf ge = G[e];
            const float* we = w + static_cast<size_t>(e) * K;
            for (int q = 0; q < VL; ++q) acc[q] += ge * we[q];
          }
        } else {
          for (int e = 0; e < P; ++e) {
            const vf ge = G[e];
            const float* we = w + static_cast<size_t>(e) * K;
            for (int q = 0; q < kb; ++q) acc[q] += ge * we[q];
          }
        }
        for (int q = 0; q < kb; ++q) {
          vf da = acc[q];
          if (a.means) {
            vf sm = splat(0);
            for (int c = 0; c < C; ++c) sm += s[c] * a.means[static_cast<size_t>(k0 + q) * C + c];
            da += g * sm;
          }
          for (int m = 0; m < grp.lanes; ++m) a.d_alpha[grp.index[m] * K + k0 + q] = da[m];
        }
      }
      if (a.dx) {
        for (int c = 0; c < C; ++c) {
          const vf gs = g * s[c];
          for (int m = 0; m < grp.lanes; ++m) a.dx[grp.index[m] * C + c] = -gs[m];
        }
      }
      // dD_k += α_k G and dμ_k += α_k g s: lane-wise over modes, one broadcast per (element, lane).
      for (int m = 0; m < VL; ++m)
        for (int k = 0; k < KP; ++k) alpha_rows[m * KP + k] = (k < K && m < grp.lanes) ? alpha[k][m] : 0.0f;
      const vf* arow = reinterpret_cast<const vf*>(alpha_rows);
      if (kv == 1) {
        const vf a0 = arow[0], a1 = arow[1], a2 = arow[2], a3 = arow[3];
        const vf a4 = arow[4], a5 = arow[5], a6 = arow[6], a7 = arow[7];
        for (int e = 0; e < P; ++e) {
          const float* ge = reinterpret_cast<const float*>(G + e);
          dcov[e] += ((ge[0] * a0 + ge[1] * a1) + (ge[2] * a2 + ge[3] * a3)) +
                     ((ge[4] * a4 + ge[5] * a5) + (ge[6] * a6 + ge[7] * a7));
        }
      } else {
        for (int e = 0; e < P; ++e) {
          const float* ge = reinterpret_cast<const float*>(G + e);
          vf* dst = dcov + static_cast<size_t>(e) * kv;
          for (int q = 0; q < kv; ++q) {
            vf acc = dst[q];
            for (int m = 0; m < VL; ++m) acc += ge[m] * arow[m * kv + q];
            dst[q] = acc;
          }
        }
      }
      if (a.means) {
        for (int c = 0; c < C; ++c) {
          const vf gs = g * s[c];
          vf* dst = dmean + static_cast<size_t>(c) * kv;
          for (int q = 0; q < kv; ++q) {
            vf acc = dst[q];
            for (int m = 0; m < VL; ++m) acc += gs[m] * arow[m * kv + q];
            dst[q] = acc;
          }
        }
      }
    }
  });
  free(points);
  // Chunk partials added in chunk order, one contiguous pass per chunk (the same order for every
  // element as a per-element loop over chunks, without its strided reads).
  const size_t cov_n = static_cast<size_t>(P) * KP, mean_n = static_cast<size_t>(C) * KP;
  double* sums = static_cast<double*>(calloc(cov_n + mean_n, sizeof(double)));
  for (int t = 0; t < tasks; ++t) {
    const float* part = d_cov_acc.get() + static_cast<size_t>(t) * cov_n;
    for (size_t e = 0; e < cov_n; ++e) sums[e] += part[e];
    if (a.d_means) {
      const float* mpart = d_mean_acc.get() + static_cast<size_t>(t) * mean_n;
      for (size_t e = 0; e < mean_n; ++e) sums[cov_n + e] += mpart[e];
    }
  }
  for (int k = 0; k < K; ++k) {
    for (int i = 0; i < C; ++i) {
      for (int j = 0; j <= i; ++j) {
        const float v = static_cast<float>(sums[(tri(i) + j) * KP + k]);
        a.d_covariances[(static_cast<size_t>(k) * C + i) * C + j] = v;
        a.d_covariances[(static_cast<size_t>(k) * C + j) * C + i] = v;
      }
    }
    if (a.d_means)
      for (int c = 0; c < C; ++c)
        a.d_means[static_cast<size_t>(k) * C + c] = static_cast<float>(sums[cov_n + static_cast<size_t>(c) * KP + k]);
  }
  free(sums);
  LaneFailure first;
  for (int t = 0; t < tasks; ++t)
    if (failures[t].index >= 0) first.note(failures[t].index, failures[t].pivot);
  return MvnFailure{first.index, first.pivot};
}

// Diagonal covariances: per point and channel, v = Σ_k α_k d_kc; everything is elementwise.
static MvnFailure mvn_diag(const MvnArgs& a, bool backward) {
  const int C = a.channels, K = a.modes;
  const int64_t N = static_cast<int64_t>(a.batch) * a.steps;
  const int tasks = mvn_tasks(N, backward);
  Scratch d_cov_acc(backward ? static_cast<size_t>(tasks) * K * C : 0);
  Scratch d_mean_acc(backward && a.means ? static_cast<size_t>(tasks) * K * C : 0);
  LaneFailure failures[256];
  parallel_tasks(tasks, [&](int task) {
    Scratch buf(static_cast<size_t>(4) * C);
    float* v = buf.get();
    float* r = v + C;
    float* s = r + C;
    float* gdiag = s + C;
    for (int64_t n = N * task / tasks; n < N * (task + 1) / tasks; ++n) {
      if (a.mask && a.mask[n] == 0.0f) {
        if (!backward) a.log_lik[n] = 0.0f;
        else {
          if (a.dx)
            for (int c = 0; c < C; ++c) a.dx[n * C + c] = 0.0f;
          for (int k = 0; k < K; ++k) a.d_alpha[n * K + k] = 0.0f;
        }
        continue;
      }
      const float* al = a.alpha + n * K;
      for (int c = 0; c < C; ++c) {
        float vv = 0.0f, mean = 0.0f;
        for (int k = 0; k < K; ++k) {
          vv += al[k] * a.covariances[static_cast<size_t>(k) * C + c];
          if (a.means) mean += al[k] * a.means[static_cast<size_t>(k) * C + c];
        }
        v[c] = vv;
        r[c] = a.x[n * C + c] - mean;
      }
      double q = 0.0;
      bool failed = false;
      for (int c = 0; c < C; ++c) {
        if (!(v[c] > 0.0f)) {
          failures[task].note(n, v[c]);
          failed = true;
          v[c] = 1.0f;
        }
        s[c] = r[c] / v[c];
        q += log(static_cast<double>(v[c])) + static_cast<double>(r[c]) * s[c];
      }
      if (!backward) {
        a.log_lik[n] = failed ? 0.0f : static_cast<float>(-0.5 * (C * kLog2Pi + q));
        continue;
      }
      const float g = a.d_log_lik[n];
      for (int c = 0; c < C; ++c) {
        gdiag[c] = -0.5f * g * (1.0f / v[c] - s[c] * s[c]);
        if (a.dx) a.dx[n * C + c] = -g * s[c];
      }
      float* dcov = d_cov_acc.get() + static_cast<size_t>(task) * K * C;
      float* dmean = a.means ? d_mean_acc.get() + static_cast<size_t>(task) * K * C : nullptr;
      for (int k = 0; k < K; ++k) {
        const float* dk = a.covariances + static_cast<size_t>(k) * C;
        float da = 0.0f;
        for (int c = 0; c < C; ++c) {
          da += gdiag[c] * dk[c];
          dcov[static_cast<size_t>(k) * C + c] += al[k] * gdiag[c];
        }
        if (a.means) {
          const float* mk = a.means + static_cast<size_t>(k) * C;
          for (int c = 0; c < C; ++c) {
            da += g * s[c] * mk[c];
            dmean[static_cast<size_t>(k) * C + c] += al[k] * g * s[c];
          }
        }
        a.d_alpha[n * K + k] = da;
      }
    }
  });
  if (backward) {
    for (int e = 0; e < K * C; ++e) {
      double sum = 0.0, msum = 0.0;
      for (int t = 0; t < tasks; ++t) {
        sum += d_cov_acc.get()[static_cast<size_t>(t) * K * C + e];
        if (a.means) msum += d_mean_acc.get()[static_cast<size_t>(t) * K * C + e];
      }
      a.d_covariances[e] = static_cast<float>(sum);
      if (a.d_means) a.d_means[e] = static_cast<float>(msum);
    }
  }
  LaneFailure first;
  for (int t = 0; t < tasks; ++t)
    if (failures[t].index >= 0) first.note(failures[t].index, failures[t].pivot);
  return MvnFailure{first.index, first.pivot};
}

static MvnFailure mvn_forward(const MvnArgs& a) { return a.diagonal ? mvn_diag(a, false) : mvn_full_forward(a); }

static MvnFailure mvn_backward(const MvnArgs& a) { return a.diagonal ? mvn_diag(a, true) : mvn_full_backward(a); }

}  // namespace MS_KERNEL_NS
}  // namespace modescope
