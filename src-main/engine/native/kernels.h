// The compute kernels behind the addon. The same source (kernels_impl.h) is compiled twice: once
// portable and once with AVX2/FMA; the addon picks a table at run time from cpuid.
#pragma once

#include <cstddef>
#include <cstdint>

namespace modescope {

struct RnnArgs {
  int cell;  // 0 = LSTM (gates i, f, c, o), 1 = GRU (z, r, h; reset_after)
  int batch, steps, input_size, units;
  bool reverse;
  const float* x;                 // [B, T, I]
  const float* kernel;            // [I, G·H]
  const float* recurrent_kernel;  // [H, G·H]
  const float* bias;              // [G·H] (LSTM) or [2, 3H] (GRU)
  const float* initial_h;         // [B, H] or null
  const float* initial_c;         // [B, H] or null
  float* hidden;                  // row (b, t) at hidden + (b·T + t)·hidden_stride, H values
  int hidden_stride;              // H, or 2H when both directions share one [B, T, 2H] output
  size_t hidden_offset;           // addon bookkeeping: offset applied to hidden / d_hidden
  size_t hidden_extent;           // addon bookkeeping: elements the layout spans
  float* tape;                    // [B, T, 5H]
  // Backward only.
  const float* d_hidden;  // same layout as hidden
  float* dx;
  float* d_kernel;
  float* d_recurrent_kernel;
  float* d_bias;
  float* d_initial_h;
  float* d_initial_c;  // LSTM only
};

// Time points processed together by the full-covariance mixture kernels (one per SIMD lane).
constexpr int kMvnLanes = 8;

struct MvnArgs {
  int batch, steps, channels, modes;
  bool diagonal;
  const float* x;            // [B, T, C]
  const float* alpha;        // [B, T, K]
  const float* means;        // [K, C] or null
  const float* covariances;  // [K, C, C] or [K, C]
  const float* mask;         // [B, T] or null
  float* log_lik;            // forward: [B, T]
  // Optional Cholesky factors of every group of observed points (mvn_factor_cache_floats): the
  // forward pass writes them, the backward pass reads them instead of mixing and factorising again.
  float* factor_cache;
  // Backward only.
  const float* d_log_lik;
  float* dx;  // null: the data gradient is not wanted
  float* d_alpha;
  float* d_means;  // null when means is null
  float* d_covariances;
};

struct MvnFailure {
  int64_t index;  // first time point (b·T + t) whose mixture is not positive definite, or -1
  float pivot;
};

struct DenseArgs {
  int rows, inputs, outputs;  // M, K, N
  const float* x;             // [M, K]
  const float* kernel;        // [K, N]
  const float* bias;          // [N] or null
  float* out;                 // forward: [M, N]
  // Backward only.
  const float* d_out;  // [M, N]
  float* dx;           // [M, K] or null
  float* d_kernel;     // [K, N]
  float* d_bias;       // [N] or null
};

struct LayerNormArgs {
  int rows, features;  // M, F
  float epsilon;
  const float* x;      // [M, F]
  const float* gamma;  // [F]
  const float* beta;   // [F]
  float* mean;         // [M]: written by forward, read by backward
  float* rstd;         // [M]: 1 / sqrt(variance + epsilon), as mean
  float* y;            // forward: [M, F]
  // Backward only.
  const float* d_y;  // [M, F]
  float* dx;         // [M, F]
  float* d_gamma;    // [F]
  float* d_beta;     // [F]
};

struct AdamArgs {
  size_t n;
  float step_size, epsilon, grad_scale;
  float one_minus_beta1, one_minus_beta2;  // formed in double: 1 − 0.9f is not 0.1f
  float* param;  // [n], updated in place
  const float* grad;
  float* m;  // first moments, updated in place
  float* v;  // second moments, updated in place
};

struct KernelTable {
  const char* isa;
  void (*rnn_forward)(const RnnArgs&);
  void (*rnn_backward)(const RnnArgs&);
  MvnFailure (*mvn_forward)(const MvnArgs&);
  MvnFailure (*mvn_backward)(const MvnArgs&);
  void (*dense_forward)(const DenseArgs&);
  void (*dense_backward)(const DenseArgs&);
  void (*layer_norm_forward)(const LayerNormArgs&);
  void (*layer_norm_backward)(const LayerNormArgs&);
  void (*adam_update)(const AdamArgs&);
};

// Floats the factor cache needs: one packed lower triangle per lane for every group of 8 observed
// time points.
size_t mvn_factor_cache_floats(const MvnArgs& a);

const KernelTable& portable_kernels();
const KernelTable& avx2_kernels();

}  // namespace modescope
