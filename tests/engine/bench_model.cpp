// Model benchmark (issue 16; not a test, run by hand). Every figure is a ratio against a baseline
// measured in the same run, on random-weight models written as safetensors and loaded through
// Model::load:
//   1. forward / matmul: forward GFLOP/s (the FLOPs a forward must do: causal attention counts the
//   T(T+1)/2
//      visible pairs) against raw matmul at the model's dominant GEMM shape, fp32 and bf16; the
//      best of each over alternating rounds of ~0.5 s each;
//   2. 2 threads / 1 thread: speed-up of a forward, on an idle machine and with a busy core beside
//   it;
//   3. long / short prompt: a prompt of 8 context windows against 8 forwards of one window and
//   against one
//      forward over all of it;
//   4. peak RSS / weights: a child process loads a model and scores 1k tokens;
//   5. start time: `terse --version` and `terse tokenize --count` against /bin/true.
// Usage: bench_model [--quick] [--cli PATH] [--section
// forward|attention|threads|long|memory|start]... [--dim N] [--dtype fp32|bf16]
//   --quick: 1k tokens only, one repetition.
//   --dim N, --dtype D: only the shape of width N (forward, attention), only dtype D (forward,
//   long).
#include "core/threads.h"
#include "proc_util.h"
#include "terse/model.h"
#include "terse/runtime.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace {

namespace fs = std::filesystem;

struct Shape {
    const char *arch; // "llama" (GQA, SiLU MLP, RoPE) or "gpt2" (Conv1D weights, learned positions)
    int dim, layers, heads, kvHeads, ffn, vocab, positions;
};

Shape llama(int dim, int layers, int positions = 4096)
{
    return {"llama", dim, layers, 8, 4, dim * 8 / 3 / 64 * 64, 4096, positions};
}

const Shape kGpt2Small{"gpt2", 768, 12, 12, 12, 3072, 50257, 1024}; // GPT-2 124M

struct Entry {
    std::string name;
    std::vector<int64_t> shape;
    bool ones;
};

std::vector<Entry> entries(const Shape &s)
{
    std::vector<Entry> e;
    const int hd = s.dim / s.heads;
    if (std::string(s.arch) == "gpt2") {
        e.push_back({"transformer.wte.weight", {s.vocab, s.dim}, false});
        e.push_back({"transformer.wpe.weight", {s.positions, s.dim}, false});
        for (int l = 0; l < s.layers; ++l) {
            const std::string p = "transformer.h." + std::to_string(l) + ".";
            for (const char *ln : {"ln_1", "ln_2"}) {
                e.push_back({p + ln + ".weight", {s.dim}, true});
                e.push_back({p + ln + ".bias", {s.dim}, false});
            }
            e.push_back({p + "attn.c_attn.weight", {s.dim, 3 * s.dim}, false});
            e.push_back({p + "attn.c_attn.bias", {3 * s.dim}, false});
            e.push_back({p + "attn.c_proj.weight", {s.dim, s.dim}, false});
            e.push_back({p + "attn.c_proj.bias", {s.dim}, false});
            e.push_back({p + "mlp.c_fc.weight", {s.dim, s.ffn}, false});
            e.push_back({p + "mlp.c_fc.bias", {s.ffn}, false});
            e.push_back({p + "mlp.c_proj.weight", {s.ffn, s.dim}, false});
            e.push_back({p + "mlp.c_proj.bias", {s.dim}, false});
        }
        e.push_back({"transformer.ln_f.weight", {s.dim}, true});
        e.push_back({"transformer.ln_f.bias", {s.dim}, false});
        return e;
    }
    e.push_back({"model.embed_tokens.weight", {s.vocab, s.dim}, false});
    e.push_back({"model.norm.weight", {s.dim}, true});
    e.push_back({"lm_head.weight", {s.vocab, s.dim}, false});
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        e.push_back({p + "input_layernorm.weight", {s.dim}, true});
        e.push_back({p + "post_attention_layernorm.weight", {s.dim}, true});
        e.push_back({p + "self_attn.q_proj.weight", {s.dim, s.dim}, false});
        e.push_back({p + "self_attn.k_proj.weight", {s.kvHeads * hd, s.dim}, false});
        e.push_back({p + "self_attn.v_proj.weight", {s.kvHeads * hd, s.dim}, false});
        e.push_back({p + "self_attn.o_proj.weight", {s.dim, s.dim}, false});
        e.push_back({p + "mlp.gate_proj.weight", {s.ffn, s.dim}, false});
        e.push_back({p + "mlp.up_proj.weight", {s.ffn, s.dim}, false});
        e.push_back({p + "mlp.down_proj.weight", {s.dim, s.ffn}, false});
    }
    return e;
}

// Writes config.json + model.safetensors with N(0, 0.02) weights (norm weights 1). Returns the
// file's bytes.
std::uint64_t writeModel(const fs::path &dir, const Shape &s)
{
    fs::create_directories(dir);
    const auto list = entries(s);
    std::string header = "{";
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::uint64_t n = 1;
        std::string shape;
        for (auto d : list[i].shape) {
            n *= static_cast<std::uint64_t>(d);
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        }
        header += (i ? "," : "") + std::string("\"") + list[i].name +
                  "\":{\"dtype\":\"F32\",\"shape\":[" + shape + "],\"data_offsets\":[" +
                  std::to_string(offset) + "," + std::to_string(offset + 4 * n) + "]}";
        offset += 4 * n;
    }
    header += "}";
    header.resize((header.size() + 7) / 8 * 8, ' ');
    std::ofstream out(dir / "model.safetensors", std::ios::binary);
    const std::uint64_t len = header.size();
    out.write(reinterpret_cast<const char *>(&len), 8);
    out << header;
    std::mt19937 rng(42);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> v;
    for (const auto &e : list) {
        std::uint64_t n = 1;
        for (auto d : e.shape)
            n *= static_cast<std::uint64_t>(d);
        v.resize(n);
        for (auto &x : v)
            x = e.ones ? 1.0f : normal(rng);
        out.write(reinterpret_cast<const char *>(v.data()), static_cast<std::streamsize>(4 * n));
    }
    std::ofstream cfg(dir / "config.json");
    if (std::string(s.arch) == "gpt2")
        cfg << "{\"model_type\":\"gpt2\",\"n_embd\":" << s.dim << ",\"n_layer\":" << s.layers
            << ",\"n_head\":" << s.heads << ",\"n_positions\":" << s.positions
            << ",\"vocab_size\":" << s.vocab << "}";
    else
        cfg << "{\"model_type\":\"llama\",\"hidden_size\":" << s.dim
            << ",\"num_hidden_layers\":" << s.layers << ",\"num_attention_heads\":" << s.heads
            << ",\"num_key_value_heads\":" << s.kvHeads << ",\"intermediate_size\":" << s.ffn
            << ",\"vocab_size\":" << s.vocab << ",\"max_position_embeddings\":" << s.positions
            << ",\"rms_norm_eps\":1e-6,\"rope_theta\":10000.0,\"hidden_act\":\"silu\"}";
    return 8 + len + offset;
}

// FLOPs a forward over T tokens must do: projections, MLP, causal attention (QK^T and PV over the
// T(T+1)/2 visible query-key pairs), LM head.
double forwardFlops(const Shape &s, double T)
{
    const double hd = s.dim / s.heads;
    const double pairs = T * (T + 1) / 2;
    const double mlp = std::string(s.arch) == "gpt2" ? 2.0 : 3.0;
    const double perLayer = 2 * T * s.dim * (2.0 * s.dim + 2.0 * s.kvHeads * hd) +
                            2 * T * mlp * s.dim * s.ffn + 4 * pairs * hd * s.heads;
    return s.layers * perLayer + 2 * T * s.dim * s.vocab;
}

std::string shapeName(const Shape &s)
{
    return std::string(s.arch) + " " + std::to_string(s.dim) + "x" + std::to_string(s.layers);
}

std::vector<int> randomIds(int n, int vocab)
{
    std::vector<int> ids(static_cast<std::size_t>(n));
    std::mt19937 rng(1);
    for (auto &i : ids)
        i = static_cast<int>(rng() % static_cast<unsigned>(vocab));
    return ids;
}

// Best wall time of `reps` scores (after one warm-up unless reps is 1), surprisal only (what
// methods ask).
double timeScore(const terse::Model &model, const std::vector<int> &ids, int reps)
{
    terse::ScoreRequest req;
    req.wantEntropy = false;
    if (reps > 1)
        (void)model.score({ids}, req);
    double best = 1e30;
    for (int rep = 0; rep < reps; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = model.score({ids}, req);
        const double sec =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!r) {
            std::fprintf(stderr, "score failed: %s\n", r.error().toString().c_str());
            std::exit(1);
        }
        best = std::min(best, sec);
    }
    return best;
}

terse::Model load(const fs::path &dir, terse::ComputeDtype dtype, bool fused = true)
{
    terse::ModelLoadOptions options{dtype, "cpu", 0};
    options.fusedAttention = fused;
    auto model = terse::Model::load(dir.string(), options);
    if (!model) {
        std::fprintf(stderr, "load failed: %s\n", model.error().toString().c_str());
        std::exit(1);
    }
    return std::move(*model);
}

// A child process that keeps one core busy (another job on the machine) until killed.
struct BusyCore {
    pid_t pid = -1;
    BusyCore()
    {
        const pid_t parent = ::getpid();
        pid = ::fork();
        if (pid == 0) {
            // Dies with the benchmark, also when that is killed or stopped by a closed pipe (an
            // orphan kept a core busy for good).
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(0);
            volatile double x = 1.0;
            for (;;)
                x = x * 1.0000001 + 1e-9;
        }
    }
    ~BusyCore()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

// bf16 runs only where the CPU computes it natively (the engine's default there); elsewhere
// libtorch emulates it at a few GFLOP/s, the engine never picks it, and one 4k-token forward
// would take minutes. `--dtype bf16` runs it anyway.
bool dtypeRuns(terse::ComputeDtype dtype)
{
    if (dtype != terse::ComputeDtype::BFloat16 || terse::cpuHasNativeBf16())
        return true;
    static bool said = false;
    if (!said)
        std::printf("(bf16 skipped: this CPU has no native bf16, so the engine computes in fp32; "
                    "--dtype bf16 measures it anyway)\n");
    said = true;
    return false;
}

void sectionForward(const fs::path &root, bool quick, int onlyDim, const std::string &onlyDtype)
{
    std::printf("\n1. Forward vs matmul (same dtype, same run; surprisal only)\n");
    std::printf("%-16s %6s %5s %10s %10s %22s %10s %7s\n", "model", "tokens", "dtype", "forward",
                "GFLOP/s", "matmul shape", "GFLOP/s", "ratio");
    const std::vector<Shape> shapes{llama(192, 4), llama(768, 12), llama(2048, 2)};
    std::vector<int> lengths{1024};
    if (!quick)
        lengths.push_back(4096);
    for (const Shape &s : shapes) {
        if (onlyDim > 0 && s.dim != onlyDim)
            continue;
        const fs::path dir = root / ("fwd_" + std::to_string(s.dim));
        writeModel(dir, s);
        for (auto dtype : {terse::ComputeDtype::Float32, terse::ComputeDtype::BFloat16}) {
            if (!onlyDtype.empty() ? onlyDtype != dtypeName(dtype) : !dtypeRuns(dtype))
                continue;
            const terse::Model model = load(dir, dtype);
            for (int T : lengths) {
                const auto ids = randomIds(T, s.vocab);
                // Forward and matmul in alternate rounds, best of each: on a shared machine
                // (a VM's neighbours) speeds drift by up to 2x within a minute, and a ratio of
                // two runs minutes apart measured the drift.
                // Each side gets the same time per round: the matmul 0.5 s, the forward as many
                // runs as fit in 0.5 s (at least 1, or 2-3 at 1k tokens): a 15 ms forward timed
                // 3 times against a matmul timed for 0.5 s measured the VM's drift more than
                // the forward.
                double sec = 1e30, mm = 0;
                int reps = T > 1024 ? 1 : quick ? 2 : 3;
                for (int round = 0; round < (quick ? 1 : 2); ++round) {
                    sec = std::min(sec, timeScore(model, ids, reps));
                    reps = std::max(reps, std::min(40, static_cast<int>(0.5 / sec)));
                    mm = std::max(mm,
                                  terse::measureMatmulGflops(T, s.dim, s.ffn, dtype, 0.5).value());
                }
                const double gf = forwardFlops(s, T) / sec / 1e9;
                const std::string mmShape =
                    std::to_string(T) + "x" + std::to_string(s.dim) + "x" + std::to_string(s.ffn);
                std::printf("%-16s %6d %5s %8.1fms %10.1f %22s %10.1f %7.2f\n",
                            shapeName(s).c_str(), T, dtypeName(dtype), sec * 1e3, gf,
                            mmShape.c_str(), mm, gf / mm);
                std::fflush(stdout);
            }
        }
        fs::remove_all(dir);
    }
}

// The fused attention kernel against the blocked libtorch attention, one forward each, same run.
void sectionAttention(const fs::path &root, bool quick, int onlyDim)
{
    std::printf(
        "\n1b. Fused attention vs blocks (forward time; > 1: the fused kernel is faster)\n");
    std::printf("%-22s %6s %5s %10s %10s %7s\n", "model", "tokens", "dtype", "blocks", "fused",
                "ratio");
    Shape bundled = llama(512, 6); // terse-lm's shape: head dim 64, no GQA
    bundled.heads = bundled.kvHeads = 8;
    bundled.ffn = 1376;
    bundled.vocab = 8192;
    for (const Shape &s : {llama(192, 4), bundled, llama(768, 12), llama(2048, 2)}) {
        if (onlyDim > 0 && s.dim != onlyDim)
            continue;
        const fs::path dir = root / ("att_" + std::to_string(s.dim));
        writeModel(dir, s);
        for (auto dtype : {terse::ComputeDtype::Float32, terse::ComputeDtype::BFloat16}) {
            if (!dtypeRuns(dtype))
                continue;
            const terse::Model blocks = load(dir, dtype, false), fused = load(dir, dtype, true);
            for (int T : quick ? std::vector<int>{512} : std::vector<int>{512, 1024, 4096}) {
                const auto ids = randomIds(T, s.vocab);
                const int reps = T > 1024 ? 1 : quick ? 2 : 3;
                const double tb = timeScore(blocks, ids, reps), tf = timeScore(fused, ids, reps);
                std::printf("%-22s %6d %5s %8.1fms %8.1fms %7.2f\n",
                            (shapeName(s) + " hd " + std::to_string(s.dim / s.heads)).c_str(), T,
                            dtypeName(dtype), tb * 1e3, tf * 1e3, tb / tf);
                std::fflush(stdout);
            }
        }
        fs::remove_all(dir);
    }
}

void sectionThreads(const fs::path &root, bool quick)
{
    std::printf("\n2. 2 threads vs 1 thread (speed-up of one forward; > 1 is faster)\n");
    std::printf("%-18s %6s %12s %10s %10s %9s %6s\n", "model", "tokens", "machine", "1 thread",
                "2 threads", "speed-up", "used");
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    for (const Shape &s : {llama(192, 4), kGpt2Small}) {
        const fs::path dir = root / ("thr_" + std::to_string(s.dim));
        writeModel(dir, s);
        const terse::Model model = load(dir, terse::ComputeDtype::Float32);
        const int T = std::string(s.arch) == "gpt2" ? 819 : 1024; // 819: the measurement
        const auto ids = randomIds(T, s.vocab);
        for (bool busy : {false, true}) {
            std::unique_ptr<BusyCore> load;
            if (busy)
                load = std::make_unique<BusyCore>();
            // Alternate rounds, best of each (a shared machine drifts; see sectionForward).
            double t[2] = {1e30, 1e30};
            for (int round = 0; round < (quick ? 1 : 2); ++round)
                for (int threads : {1, 2}) {
                    terse::initRuntime(threads);
                    t[threads - 1] = std::min(t[threads - 1], timeScore(model, ids, 2));
                }
            // "used": the threads the engine chose for the last "2 threads" forward (it adapts to
            // the load).
            std::printf("%-18s %6d %12s %8.1fms %8.1fms %9.2f %6d\n", shapeName(s).c_str(), T,
                        busy ? "1 core busy" : "idle", t[0] * 1e3, t[1] * 1e3, t[0] / t[1],
                        terse::runtimeThreads());
            std::fflush(stdout);
        }
        terse::initRuntime(cores);
        fs::remove_all(dir);
    }
}

// The bundled causal LM's shape from resources/models/terse-lm/config.json (random weights of it
// are written, as for the other shapes); none, with a message, when the file is missing or not a
// Llama config.
std::optional<Shape> bundledLmShape()
{
    const fs::path path = fs::path(TERSE_SOURCE_DIR) / "resources/models/terse-lm/config.json";
    try {
        std::ifstream in(path);
        const auto c = nlohmann::json::parse(in);
        return Shape{"llama",
                     c.at("hidden_size").get<int>(),
                     c.at("num_hidden_layers").get<int>(),
                     c.at("num_attention_heads").get<int>(),
                     c.value("num_key_value_heads", c.at("num_attention_heads").get<int>()),
                     c.at("intermediate_size").get<int>(),
                     c.at("vocab_size").get<int>(),
                     c.at("max_position_embeddings").get<int>()};
    } catch (const std::exception &e) {
        std::printf("(terse-lm's shape skipped: %s: %s)\n", path.c_str(), e.what());
        return std::nullopt;
    }
}

void sectionLong(const fs::path &root, bool quick, const std::string &onlyDtype)
{
    std::printf("\n3. Long prompt (8 windows) vs 8 forwards of one window, and vs one pass over it "
                "all (a context\n"
                "   of 8 windows: the same weights with a longer config); FLOPs: the scheme's over "
                "8 windows'\n");
    std::printf("%-16s %5s %6s %8s %12s %14s %7s %7s %12s %7s\n", "model", "dtype", "window",
                "tokens", "long prompt", "8 x one window", "ratio", "FLOPs", "one pass", "ratio");
    // The bundled terse-lm's shape (512 x 6, head dim 64, no GQA, a 512-token context, from its
    // config.json) is what users' long prompts meet by default, in bf16 where it is native.
    std::vector<Shape> shapes{llama(192, 4, 512)};
    if (const auto terseLm = bundledLmShape())
        shapes.push_back(*terseLm);
    shapes.push_back(llama(768, 12, 512));
    for (const Shape &s : shapes) {
        if (quick && s.dim > 192)
            continue;
        const fs::path dir = root / ("long_" + std::to_string(s.dim));
        writeModel(dir, s);
        Shape wide = s;
        wide.positions = 8 * s.positions;
        const fs::path wideDir = root / ("long_wide_" + std::to_string(s.dim));
        writeModel(wideDir, wide);
        for (auto dtype : {terse::ComputeDtype::Float32, terse::ComputeDtype::BFloat16}) {
            if (!onlyDtype.empty() ? onlyDtype != dtypeName(dtype) : !dtypeRuns(dtype))
                continue;
            const terse::Model model = load(dir, dtype);
            const int W = s.positions;
            const auto ids = randomIds(8 * W, s.vocab);
            // Alternate rounds, best of each (the drift of a shared machine; see sectionForward).
            double one = 1e30, longT = 1e30;
            const auto window = randomIds(W, s.vocab);
            for (int round = 0; round < (quick ? 2 : 4); ++round) {
                one = std::min(one, timeScore(model, window, 3));
                longT = std::min(longT, timeScore(model, ids, 1));
            }
            const terse::Model wideModel = load(wideDir, dtype);
            const double pass = timeScore(wideModel, ids, 1);
            // The FLOPs of the scheme over those of 8 windows: every query after the first window
            // attends to W keys (a sliding window of W) instead of a window's (W + 1) / 2 on
            // average: W (W - 1) / 2 more query-key pairs per chunk and layer.
            const double extra = s.layers * 4.0 * (W * (W - 1.0) / 2) * s.dim;
            const double flops = 8 * forwardFlops(s, W) + 7 * extra;
            std::printf("%-16s %5s %6d %8d %10.1fms %12.1fms %7.2f %7.2f %10.1fms %7.2f\n",
                        shapeName(s).c_str(), dtypeName(dtype), W, 8 * W, longT * 1e3,
                        8 * one * 1e3, longT / (8 * one), flops / (8 * forwardFlops(s, W)),
                        pass * 1e3, longT / pass);
            std::fflush(stdout);
        }
        fs::remove_all(dir);
        fs::remove_all(wideDir);
    }
}

using terse::testing::residentKb;

// The child of section 4 (a fresh process: a forked copy of a process with OpenMP threads can
// hang): loads the model, scores 1k tokens and prints "RSS before load (kB) peak RSS (kB)".
int memoryChild(const std::string &dir, const std::string &arch)
{
    terse::initRuntime();
    const long before = residentKb();
    {
        const Shape s = arch == "gpt2" ? kGpt2Small : llama(768, 12);
        const terse::Model model = load(dir, terse::ComputeDtype::Float32);
        (void)timeScore(model, randomIds(std::min(1024, s.positions), s.vocab), 1);
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::printf("%ld %ld\n", before, ru.ru_maxrss);
    return 0;
}

void sectionMemory(const fs::path &root)
{
    std::printf("\n4. Peak resident memory vs weights (a new process loads the model and scores 1k "
                "tokens, fp32)\n");
    std::printf("%-18s %10s %12s %12s %14s\n", "model", "weights", "RSS before", "peak RSS",
                "added/weights");
    for (const Shape &s : {llama(768, 12), kGpt2Small}) {
        const fs::path dir = root / ("mem_" + std::to_string(s.dim) + s.arch);
        const double weights = static_cast<double>(writeModel(dir, s));
        const std::string out = (root / "mem.txt").string();
        const std::string cmd = "/proc/" + std::to_string(::getpid()) + "/exe --memory-child " +
                                dir.string() + " " + s.arch + " > " + out;
        long before = 0, peak = 0;
        if (std::system(cmd.c_str()) == 0) {
            std::ifstream in(out);
            in >> before >> peak;
        }
        std::printf("%-18s %8.0fMB %10.0fMB %10.0fMB %14.2f\n", shapeName(s).c_str(), weights / 1e6,
                    before * 1024.0 / 1e6, peak * 1024.0 / 1e6, (peak - before) * 1024.0 / weights);
        std::fflush(stdout);
        fs::remove_all(dir);
    }
}

// Best wall time of running argv (stdout/stderr to /dev/null) over `reps` runs.
double timeRun(const std::vector<std::string> &args, int reps)
{
    double best = 1e30;
    for (int i = 0; i < reps; ++i) {
        std::vector<char *> argv;
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        const auto t0 = std::chrono::steady_clock::now();
        pid_t pid = -1;
        if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
            posix_spawn_file_actions_destroy(&fa);
            return -1;
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        posix_spawn_file_actions_destroy(&fa);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -1; // a failed start is no start time
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

void sectionStart(const std::string &cli)
{
    std::printf("\n5. Start time vs /bin/true (best of 5, warm page cache)\n");
    if (cli.empty() || !fs::exists(cli)) {
        std::printf("skipped: the CLI was not found (--cli PATH)\n");
        return;
    }
    const double base = timeRun({"/bin/true"}, 5);
    std::printf("%-40s %10s %8s\n", "command", "wall", "ratio");
    std::printf("%-40s %8.1fms %8.2f\n", "/bin/true", base * 1e3, 1.0);
    // The front answers the first three without libtorch; `compress --help` is handed to
    // terse-engine (the cost of loading the model engine, before any model).
    const std::string tokenizer = std::string(TERSE_SOURCE_DIR) + "/resources/models/terse-lm";
    const std::string db = (fs::temp_directory_path() / "terse_bench_start.sqlite3").string();
    for (const auto &args : std::vector<std::vector<std::string>>{
             {cli, "--version"},
             {cli, "tokenize", "--count", "--tokenizer", tokenizer, "/dev/null"},
             {cli, "sessions", "list", "--db", db},
             {cli, "compress", "--help"}}) {
        const double t = timeRun(args, 5);
        if (t < 0) {
            std::printf("%-40s %10s\n", args[1].c_str(), "failed");
            continue;
        }
        std::string name = "terse";
        for (std::size_t i = 1; i < args.size(); ++i)
            name += " " + args[i];
        if (name.size() > 40)
            name = name.substr(0, 37) + "...";
        std::printf("%-40s %8.1fms %8.1f\n", name.c_str(), t * 1e3, t / base);
    }
    fs::remove(db);
#if defined(TERSE_STUDIO_PATH) && defined(TERSE_STUDIO_APP_PATH)
    // The app's first window (issue 16): started with Qt's offscreen platform and a throw-away
    // settings/data home, it exits as soon as its first frame is drawn (TERSE_EXIT_WHEN_SHOWN);
    // the engine module loads only after that.
    const fs::path home =
        fs::temp_directory_path() / ("terse_bench_app_" + std::to_string(::getpid()));
    fs::create_directories(home);
    ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    ::setenv("TERSE_EXIT_WHEN_SHOWN", "1", 1);
    ::setenv("XDG_CONFIG_HOME", (home / "config").c_str(), 1);
    ::setenv("XDG_DATA_HOME", (home / "data").c_str(), 1);
    for (const auto &[path, name] :
         {std::pair{std::string(TERSE_STUDIO_PATH), "terse-studio: first window"},
          std::pair{std::string(TERSE_STUDIO_APP_PATH), "terse-studio-app: first window"}}) {
        const double t = timeRun({path}, 5);
        if (t < 0)
            std::printf("%-40s %10s\n", name, "failed");
        else
            std::printf("%-40s %8.1fms %8.1f\n", name, t * 1e3, t / base);
    }
    for (const char *v :
         {"QT_QPA_PLATFORM", "TERSE_EXIT_WHEN_SHOWN", "XDG_CONFIG_HOME", "XDG_DATA_HOME"})
        ::unsetenv(v);
    fs::remove_all(home);
#endif
}

} // namespace

int main(int argc, char **argv)
{
    terse::preferPassiveOpenMP(argv); // as the CLI and the app do
    bool quick = false;
    std::string cli =
#ifdef TERSE_CLI_PATH
        TERSE_CLI_PATH;
#else
        "";
#endif
    std::set<std::string> sections;
    std::string
        onlyDtype;   // --dtype fp32|bf16: the forward and long sections' runs in that dtype only
    int onlyDim = 0; // --dim N: the forward and attention sections' shape of that width only
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick")
            quick = true;
        else if (a == "--cli" && i + 1 < argc)
            cli = argv[++i];
        else if (a == "--memory-child" && i + 2 < argc)
            return memoryChild(argv[i + 1], argv[i + 2]);
        else if (a == "--dtype" && i + 1 < argc)
            onlyDtype = argv[++i];
        else if (a == "--dim" && i + 1 < argc)
            onlyDim = std::atoi(argv[++i]);
        else if (a == "--section" && i + 1 < argc)
            sections.insert(argv[++i]);
        else {
            std::fprintf(
                stderr,
                "usage: bench_model [--quick] [--cli PATH] [--section "
                "forward|attention|threads|long|memory|start]... [--dim N] [--dtype fp32|bf16]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    const auto want = [&](const char *s) { return sections.empty() || sections.count(s) > 0; };
    const terse::RuntimeInfo rt = terse::initRuntime();
    const char *wait = std::getenv("OMP_WAIT_POLICY");
    const char *spin = std::getenv("GOMP_SPINCOUNT");
    // The engine's own kernels (fused attention, pointwise) on as many threads as libtorch: 1 here
    // with more threads set means they were built without OpenMP (core/threads.h).
    std::printf("torch %s, %d threads (engine kernels on %d), %s, OMP_WAIT_POLICY=%s, "
                "GOMP_SPINCOUNT=%s, allocator %s\n",
                rt.torchVersion.c_str(), rt.threads,
                terse::detail::engineParallelThreads(rt.threads * 16), rt.blas.c_str(),
                wait ? wait : "(unset)", spin ? spin : "(unset)", terse::allocatorName());
    const fs::path root =
        fs::temp_directory_path() / ("terse_bench_model_" + std::to_string(::getpid()));
    if (want("forward"))
        sectionForward(root, quick, onlyDim, onlyDtype);
    if (want("attention"))
        sectionAttention(root, quick, onlyDim);
    if (want("threads"))
        sectionThreads(root, quick);
    if (want("long"))
        sectionLong(root, quick, onlyDtype);
    if (want("memory"))
        sectionMemory(root);
    if (want("start"))
        sectionStart(cli);
    fs::remove_all(root);
    return 0;
}
