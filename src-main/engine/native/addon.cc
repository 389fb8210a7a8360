// Node-API surface of the kernels (see load.ts for the TypeScript view). Arrays are Float32Array,
// outputs are written into caller-owned arrays; sizes are checked here again so a misuse from JS
// throws instead of reading out of bounds.
#include <napi.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cpu_features.h"
#include "kernels.h"
#include "scratch_memory.h"
#include "thread_pool.h"

namespace {

using modescope::KernelTable;

const KernelTable* active = nullptr;

const KernelTable& kernels() {
  if (!active) {
    const char* force = std::getenv("MODESCOPE_KERNEL_ISA");
    const bool want_portable = force && std::strcmp(force, "scalar") == 0;
    active = (!want_portable && modescope::cpu_has_avx2_fma()) ? &modescope::avx2_kernels()
                                                                : &modescope::portable_kernels();
  }
  return *active;
}

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), fn_(fn) {}

  int Int(size_t i, const char* name) {
    const Napi::Value v = info_[i];
    if (!v.IsNumber()) Fail(std::string(name) + " must be a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d < 1 || d > 1e9 || d != static_cast<double>(static_cast<int>(d))) Fail(std::string(name) + " must be a positive integer");
    return static_cast<int>(d);
  }

  bool Bool(size_t i, const char* name) {
    const Napi::Value v = info_[i];
    if (!v.IsBoolean()) Fail(std::string(name) + " must be a boolean");
    return v.As<Napi::Boolean>().Value();
  }

  // A Float32Array of exactly `length` elements, or null when `optional`.
  float* Floats(size_t i, const char* name, size_t length, bool optional = false) {
    const Napi::Value v = info_[i];
    if (optional && (v.IsNull() || v.IsUndefined())) return nullptr;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      Fail(std::string(name) + " must be a Float32Array");
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    if (a.ElementLength() != length)
      Fail(std::string(name) + " has " + std::to_string(a.ElementLength()) + " elements, expected " +
           std::to_string(length));
    return a.Data();
  }

  // A Float32Array of at least `length` elements (strided layouts).
  float* FloatsAtLeast(size_t i, const char* name, size_t length) {
    const Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      Fail(std::string(name) + " must be a Float32Array");
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    if (a.ElementLength() < length)
      Fail(std::string(name) + " has " + std::to_string(a.ElementLength()) + " elements, needs at least " +
           std::to_string(length));
    return a.Data();
  }

  double PositiveDouble(size_t i, const char* name) {
    const Napi::Value v = info_[i];
    if (!v.IsNumber()) Fail(std::string(name) + " must be a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d > 0) || d > 1e30) Fail(std::string(name) + " must be a positive finite number");
    return d;
  }

  // An optional non-negative integer argument.
  size_t OptionalCount(size_t i, const char* name, size_t fallback) {
    const Napi::Value v = info_[i];
    if (v.IsUndefined() || v.IsNull()) return fallback;
    if (!v.IsNumber()) Fail(std::string(name) + " must be a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d < 0 || d > 1e9 || d != static_cast<double>(static_cast<long long>(d)))
      Fail(std::string(name) + " must be a non-negative integer");
    return static_cast<size_t>(d);
  }

  [[noreturn]] void Fail(const std::string& message) {
    throw Napi::TypeError::New(info_.Env(), std::string(fn_) + ": " + message);
  }

 private:
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

// Optional (hiddenOffset, hiddenStride) at argument `first`: where each direction's states sit in a
// shared output. Defaults: offset 0, stride H (a plain [B, T, H] array).
void HiddenLayout(Args& p, const Napi::CallbackInfo& info, size_t first, size_t rows, size_t H,
                  modescope::RnnArgs& a) {
  (void)info;
  const size_t offset = p.OptionalCount(first, "hiddenOffset", 0);
  const size_t stride = p.OptionalCount(first + 1, "hiddenStride", H);
  if (stride < H) p.Fail("hiddenStride must be at least units");
  if (offset + H > stride) p.Fail("hiddenOffset + units must not exceed hiddenStride");
  a.hidden_offset = offset;
  a.hidden_stride = static_cast<int>(stride);
  a.hidden_extent = (rows - 1) * stride + offset + H;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("simd", kernels().isa);
  out.Set("threads", modescope::pool_threads());
  return out;
}

// setIsa('avx2-fma' | 'scalar') → whether that instruction set is now active.
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  const std::string isa = info[0].As<Napi::String>().Utf8Value();
  if (isa == "scalar") active = &modescope::portable_kernels();
  else if (isa == "avx2-fma" && modescope::cpu_has_avx2_fma()) active = &modescope::avx2_kernels();
  else return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Value RnnForward(const Napi::CallbackInfo& info) {
  Args p(info, "rnnForward");
  modescope::RnnArgs a{};
  if (!info[0].IsNumber()) p.Fail("cell must be 0 (LSTM) or 1 (GRU)");
  a.cell = info[0].As<Napi::Number>().Int32Value();
  if (a.cell != 0 && a.cell != 1) p.Fail("cell must be 0 (LSTM) or 1 (GRU)");
  a.batch = p.Int(1, "batch");
  a.steps = p.Int(2, "steps");
  a.input_size = p.Int(3, "inputSize");
  a.units = p.Int(4, "units");
  a.reverse = p.Bool(5, "reverse");
  const size_t B = a.batch, T = a.steps, I = a.input_size, H = a.units, GH = (a.cell == 0 ? 4 : 3) * H;
  a.x = p.Floats(6, "x", B * T * I);
  a.kernel = p.Floats(7, "kernel", I * GH);
  a.recurrent_kernel = p.Floats(8, "recurrentKernel", H * GH);
  a.bias = p.Floats(9, "bias", a.cell == 0 ? GH : 2 * GH);
  a.initial_h = p.Floats(10, "initialH", B * H, true);
  a.initial_c = p.Floats(11, "initialC", B * H, true);
  HiddenLayout(p, info, 14, B * T, H, a);
  a.hidden = p.FloatsAtLeast(12, "hidden", a.hidden_extent);
  a.tape = p.Floats(13, "tape", B * T * 5 * H);
  a.hidden += a.hidden_offset;
  kernels().rnn_forward(a);
  return info.Env().Undefined();
}

Napi::Value RnnBackward(const Napi::CallbackInfo& info) {
  Args p(info, "rnnBackward");
  modescope::RnnArgs a{};
  if (!info[0].IsNumber()) p.Fail("cell must be 0 (LSTM) or 1 (GRU)");
  a.cell = info[0].As<Napi::Number>().Int32Value();
  if (a.cell != 0 && a.cell != 1) p.Fail("cell must be 0 (LSTM) or 1 (GRU)");
  a.batch = p.Int(1, "batch");
  a.steps = p.Int(2, "steps");
  a.input_size = p.Int(3, "inputSize");
  a.units = p.Int(4, "units");
  a.reverse = p.Bool(5, "reverse");
  const size_t B = a.batch, T = a.steps, I = a.input_size, H = a.units, GH = (a.cell == 0 ? 4 : 3) * H;
  a.x = p.Floats(6, "x", B * T * I);
  a.kernel = p.Floats(7, "kernel", I * GH);
  a.recurrent_kernel = p.Floats(8, "recurrentKernel", H * GH);
  a.initial_h = p.Floats(9, "initialH", B * H, true);
  a.initial_c = p.Floats(10, "initialC", B * H, true);
  HiddenLayout(p, info, 20, B * T, H, a);
  a.hidden = p.FloatsAtLeast(11, "hidden", a.hidden_extent);
  a.tape = p.Floats(12, "tape", B * T * 5 * H);
  a.d_hidden = p.FloatsAtLeast(13, "dHidden", a.hidden_extent);
  a.dx = p.Floats(14, "dx", B * T * I, true);  // null: input gradient not wanted
  a.d_kernel = p.Floats(15, "dKernel", I * GH);
  a.d_recurrent_kernel = p.Floats(16, "dRecurrentKernel", H * GH);
  a.d_bias = p.Floats(17, "dBias", a.cell == 0 ? GH : 2 * GH);
  a.d_initial_h = p.Floats(18, "dInitialH", B * H);
  a.d_initial_c = p.Floats(19, "dInitialC", a.cell == 0 ? B * H : 0);
  a.hidden += a.hidden_offset;
  a.d_hidden += a.hidden_offset;
  kernels().rnn_backward(a);
  return info.Env().Undefined();
}

void ParseMvnCommon(Args& p, modescope::MvnArgs& a) {
  a.batch = p.Int(0, "batch");
  a.steps = p.Int(1, "steps");
  a.channels = p.Int(2, "channels");
  a.modes = p.Int(3, "modes");
  a.diagonal = p.Bool(4, "diagonal");
  const size_t B = a.batch, T = a.steps, C = a.channels, K = a.modes;
  a.x = p.Floats(5, "x", B * T * C);
  a.alpha = p.Floats(6, "alpha", B * T * K);
  a.means = p.Floats(7, "means", K * C, true);
  a.covariances = p.Floats(8, "covariances", a.diagonal ? K * C : K * C * C);
  a.mask = p.Floats(9, "mask", B * T, true);
}

Napi::Value Failure(Napi::Env env, const modescope::MvnFailure& f) {
  if (f.index < 0) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  out.Set("index", static_cast<double>(f.index));
  out.Set("pivot", f.pivot);
  return out;
}

// Cholesky factors kept from a forward pass for its backward pass. Owned by a JS External: freed by
// releaseFactors() after the backward pass, or by the garbage collector when no backward comes.
struct Factors {
  float* data;
  size_t floats;
  int batch, steps, channels, modes;
  uint64_t mask_signature;  // which time points were observed: the groups' layout depends on it
};

uint64_t MaskSignature(const modescope::MvnArgs& a) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the observed flat indices
  const size_t n = static_cast<size_t>(a.batch) * a.steps;
  for (size_t i = 0; i < n; ++i) {
    if (a.mask && a.mask[i] == 0.0f) continue;
    h = (h ^ i) * 1099511628211ull;
  }
  return h;
}

// Bytes held by live Factors. The budget bounds this total, not one block, so forward passes whose
// backward never comes (their handles wait for the garbage collector) cannot pile up memory.
// V8 is deliberately not told about these bytes (AdjustExternalMemory): that triggered a full
// garbage collection per training step, which cost more than keeping the factors saved.
std::atomic<size_t> outstanding_factor_bytes{0};  // shared by every worker thread's instance

void FreeFactors(Napi::Env, Factors* f) {
  if (f->data) {
    modescope::scratch_release(f->data, f->floats * sizeof(float));
    outstanding_factor_bytes -= f->floats * sizeof(float);
    f->data = nullptr;
  }
}

size_t FactorCacheCapBytes() {
  const char* env = std::getenv("MODESCOPE_MVN_FACTOR_CACHE_MB");
  const double mb = env ? std::atof(env) : 512.0;
  return static_cast<size_t>(mb * 1024 * 1024);
}

// mvnMixtureForward(..., logLik, keepFactors?): without keepFactors, undefined or the failure;
// with it, { failure, factors } where factors is null when the cache would exceed its budget.
Napi::Value MvnForward(const Napi::CallbackInfo& info) {
  Args p(info, "mvnMixtureForward");
  modescope::MvnArgs a{};
  ParseMvnCommon(p, a);
  a.log_lik = p.Floats(10, "logLik", static_cast<size_t>(a.batch) * a.steps);
  const bool keep = info.Length() > 11 && info[11].IsBoolean() && info[11].As<Napi::Boolean>().Value();
  if (!keep) return Failure(info.Env(), kernels().mvn_forward(a));
  Napi::Env env = info.Env();
  Factors* f = nullptr;
  const size_t floats = a.diagonal ? 0 : modescope::mvn_factor_cache_floats(a);
  if (floats > 0 && outstanding_factor_bytes + floats * sizeof(float) <= FactorCacheCapBytes()) {
    f = new Factors{static_cast<float*>(modescope::scratch_acquire(floats * sizeof(float))), floats, a.batch,
                    a.steps, a.channels, a.modes, MaskSignature(a)};
    outstanding_factor_bytes += floats * sizeof(float);
    a.factor_cache = f->data;
  }
  const modescope::MvnFailure failure = kernels().mvn_forward(a);
  Napi::Object out = Napi::Object::New(env);
  out.Set("failure", failure.index < 0 ? env.Null() : Failure(env, failure));
  if (f && failure.index < 0) {
    out.Set("factors", Napi::External<Factors>::New(env, f, [](Napi::Env e, Factors* ff) {
              FreeFactors(e, ff);
              delete ff;
            }));
  } else {
    if (f) {
      FreeFactors(env, f);
      delete f;
    }
    out.Set("factors", env.Null());
  }
  return out;
}

Napi::Value ReleaseFactors(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal()) FreeFactors(info.Env(), info[0].As<Napi::External<Factors>>().Data());
  return info.Env().Undefined();
}

Napi::Value MvnBackward(const Napi::CallbackInfo& info) {
  Args p(info, "mvnMixtureBackward");
  modescope::MvnArgs a{};
  ParseMvnCommon(p, a);
  const size_t B = a.batch, T = a.steps, C = a.channels, K = a.modes;
  a.d_log_lik = p.Floats(10, "dLogLik", B * T);
  a.dx = p.Floats(11, "dx", B * T * C, true);  // null: data gradient not wanted
  a.d_alpha = p.Floats(12, "dAlpha", B * T * K);
  a.d_means = p.Floats(13, "dMeans", K * C, true);
  if ((a.d_means == nullptr) != (a.means == nullptr)) p.Fail("dMeans must be given exactly when means are");
  a.d_covariances = p.Floats(14, "dCovariances", a.diagonal ? K * C : K * C * C);
  if (info.Length() > 15 && info[15].IsExternal()) {
    const Factors* f = info[15].As<Napi::External<Factors>>().Data();
    if (!f->data) p.Fail("factors were already released");
    if (f->batch != a.batch || f->steps != a.steps || f->channels != a.channels || f->modes != a.modes ||
        f->floats != modescope::mvn_factor_cache_floats(a) || f->mask_signature != MaskSignature(a))
      p.Fail("factors come from a forward pass of a different shape or mask");
    a.factor_cache = f->data;
  }
  return Failure(info.Env(), kernels().mvn_backward(a));
}

Napi::Value DenseForward(const Napi::CallbackInfo& info) {
  Args p(info, "denseForward");
  modescope::DenseArgs a{};
  a.rows = p.Int(0, "rows");
  a.inputs = p.Int(1, "inputs");
  a.outputs = p.Int(2, "outputs");
  const size_t M = a.rows, K = a.inputs, N = a.outputs;
  a.x = p.Floats(3, "x", M * K);
  a.kernel = p.Floats(4, "kernel", K * N);
  a.bias = p.Floats(5, "bias", N, true);
  a.out = p.Floats(6, "out", M * N);
  kernels().dense_forward(a);
  return info.Env().Undefined();
}

Napi::Value DenseBackward(const Napi::CallbackInfo& info) {
  Args p(info, "denseBackward");
  modescope::DenseArgs a{};
  a.rows = p.Int(0, "rows");
  a.inputs = p.Int(1, "inputs");
  a.outputs = p.Int(2, "outputs");
  const size_t M = a.rows, K = a.inputs, N = a.outputs;
  a.x = p.Floats(3, "x", M * K);
  a.kernel = p.Floats(4, "kernel", K * N);
  a.d_out = p.Floats(5, "dOut", M * N);
  a.dx = p.Floats(6, "dx", M * K, true);
  a.d_kernel = p.Floats(7, "dKernel", K * N);
  a.d_bias = p.Floats(8, "dBias", N, true);
  kernels().dense_backward(a);
  return info.Env().Undefined();
}

Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  Args p(info, "layerNormForward");
  modescope::LayerNormArgs a{};
  a.rows = p.Int(0, "rows");
  a.features = p.Int(1, "features");
  a.epsilon = static_cast<float>(p.PositiveDouble(2, "epsilon"));
  const size_t M = a.rows, F = a.features;
  a.x = p.Floats(3, "x", M * F);
  a.gamma = p.Floats(4, "gamma", F);
  a.beta = p.Floats(5, "beta", F);
  a.y = p.Floats(6, "y", M * F);
  a.mean = p.Floats(7, "mean", M);
  a.rstd = p.Floats(8, "rstd", M);
  kernels().layer_norm_forward(a);
  return info.Env().Undefined();
}

Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args p(info, "layerNormBackward");
  modescope::LayerNormArgs a{};
  a.rows = p.Int(0, "rows");
  a.features = p.Int(1, "features");
  const size_t M = a.rows, F = a.features;
  a.x = p.Floats(2, "x", M * F);
  a.gamma = p.Floats(3, "gamma", F);
  a.mean = p.Floats(4, "mean", M);
  a.rstd = p.Floats(5, "rstd", M);
  a.d_y = p.Floats(6, "dy", M * F);
  a.dx = p.Floats(7, "dx", M * F);
  a.d_gamma = p.Floats(8, "dGamma", F);
  a.d_beta = p.Floats(9, "dBeta", F);
  kernels().layer_norm_backward(a);
  return info.Env().Undefined();
}

// adamUpdate(n, stepSize, beta1, beta2, epsilon, gradScale, param, grad, m, v)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Args p(info, "adamUpdate");
  modescope::AdamArgs a{};
  a.n = p.Int(0, "n");
  const char* names[] = {"stepSize", "beta1", "beta2", "epsilon", "gradScale"};
  double values[5];
  for (size_t i = 0; i < 5; ++i) {
    const Napi::Value v = info[1 + i];
    if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue()))
      p.Fail(std::string(names[i]) + " must be a finite number");
    values[i] = v.As<Napi::Number>().DoubleValue();
  }
  a.step_size = static_cast<float>(values[0]);
  a.one_minus_beta1 = static_cast<float>(1.0 - values[1]);
  a.one_minus_beta2 = static_cast<float>(1.0 - values[2]);
  a.epsilon = static_cast<float>(values[3]);
  a.grad_scale = static_cast<float>(values[4]);
  a.param = p.Floats(6, "param", a.n);
  a.grad = p.Floats(7, "grad", a.n);
  a.m = p.Floats(8, "m", a.n);
  a.v = p.Floats(9, "v", a.n);
  kernels().adam_update(a);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("rnnForward", Napi::Function::New(env, RnnForward));
  exports.Set("rnnBackward", Napi::Function::New(env, RnnBackward));
  exports.Set("mvnMixtureForward", Napi::Function::New(env, MvnForward));
  exports.Set("mvnMixtureBackward", Napi::Function::New(env, MvnBackward));
  exports.Set("releaseFactors", Napi::Function::New(env, ReleaseFactors));
  exports.Set("denseForward", Napi::Function::New(env, DenseForward));
  exports.Set("denseBackward", Napi::Function::New(env, DenseBackward));
  exports.Set("layerNormForward", Napi::Function::New(env, LayerNormForward));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  return exports;
}

}  // namespace

namespace modescope {

size_t mvn_factor_cache_floats(const MvnArgs& a) {
  const size_t n = static_cast<size_t>(a.batch) * a.steps;
  size_t observed = 0;
  for (size_t i = 0; i < n; ++i)
    if (!a.mask || a.mask[i] != 0.0f) ++observed;
  const size_t groups = (observed + kMvnLanes - 1) / kMvnLanes;
  const size_t packed = static_cast<size_t>(a.channels) * (a.channels + 1) / 2;
  return groups * packed * kMvnLanes;
}

}  // namespace modescope

NODE_API_MODULE(modescope_kernels, Init)
