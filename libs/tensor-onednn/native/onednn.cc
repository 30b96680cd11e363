// N-API bindings of the oneDNN (dnnl.hpp, v2 API) primitives nasx trains with. Every function is
// synchronous and works on caller-owned Float32Arrays (on the wasm heap when called from
// @nasx/tensor), so no tensor is copied: oneDNN reads and writes them in place. Activations are
// NHWC; convolution weights keep TensorFlow's layout (HWIO, or HWIGO for groups/depthwise) and are
// reordered into the blocked layout the fastest implementation wants (a few kB per layer).
//
// Creating a primitive costs 0.1-10 ms (JIT code generation), a training step runs ~100 of them,
// so every primitive is created once per shape and kept in a cache keyed by its parameters.
//
// All state is thread_local: Node worker threads load the addon once each and call it
// concurrently, and oneDNN's stream and the caches are not to be shared between them.
#include <napi.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include <omp.h>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

engine &eng() {
  static thread_local engine e(engine::kind::cpu, 0);
  return e;
}
stream &strm() {
  static thread_local stream s(eng());
  return s;
}

float *f32(const Napi::Value &v, const char *name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), std::string("@nasx/tensor-onednn: ") + name + " must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  return a.Data();
}
size_t f32len(const Napi::Value &v) { return v.As<Napi::Float32Array>().ElementLength(); }
float *optF32(const Napi::Value &v, const char *name) { return v.IsNull() || v.IsUndefined() ? nullptr : f32(v, name); }

std::vector<int64_t> ints(const Napi::Value &v, size_t n, const char *name) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string("@nasx/tensor-onednn: ") + name + " must be an array of integers");
  auto a = v.As<Napi::Array>();
  if (a.Length() != n)
    throw Napi::TypeError::New(v.Env(), std::string("@nasx/tensor-onednn: ") + name + " must have " + std::to_string(n) + " entries");
  std::vector<int64_t> r(n);
  for (uint32_t i = 0; i < n; i++) r[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return r;
}

std::string key(const char *kind, const std::vector<int64_t> &p) {
  std::string k(kind);
  for (auto x : p) k += "," + std::to_string(x);
  return k;
}

void need(const Napi::Env &env, size_t have, int64_t want, const char *name) {
  if (static_cast<int64_t>(have) < want)
    throw Napi::RangeError::New(env, std::string("@nasx/tensor-onednn: ") + name + " has " + std::to_string(have) + " elements, needs " +
                                         std::to_string(want));
}

/** A reorder between a user buffer and a primitive's preferred layout, with the scratch buffer. */
struct Staged {
  memory::desc user, inner;
  bool same = true;
  std::unique_ptr<reorder> toInner, toUser;
  std::unique_ptr<memory> innerMem;
  void init(const memory::desc &u, const memory::desc &i, bool in, bool out) {
    user = u;
    inner = i;
    same = (u == i);
    if (same) return;
    innerMem.reset(new memory(i, eng()));
    memory um(u, eng(), nullptr);
    if (in) toInner.reset(new reorder(um, *innerMem));
    if (out) toUser.reset(new reorder(*innerMem, um));
  }
  /** The memory the primitive reads: the user's buffer, or the staged copy after a reorder. */
  memory input(float *p) {
    memory um(user, eng(), p);
    if (same) return um;
    toInner->execute(strm(), um, *innerMem);
    return *innerMem;
  }
  memory output(float *p) { return same ? memory(user, eng(), p) : *innerMem; }
  void writeBack(float *p) {
    if (same) return;
    memory um(user, eng(), p);
    toUser->execute(strm(), *innerMem, um);
  }
};

// ---------------------------------------------------------------------------------------------
// Convolution. p = [N, H, W, C, OC, KH, KW, OH, OW, sh, sw, dh, dw, pt, pb, pl, pr, groups]
// (dh/dw: oneDNN dilation, 0 = dense).

struct ConvShape {
  memory::dims src, wei, bias, dst, strides, dil, padL, padR;
  memory::desc srcMd, weiUserMd, biasMd, dstMd;
  int64_t G;
};

ConvShape convShape(const Napi::Env &env, const std::vector<int64_t> &p) {
  ConvShape s;
  int64_t N = p[0], H = p[1], W = p[2], C = p[3], OC = p[4], KH = p[5], KW = p[6], OH = p[7], OW = p[8];
  s.G = p[17];
  if (s.G < 1 || C % s.G || OC % s.G) throw Napi::RangeError::New(env, "@nasx/tensor-onednn: groups must divide the input and output channels");
  s.src = {N, C, H, W};
  s.dst = {N, OC, OH, OW};
  s.bias = {OC};
  s.strides = {p[9], p[10]};
  s.dil = {p[11], p[12]};
  s.padL = {p[13], p[15]};
  s.padR = {p[14], p[16]};
  s.srcMd = memory::desc(s.src, dt::f32, tag::nhwc);
  s.dstMd = memory::desc(s.dst, dt::f32, tag::nhwc);
  s.biasMd = memory::desc(s.bias, dt::f32, tag::x);
  if (s.G == 1) {
    s.wei = {OC, C, KH, KW};
    s.weiUserMd = memory::desc(s.wei, dt::f32, tag::hwio);
  } else {
    s.wei = {s.G, OC / s.G, C / s.G, KH, KW};
    s.weiUserMd = memory::desc(s.wei, dt::f32, tag::hwigo);
  }
  return s;
}

memory::desc anyMd(const memory::dims &d) { return memory::desc(d, dt::f32, tag::any); }

bool plainActivations() {
  static const bool plain = [] {
    const char *v = getenv("NASX_ONEDNN_LAYOUT");
    return !(v && std::string(v) == "blocked");
  }();
  return plain;
}
/** An activation's layout for a convolution: NHWC as stored, or (`NASX_ONEDNN_LAYOUT=blocked`) oneDNN's choice. */
memory::desc actMd(const memory::desc &user, const memory::dims &d) { return plainActivations() ? user : anyMd(d); }

struct ConvFwd {
  convolution_forward::primitive_desc pd;
  convolution_forward prim;
  Staged wei, src, dst;
  bool bias;
};
struct ConvBwdData {
  convolution_backward_data::primitive_desc pd;
  convolution_backward_data prim;
  Staged wei, diffDst, diffSrc;
};
struct ConvBwdWeights {
  convolution_backward_weights::primitive_desc pd;
  convolution_backward_weights prim;
  Staged src, diffDst, diffWei;
  bool bias;
};

thread_local std::unordered_map<std::string, std::unique_ptr<ConvFwd>> convFwdCache;
thread_local std::unordered_map<std::string, std::unique_ptr<ConvBwdData>> convBwdDataCache;
thread_local std::unordered_map<std::string, std::unique_ptr<ConvBwdWeights>> convBwdWeightsCache;
thread_local std::unordered_map<std::string, std::string> implCache;

convolution_forward::primitive_desc convFwdPd(const ConvShape &s, bool bias, bool relu, prop_kind pk) {
  // Activations as stored (NHWC): oneDNN 2.x's AVX2/AVX-512 direct kernels take NHWC ("nxc") as
  // they are, and the reorders to and from a channel-blocked layout cost more than the convolution
  // itself on NB201's small tensors (measured: 118 ms of reorders against 89 ms of convolution in a
  // batch-64 forward pass). NASX_ONEDNN_LAYOUT=blocked brings back oneDNN's choice of layout.
  auto d = bias ? convolution_forward::desc(pk, algorithm::convolution_direct, actMd(s.srcMd, s.src), anyMd(s.wei), s.biasMd, actMd(s.dstMd, s.dst), s.strides, s.dil,
                                            s.padL, s.padR)
                : convolution_forward::desc(pk, algorithm::convolution_direct, actMd(s.srcMd, s.src), anyMd(s.wei), actMd(s.dstMd, s.dst), s.strides, s.dil, s.padL,
                                            s.padR);
  primitive_attr attr;
  if (relu) {
    post_ops po;
    po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(po);
  }
  return convolution_forward::primitive_desc(d, attr, eng());
}

Napi::Value ConvForward(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (x, w, bias|null, y, params, relu)
  float *x = f32(info[0], "x"), *w = f32(info[1], "filter"), *b = optF32(info[2], "bias"), *y = f32(info[3], "y");
  auto p = ints(info[4], 18, "params");
  bool relu = info[5].ToBoolean();
  auto s = convShape(env, p);
  need(env, f32len(info[0]), p[0] * p[1] * p[2] * p[3], "x");
  need(env, f32len(info[1]), p[4] * (p[3] / p[17]) * p[5] * p[6], "filter");
  need(env, f32len(info[3]), p[0] * p[4] * p[7] * p[8], "y");
  if (b) need(env, f32len(info[2]), p[4], "bias");
  auto k = key(b ? (relu ? "cfbr" : "cfb") : (relu ? "cfr" : "cf"), p);
  auto it = convFwdCache.find(k);
  if (it == convFwdCache.end()) {
    auto pd = convFwdPd(s, b != nullptr, relu, prop_kind::forward_training);
    auto e = std::unique_ptr<ConvFwd>(new ConvFwd{pd, convolution_forward(pd), {}, {}, {}, b != nullptr});
    e->wei.init(s.weiUserMd, pd.weights_desc(), true, false);
    e->src.init(s.srcMd, pd.src_desc(), true, false);
    e->dst.init(s.dstMd, pd.dst_desc(), false, true);
    implCache[k] = pd.impl_info_str();
    it = convFwdCache.emplace(k, std::move(e)).first;
  }
  auto &e = *it->second;
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, e.src.input(x)}, {DNNL_ARG_WEIGHTS, e.wei.input(w)}, {DNNL_ARG_DST, e.dst.output(y)}};
  if (b) args.emplace(DNNL_ARG_BIAS, memory(s.biasMd, eng(), b));
  e.prim.execute(strm(), args);
  e.dst.writeBack(y);
  strm().wait();
  return env.Undefined();
}

Napi::Value ConvBackwardData(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (dy, w, dx, params)
  float *dy = f32(info[0], "dy"), *w = f32(info[1], "filter"), *dx = f32(info[2], "dx");
  auto p = ints(info[3], 18, "params");
  auto s = convShape(env, p);
  need(env, f32len(info[0]), p[0] * p[4] * p[7] * p[8], "dy");
  need(env, f32len(info[1]), p[4] * (p[3] / p[17]) * p[5] * p[6], "filter");
  need(env, f32len(info[2]), p[0] * p[1] * p[2] * p[3], "dx");
  auto k = key("cbd", p);
  auto it = convBwdDataCache.find(k);
  if (it == convBwdDataCache.end()) {
    auto hint = convFwdPd(s, false, false, prop_kind::forward_training);
    auto d = convolution_backward_data::desc(algorithm::convolution_direct, actMd(s.srcMd, s.src), anyMd(s.wei), actMd(s.dstMd, s.dst), s.strides, s.dil, s.padL,
                                             s.padR);
    auto pd = convolution_backward_data::primitive_desc(d, eng(), hint);
    auto e = std::unique_ptr<ConvBwdData>(new ConvBwdData{pd, convolution_backward_data(pd), {}, {}, {}});
    e->wei.init(s.weiUserMd, pd.weights_desc(), true, false);
    e->diffDst.init(s.dstMd, pd.diff_dst_desc(), true, false);
    e->diffSrc.init(s.srcMd, pd.diff_src_desc(), false, true);
    implCache[k] = pd.impl_info_str();
    it = convBwdDataCache.emplace(k, std::move(e)).first;
  }
  auto &e = *it->second;
  e.prim.execute(strm(), {{DNNL_ARG_DIFF_DST, e.diffDst.input(dy)}, {DNNL_ARG_WEIGHTS, e.wei.input(w)}, {DNNL_ARG_DIFF_SRC, e.diffSrc.output(dx)}});
  e.diffSrc.writeBack(dx);
  strm().wait();
  return env.Undefined();
}

Napi::Value ConvBackwardWeights(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (x, dy, dw, dbias|null, params)
  float *x = f32(info[0], "x"), *dy = f32(info[1], "dy"), *dw = f32(info[2], "dw"), *db = optF32(info[3], "dbias");
  auto p = ints(info[4], 18, "params");
  auto s = convShape(env, p);
  need(env, f32len(info[0]), p[0] * p[1] * p[2] * p[3], "x");
  need(env, f32len(info[1]), p[0] * p[4] * p[7] * p[8], "dy");
  need(env, f32len(info[2]), p[4] * (p[3] / p[17]) * p[5] * p[6], "dw");
  if (db) need(env, f32len(info[3]), p[4], "dbias");
  auto k = key(db ? "cbwb" : "cbw", p);
  auto it = convBwdWeightsCache.find(k);
  if (it == convBwdWeightsCache.end()) {
    auto hint = convFwdPd(s, db != nullptr, false, prop_kind::forward_training);
    auto d = db ? convolution_backward_weights::desc(algorithm::convolution_direct, actMd(s.srcMd, s.src), anyMd(s.wei), s.biasMd, actMd(s.dstMd, s.dst), s.strides,
                                                     s.dil, s.padL, s.padR)
                : convolution_backward_weights::desc(algorithm::convolution_direct, actMd(s.srcMd, s.src), anyMd(s.wei), actMd(s.dstMd, s.dst), s.strides, s.dil,
                                                     s.padL, s.padR);
    auto pd = convolution_backward_weights::primitive_desc(d, eng(), hint);
    auto e = std::unique_ptr<ConvBwdWeights>(new ConvBwdWeights{pd, convolution_backward_weights(pd), {}, {}, {}, db != nullptr});
    e->src.init(s.srcMd, pd.src_desc(), true, false);
    e->diffDst.init(s.dstMd, pd.diff_dst_desc(), true, false);
    e->diffWei.init(s.weiUserMd, pd.diff_weights_desc(), false, true);
    implCache[k] = pd.impl_info_str();
    it = convBwdWeightsCache.emplace(k, std::move(e)).first;
  }
  auto &e = *it->second;
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, e.src.input(x)}, {DNNL_ARG_DIFF_DST, e.diffDst.input(dy)}, {DNNL_ARG_DIFF_WEIGHTS, e.diffWei.output(dw)}};
  if (db) args.emplace(DNNL_ARG_DIFF_BIAS, memory(s.biasMd, eng(), db));
  e.prim.execute(strm(), args);
  e.diffWei.writeBack(dw);
  strm().wait();
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------------
// Matrix product. p = [batchA, batchB, M, K, N, transA, transB]; a is [batchA, M, K] (or
// [batchA, K, M] transposed), b is [batchB, K, N] (or [batchB, N, K]); a batch of 1 broadcasts.

struct MatMul {
  matmul::primitive_desc pd;
  matmul prim;
  memory::desc a, b, bias, c;
};
thread_local std::unordered_map<std::string, std::unique_ptr<MatMul>> matmulCache;

Napi::Value MatMulFn(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (a, b, bias|null, c, params, relu)
  float *a = f32(info[0], "a"), *b = f32(info[1], "b"), *bias = optF32(info[2], "bias"), *c = f32(info[3], "c");
  auto p = ints(info[4], 7, "params");
  bool relu = info[5].ToBoolean();
  int64_t BA = p[0], BB = p[1], M = p[2], K = p[3], N = p[4];
  bool tA = p[5] != 0, tB = p[6] != 0;
  if (BA != BB && BA != 1 && BB != 1) throw Napi::RangeError::New(env, "@nasx/tensor-onednn: matmul batch sizes must match or be 1");
  int64_t B = std::max(BA, BB);
  need(env, f32len(info[0]), BA * M * K, "a");
  need(env, f32len(info[1]), BB * K * N, "b");
  need(env, f32len(info[3]), B * M * N, "c");
  if (bias) need(env, f32len(info[2]), N, "bias");
  auto k = key(bias ? (relu ? "mbr" : "mb") : (relu ? "mr" : "m"), p);
  auto it = matmulCache.find(k);
  if (it == matmulCache.end()) {
    memory::desc aMd({BA, M, K}, dt::f32, tA ? memory::dims{M * K, 1, M} : memory::dims{M * K, K, 1});
    memory::desc bMd({BB, K, N}, dt::f32, tB ? memory::dims{K * N, 1, K} : memory::dims{K * N, N, 1});
    memory::desc biasMd({1, 1, N}, dt::f32, memory::dims{N, N, 1});
    memory::desc cMd({B, M, N}, dt::f32, memory::dims{M * N, N, 1});
    auto d = bias ? matmul::desc(aMd, bMd, biasMd, cMd) : matmul::desc(aMd, bMd, cMd);
    primitive_attr attr;
    if (relu) {
      post_ops po;
      po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(po);
    }
    auto pd = matmul::primitive_desc(d, attr, eng());
    implCache[k] = pd.impl_info_str();
    it = matmulCache.emplace(k, std::unique_ptr<MatMul>(new MatMul{pd, matmul(pd), aMd, bMd, biasMd, cMd})).first;
  }
  auto &e = *it->second;
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, memory(e.a, eng(), a)}, {DNNL_ARG_WEIGHTS, memory(e.b, eng(), b)}, {DNNL_ARG_DST, memory(e.c, eng(), c)}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(e.bias, eng(), bias));
  e.prim.execute(strm(), args);
  strm().wait();
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation over the channel (last) axis of NHWC data. p = [N, H, W, C].

struct BnFwd {
  batch_normalization_forward::primitive_desc pd;
  batch_normalization_forward prim;
};
struct BnBwd {
  batch_normalization_backward::primitive_desc pd;
  batch_normalization_backward prim;
};
thread_local std::unordered_map<std::string, std::unique_ptr<BnFwd>> bnFwdCache;
thread_local std::unordered_map<std::string, std::unique_ptr<BnBwd>> bnBwdCache;

memory::desc bnData(const std::vector<int64_t> &p) { return memory::desc({p[0], p[3], p[1], p[2]}, dt::f32, tag::nhwc); }

batch_normalization_forward::primitive_desc bnFwdPd(const std::vector<int64_t> &p, float eps, bool training, bool relu) {
  auto flags = normalization_flags::use_scale | normalization_flags::use_shift;
  if (!training) flags = flags | normalization_flags::use_global_stats;
  if (relu) flags = flags | normalization_flags::fuse_norm_relu;
  auto d = batch_normalization_forward::desc(training ? prop_kind::forward_training : prop_kind::forward_inference, bnData(p), eps, flags);
  return batch_normalization_forward::primitive_desc(d, eng());
}

Napi::Value BatchNormForward(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (x, gamma, beta, mean, variance, y, params, eps, training): training writes mean/variance
  // (biased), inference reads them.
  float *x = f32(info[0], "x"), *g = f32(info[1], "gamma"), *bt = f32(info[2], "beta"), *mean = f32(info[3], "mean"),
        *var = f32(info[4], "variance"), *y = f32(info[5], "y");
  auto p = ints(info[6], 4, "params");
  float eps = info[7].As<Napi::Number>().FloatValue();
  bool training = info[8].ToBoolean();
  int64_t n = p[0] * p[1] * p[2] * p[3];
  need(env, f32len(info[0]), n, "x");
  need(env, f32len(info[5]), n, "y");
  for (int i = 1; i <= 4; i++) need(env, f32len(info[i]), p[3], "gamma/beta/mean/variance");
  std::string k = key(training ? "bft" : "bfi", p) + "," + std::to_string(eps);
  auto it = bnFwdCache.find(k);
  if (it == bnFwdCache.end()) {
    auto pd = bnFwdPd(p, eps, training, false);
    implCache[k] = pd.impl_info_str();
    it = bnFwdCache.emplace(k, std::unique_ptr<BnFwd>(new BnFwd{pd, batch_normalization_forward(pd)})).first;
  }
  auto &e = *it->second;
  memory::desc c({p[3]}, dt::f32, tag::x);
  e.prim.execute(strm(), {{DNNL_ARG_SRC, memory(bnData(p), eng(), x)},
                          {DNNL_ARG_DST, memory(bnData(p), eng(), y)},
                          {DNNL_ARG_SCALE, memory(c, eng(), g)},
                          {DNNL_ARG_SHIFT, memory(c, eng(), bt)},
                          {DNNL_ARG_MEAN, memory(c, eng(), mean)},
                          {DNNL_ARG_VARIANCE, memory(c, eng(), var)}});
  strm().wait();
  return env.Undefined();
}

Napi::Value BatchNormBackward(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (x, dy, gamma, mean, variance, dx, dgamma, dbeta, params, eps)
  float *x = f32(info[0], "x"), *dy = f32(info[1], "dy"), *g = f32(info[2], "gamma"), *mean = f32(info[3], "mean"),
        *var = f32(info[4], "variance"), *dx = f32(info[5], "dx"), *dg = f32(info[6], "dgamma"), *dbt = f32(info[7], "dbeta");
  auto p = ints(info[8], 4, "params");
  float eps = info[9].As<Napi::Number>().FloatValue();
  int64_t n = p[0] * p[1] * p[2] * p[3];
  need(env, f32len(info[0]), n, "x");
  need(env, f32len(info[1]), n, "dy");
  need(env, f32len(info[5]), n, "dx");
  for (int i : {2, 3, 4, 6, 7}) need(env, f32len(info[i]), p[3], "gamma/mean/variance/dgamma/dbeta");
  std::string k = key("bb", p) + "," + std::to_string(eps);
  auto it = bnBwdCache.find(k);
  if (it == bnBwdCache.end()) {
    // The combined scale-shift flag: oneDNN 2.6's NHWC backward kernel rejects separate
    // use_scale/use_shift at execution (status 2, invalid arguments).
    auto hint = bnFwdPd(p, eps, true, false);
    auto d = batch_normalization_backward::desc(prop_kind::backward, bnData(p), bnData(p), eps, normalization_flags::use_scale_shift);
    auto pd = batch_normalization_backward::primitive_desc(d, eng(), hint);
    implCache[k] = pd.impl_info_str();
    it = bnBwdCache.emplace(k, std::unique_ptr<BnBwd>(new BnBwd{pd, batch_normalization_backward(pd)})).first;
  }
  auto &e = *it->second;
  int64_t C = p[3];
  std::vector<float> ss(2 * C, 0.f), dss(2 * C);
  std::memcpy(ss.data(), g, C * sizeof(float));
  memory::desc c({C}, dt::f32, tag::x), c2({2, C}, dt::f32, tag::nc);
  e.prim.execute(strm(), {{DNNL_ARG_SRC, memory(bnData(p), eng(), x)},
                          {DNNL_ARG_DIFF_DST, memory(bnData(p), eng(), dy)},
                          {DNNL_ARG_SCALE_SHIFT, memory(c2, eng(), ss.data())},
                          {DNNL_ARG_MEAN, memory(c, eng(), mean)},
                          {DNNL_ARG_VARIANCE, memory(c, eng(), var)},
                          {DNNL_ARG_DIFF_SRC, memory(bnData(p), eng(), dx)},
                          {DNNL_ARG_DIFF_SCALE_SHIFT, memory(c2, eng(), dss.data())}});
  strm().wait();
  std::memcpy(dg, dss.data(), C * sizeof(float));
  std::memcpy(dbt, dss.data() + C, C * sizeof(float));
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------------
// Pooling. p = [N, H, W, C, OH, OW, KH, KW, sh, sw, pt, pb, pl, pr, kind] with kind 0 = max,
// 1 = average over the in-bounds pixels, 2 = average over the whole window (padding counted).

algorithm poolAlg(int64_t kind) {
  return kind == 0 ? algorithm::pooling_max : kind == 1 ? algorithm::pooling_avg_exclude_padding : algorithm::pooling_avg_include_padding;
}

pooling_forward::primitive_desc poolFwdPd(const std::vector<int64_t> &p, prop_kind pk) {
  memory::desc src({p[0], p[3], p[1], p[2]}, dt::f32, tag::nhwc), dst({p[0], p[3], p[4], p[5]}, dt::f32, tag::nhwc);
  auto d = pooling_forward::desc(pk, poolAlg(p[14]), src, dst, {p[8], p[9]}, {p[6], p[7]}, {p[10], p[12]}, {p[11], p[13]});
  return pooling_forward::primitive_desc(d, eng());
}

struct PoolFwd {
  pooling_forward::primitive_desc pd;
  pooling_forward prim;
  std::unique_ptr<memory> ws;
};
struct PoolBwd {
  pooling_backward::primitive_desc pd;
  pooling_backward prim;
  std::unique_ptr<PoolFwd> fwd;  // max pooling: recomputes the arg-max workspace
  std::unique_ptr<memory> fwdDst;
};
thread_local std::unordered_map<std::string, std::unique_ptr<PoolFwd>> poolFwdCache;
thread_local std::unordered_map<std::string, std::unique_ptr<PoolBwd>> poolBwdCache;

void poolSizes(const Napi::Env &env, const std::vector<int64_t> &p) {
  if (p[14] < 0 || p[14] > 2) throw Napi::RangeError::New(env, "@nasx/tensor-onednn: pooling kind must be 0 (max), 1 or 2 (average)");
}

Napi::Value PoolForward(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  float *x = f32(info[0], "x"), *y = f32(info[1], "y");
  auto p = ints(info[2], 15, "params");
  poolSizes(env, p);
  need(env, f32len(info[0]), p[0] * p[1] * p[2] * p[3], "x");
  need(env, f32len(info[1]), p[0] * p[4] * p[5] * p[3], "y");
  auto k = key("pf", p);
  auto it = poolFwdCache.find(k);
  if (it == poolFwdCache.end()) {
    auto pd = poolFwdPd(p, prop_kind::forward_inference);
    implCache[k] = pd.impl_info_str();
    it = poolFwdCache.emplace(k, std::unique_ptr<PoolFwd>(new PoolFwd{pd, pooling_forward(pd), nullptr})).first;
  }
  auto &e = *it->second;
  e.prim.execute(strm(), {{DNNL_ARG_SRC, memory(e.pd.src_desc(), eng(), x)}, {DNNL_ARG_DST, memory(e.pd.dst_desc(), eng(), y)}});
  strm().wait();
  return env.Undefined();
}

Napi::Value PoolBackward(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  // (x|null, dy, dx, params): max pooling needs x to find each window's arg-max.
  float *x = optF32(info[0], "x"), *dy = f32(info[1], "dy"), *dx = f32(info[2], "dx");
  auto p = ints(info[3], 15, "params");
  poolSizes(env, p);
  if (p[14] == 0 && !x) throw Napi::TypeError::New(env, "@nasx/tensor-onednn: max pooling's backward pass needs x");
  if (x) need(env, f32len(info[0]), p[0] * p[1] * p[2] * p[3], "x");
  need(env, f32len(info[1]), p[0] * p[4] * p[5] * p[3], "dy");
  need(env, f32len(info[2]), p[0] * p[1] * p[2] * p[3], "dx");
  auto k = key("pb", p);
  auto it = poolBwdCache.find(k);
  if (it == poolBwdCache.end()) {
    auto hint = poolFwdPd(p, prop_kind::forward_training);
    auto d = pooling_backward::desc(poolAlg(p[14]), hint.src_desc(), hint.dst_desc(), {p[8], p[9]}, {p[6], p[7]}, {p[10], p[12]}, {p[11], p[13]});
    auto pd = pooling_backward::primitive_desc(d, eng(), hint);
    auto e = std::unique_ptr<PoolBwd>(new PoolBwd{pd, pooling_backward(pd), nullptr, nullptr});
    if (p[14] == 0) {
      e->fwd.reset(new PoolFwd{hint, pooling_forward(hint), std::unique_ptr<memory>(new memory(hint.workspace_desc(), eng()))});
      e->fwdDst.reset(new memory(hint.dst_desc(), eng()));
    }
    implCache[k] = pd.impl_info_str();
    it = poolBwdCache.emplace(k, std::move(e)).first;
  }
  auto &e = *it->second;
  std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, memory(e.pd.diff_dst_desc(), eng(), dy)},
                                       {DNNL_ARG_DIFF_SRC, memory(e.pd.diff_src_desc(), eng(), dx)}};
  if (e.fwd) {
    e.fwd->prim.execute(strm(), {{DNNL_ARG_SRC, memory(e.fwd->pd.src_desc(), eng(), x)}, {DNNL_ARG_DST, *e.fwdDst}, {DNNL_ARG_WORKSPACE, *e.fwd->ws}});
    args.emplace(DNNL_ARG_WORKSPACE, *e.fwd->ws);
  }
  e.prim.execute(strm(), args);
  strm().wait();
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------------

Napi::Value Info(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  auto v = dnnl::version();
  auto o = Napi::Object::New(env);
  o.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("gitHash", std::string(v->hash));
  const char *isa = "unknown";
  switch (get_effective_cpu_isa()) {
    case cpu_isa::sse41: isa = "sse41"; break;
    case cpu_isa::avx: isa = "avx"; break;
    case cpu_isa::avx2: isa = "avx2"; break;
    case cpu_isa::avx512_core: isa = "avx512_core"; break;
    case cpu_isa::avx512_core_vnni: isa = "avx512_core_vnni"; break;
    case cpu_isa::avx512_core_bf16: isa = "avx512_core_bf16"; break;
    case cpu_isa::avx512_core_amx: isa = "avx512_core_amx"; break;
    case cpu_isa::avx2_vnni: isa = "avx2_vnni"; break;
    default: break;
  }
  o.Set("isa", isa);
  o.Set("cpuRuntime", v->cpu_runtime == DNNL_RUNTIME_OMP ? "openmp" : v->cpu_runtime == DNNL_RUNTIME_TBB ? "tbb" : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential" : "other");
  o.Set("hardwareThreads", static_cast<double>(std::thread::hardware_concurrency()));
  o.Set("threads", static_cast<double>(omp_get_max_threads()));
  size_t cached = convFwdCache.size() + convBwdDataCache.size() + convBwdWeightsCache.size() + matmulCache.size() + bnFwdCache.size() +
                  bnBwdCache.size() + poolFwdCache.size() + poolBwdCache.size();
  o.Set("cachedPrimitives", static_cast<double>(cached));
  return o;
}

/** Each cached primitive's implementation (`jit:avx2`, `gemm:jit`, `ref:any`, ...), for profiling. */
Napi::Value Implementations(const Napi::CallbackInfo &info) {
  auto o = Napi::Object::New(info.Env());
  for (auto &kv : implCache) o.Set(kv.first, kv.second);
  return o;
}

/** OpenMP threads of the calling thread's later oneDNN calls (its own setting; other threads keep theirs). */
Napi::Value SetThreads(const Napi::CallbackInfo &info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(info.Env(), "@nasx/tensor-onednn: threads must be at least 1");
  omp_set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value ClearCache(const Napi::CallbackInfo &info) {
  convFwdCache.clear();
  convBwdDataCache.clear();
  convBwdWeightsCache.clear();
  matmulCache.clear();
  bnFwdCache.clear();
  bnBwdCache.clear();
  poolFwdCache.clear();
  poolBwdCache.clear();
  implCache.clear();
  return info.Env().Undefined();
}

/** Wraps a binding so a oneDNN error reaches JavaScript as an Error with oneDNN's message. */
template <Napi::Value (*F)(const Napi::CallbackInfo &)>
Napi::Value guarded(const Napi::CallbackInfo &info) {
  try {
    return F(info);
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("@nasx/tensor-onednn: oneDNN failed: ") + e.what() + " (status " + std::to_string(e.status) + ")");
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("convForward", Napi::Function::New(env, guarded<ConvForward>));
  exports.Set("convBackwardData", Napi::Function::New(env, guarded<ConvBackwardData>));
  exports.Set("convBackwardWeights", Napi::Function::New(env, guarded<ConvBackwardWeights>));
  exports.Set("matmul", Napi::Function::New(env, guarded<MatMulFn>));
  exports.Set("batchNormForward", Napi::Function::New(env, guarded<BatchNormForward>));
  exports.Set("batchNormBackward", Napi::Function::New(env, guarded<BatchNormBackward>));
  exports.Set("poolForward", Napi::Function::New(env, guarded<PoolForward>));
  exports.Set("poolBackward", Napi::Function::New(env, guarded<PoolBackward>));
  exports.Set("info", Napi::Function::New(env, guarded<Info>));
  exports.Set("implementations", Napi::Function::New(env, guarded<Implementations>));
  exports.Set("setThreads", Napi::Function::New(env, guarded<SetThreads>));
  exports.Set("clearCache", Napi::Function::New(env, guarded<ClearCache>));
  return exports;
}

}  // namespace

NODE_API_MODULE(nasx_onednn, Init)
