// Forward throughput of a Llama-shaped model (random weights, written as safetensors and loaded through
// Model::load) on a ~1k-token input, next to raw matmul GFLOP/s measured in the same run, fp32 and bf16.
// Usage: bench_model [tokens=1024] [dim=512] [layers=8] [attention block floats=4M]
#include "terse/model.h"
#include "terse/runtime.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

struct Shape {
    int dim, layers, heads, kvHeads, ffn, vocab;
};

// Writes config.json + model.safetensors with N(0, 0.02) weights (norm weights 1).
void writeModel(const std::filesystem::path &dir, const Shape &s)
{
    struct Entry {
        std::string name;
        std::vector<int64_t> shape;
        bool ones;
    };
    std::vector<Entry> entries{{"model.embed_tokens.weight", {s.vocab, s.dim}, false},
                               {"model.norm.weight", {s.dim}, true},
                               {"lm_head.weight", {s.vocab, s.dim}, false}};
    const int hd = s.dim / s.heads;
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        entries.push_back({p + "input_layernorm.weight", {s.dim}, true});
        entries.push_back({p + "post_attention_layernorm.weight", {s.dim}, true});
        entries.push_back({p + "self_attn.q_proj.weight", {s.dim, s.dim}, false});
        entries.push_back({p + "self_attn.k_proj.weight", {s.kvHeads * hd, s.dim}, false});
        entries.push_back({p + "self_attn.v_proj.weight", {s.kvHeads * hd, s.dim}, false});
        entries.push_back({p + "self_attn.o_proj.weight", {s.dim, s.dim}, false});
        entries.push_back({p + "mlp.gate_proj.weight", {s.ffn, s.dim}, false});
        entries.push_back({p + "mlp.up_proj.weight", {s.ffn, s.dim}, false});
        entries.push_back({p + "mlp.down_proj.weight", {s.dim, s.ffn}, false});
    }
    std::string header = "{";
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::uint64_t n = 1;
        std::string shape;
        for (auto d : entries[i].shape) {
            n *= static_cast<std::uint64_t>(d);
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        }
        header += (i ? "," : "") + std::string("\"") + entries[i].name + "\":{\"dtype\":\"F32\",\"shape\":[" + shape +
                  "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + 4 * n) + "]}";
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
    for (const auto &e : entries) {
        std::uint64_t n = 1;
        for (auto d : e.shape)
            n *= static_cast<std::uint64_t>(d);
        std::vector<float> v(n);
        for (auto &x : v)
            x = e.ones ? 1.0f : normal(rng);
        out.write(reinterpret_cast<const char *>(v.data()), static_cast<std::streamsize>(4 * n));
    }
    std::ofstream cfg(dir / "config.json");
    cfg << "{\"model_type\":\"llama\",\"hidden_size\":" << s.dim << ",\"num_hidden_layers\":" << s.layers
        << ",\"num_attention_heads\":" << s.heads << ",\"num_key_value_heads\":" << s.kvHeads
        << ",\"intermediate_size\":" << s.ffn << ",\"vocab_size\":" << s.vocab
        << ",\"max_position_embeddings\":4096,\"rms_norm_eps\":1e-6,\"rope_theta\":10000.0,\"hidden_act\":\"silu\"}";
}

// FLOPs of one full forward over T tokens: projections, MLP, explicit attention (QK^T and PV), LM head.
double forwardFlops(const Shape &s, double T)
{
    const double hd = s.dim / s.heads;
    const double perLayer = 2 * T * s.dim * (2.0 * s.dim + 2.0 * s.kvHeads * hd) + 2 * T * 3.0 * s.dim * s.ffn +
                            4 * T * T * hd * s.heads;
    return s.layers * perLayer + 2 * T * s.dim * s.vocab;
}

}  // namespace

int main(int argc, char **argv)
{
    const int tokens = argc > 1 ? std::atoi(argv[1]) : 1024;
    Shape shape{argc > 2 ? std::atoi(argv[2]) : 512, argc > 3 ? std::atoi(argv[3]) : 8, 8, 4, 0, 4096};
    shape.ffn = shape.dim * 8 / 3 / 64 * 64;
    const terse::RuntimeInfo rt = terse::initRuntime();
    std::printf("torch %s, %d threads, %s\n", rt.torchVersion.c_str(), rt.threads, rt.blas.c_str());
    const auto dir = std::filesystem::temp_directory_path() / ("terse_bench_model_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    writeModel(dir, shape);
    std::vector<int> ids(static_cast<std::size_t>(tokens));
    std::mt19937 rng(1);
    for (auto &i : ids)
        i = static_cast<int>(rng() % static_cast<unsigned>(shape.vocab));
    const double flops = forwardFlops(shape, tokens);
    std::printf("model: llama dim %d, %d layers, %d/%d heads, ffn %d, vocab %d; input %d tokens; %.2f GFLOP per "
                "forward\n",
                shape.dim, shape.layers, shape.heads, shape.kvHeads, shape.ffn, shape.vocab, tokens, flops / 1e9);
    int status = 0;
    for (auto dtype : {terse::ComputeDtype::Float32, terse::ComputeDtype::BFloat16}) {
        const char *name = dtype == terse::ComputeDtype::Float32 ? "fp32" : "bf16";
        terse::ModelLoadOptions options{dtype, "cpu", 0};
        if (argc > 4)
            options.attentionBlockFloats = std::atoll(argv[4]);
        auto model = terse::Model::load(dir.string(), options);
        if (!model) {
            std::fprintf(stderr, "load failed: %s\n", model.error().toString().c_str());
            status = 1;
            break;
        }
        // Raw matmul at the model's dominant GEMM shape ([T x dim] x [dim x ffn]) and square 1024.
        const double mmModel = terse::measureMatmulGflops(tokens, shape.dim, shape.ffn, dtype, 1.0).value();
        const double mmSquare = terse::measureMatmulGflops(1024, 1024, 1024, dtype, 1.0).value();
        for (bool attention : {false, true}) {
            terse::ScoreRequest req;
            req.wantLayerColumnSums = attention;
            req.wantCausalColumnMeans = attention;
            req.wantLastQueryRow = attention;
            (void)model->score({ids}, req);  // warm-up
            double best = 1e30;
            for (int rep = 0; rep < 3; ++rep) {
                const auto t0 = std::chrono::steady_clock::now();
                auto r = model->score({ids}, req);
                const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (!r) {
                    std::fprintf(stderr, "score failed: %s\n", r.error().toString().c_str());
                    return 1;
                }
                best = std::min(best, sec);
            }
            const double gf = flops / best / 1e9;
            std::printf("%s %-22s %7.1f ms  %7.1f GFLOP/s | matmul %dx%dx%d %7.1f GFLOP/s (ratio %.2f) | "
                        "matmul 1024^3 %7.1f GFLOP/s (ratio %.2f)\n",
                        name, attention ? "score+attention aggs:" : "score (surprisal):", best * 1e3, gf, tokens,
                        shape.dim, shape.ffn, mmModel, gf / mmModel, mmSquare, gf / mmSquare);
        }
    }
    std::filesystem::remove_all(dir);
    return status;
}
