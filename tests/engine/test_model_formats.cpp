// Issue 4: the same oracle weights through other containers give the same model: a llama GGUF file
// (llama.cpp names, q/k permuted for ggml's rope, F32 and Q8_0) and sharded safetensors with an
// index.
#include "terse/model.h"
#include "terse/weights.h"

#include "oracle_test_util.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace terse;

namespace {

using testing::kOracle;
using testing::maxDiff;

template <typename T> void put(std::string &s, T v)
{
    s.append(reinterpret_cast<const char *>(&v), sizeof v);
}

void putStr(std::string &s, const std::string &v)
{
    put<std::uint64_t>(s, v.size());
    s += v;
}

struct NamedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> data;
};

std::vector<NamedTensor> readAll(const std::string &path)
{
    std::vector<NamedTensor> out;
    auto info = inspectWeights(path);
    if (!info.ok())
        qFatal("%s", info.error().toString().c_str());
    for (const auto &t : info->tensors)
        out.push_back({t.name, t.shape, readTensorAsFloat(path, t.name).value()});
    return out;
}

// HF rotate_half order -> llama.cpp's interleaved order (convert_hf_to_gguf.py's permute).
std::vector<float> permuteForGgml(const std::vector<float> &w, std::int64_t rows, std::int64_t cols,
                                  int heads)
{
    std::vector<float> out(w.size());
    const std::int64_t hd = rows / heads;
    for (int h = 0; h < heads; ++h)
        for (std::int64_t i = 0; i < hd / 2; ++i)
            for (int j = 0; j < 2; ++j) {
                const std::int64_t src = h * hd + j * (hd / 2) + i, dst = h * hd + i * 2 + j;
                std::memcpy(&out[dst * cols], &w[src * cols], cols * sizeof(float));
            }
    return out;
}

std::uint16_t floatToHalf(float f)
{
    // Round-to-nearest for normal numbers in half range (enough for the Q8_0 scales used here).
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const int exp = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
    if (exp <= 0)
        return static_cast<std::uint16_t>(sign);
    std::uint32_t mant = x & 0x7fffffu;
    std::uint32_t h = sign | (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
    if (mant & 0x1000u)
        ++h;
    return static_cast<std::uint16_t>(h);
}

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
    std::uint32_t bits = exp == 0 ? sign : sign | ((exp + 112) << 23) | (mant << 13);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// ggml's quantize_row_q8_0_reference.
std::string quantiseQ8(const std::vector<float> &x)
{
    std::string out;
    for (std::size_t b = 0; b < x.size(); b += 32) {
        float amax = 0;
        for (int j = 0; j < 32; ++j)
            amax = std::max(amax, std::fabs(x[b + j]));
        const float d = amax / 127.0f;
        const float id = d ? 1.0f / d : 0.0f;
        put<std::uint16_t>(out, floatToHalf(d));
        for (int j = 0; j < 32; ++j)
            put<std::int8_t>(out, static_cast<std::int8_t>(std::lround(x[b + j] * id)));
    }
    return out;
}

// What a Q8_0 block decodes to, computed here independently of the engine.
std::vector<float> roundTripQ8(const std::vector<float> &x)
{
    const std::string q = quantiseQ8(x);
    std::vector<float> out;
    for (std::size_t b = 0; b < q.size(); b += 34) {
        std::uint16_t h;
        std::memcpy(&h, q.data() + b, 2);
        const float d = halfToFloat(h);
        for (int j = 0; j < 32; ++j)
            out.push_back(d * static_cast<float>(static_cast<std::int8_t>(q[b + 2 + j])));
    }
    return out;
}

enum class Storage { F32, Q8, F32OfQ8 };

// Writes llama_gqa as a llama.cpp-style GGUF; Q8 stores the 2-D weights as Q8_0 blocks, F32OfQ8
// stores as F32 what those blocks should decode to.
void writeLlamaGguf(const std::string &path, Storage storage)
{
    const auto tensors = readAll(kOracle + "/llama_gqa/model.safetensors");
    static const std::regex layer(R"(model\.layers\.(\d+)\.(.+)\.weight)");
    static const std::map<std::string, std::string> parts = {
        {"input_layernorm", "attn_norm"},    {"self_attn.q_proj", "attn_q"},
        {"self_attn.k_proj", "attn_k"},      {"self_attn.v_proj", "attn_v"},
        {"self_attn.o_proj", "attn_output"}, {"post_attention_layernorm", "ffn_norm"},
        {"mlp.gate_proj", "ffn_gate"},       {"mlp.up_proj", "ffn_up"},
        {"mlp.down_proj", "ffn_down"}};
    struct Out {
        std::string name;
        std::vector<std::int64_t> shape;
        std::uint32_t type;
        std::string bytes;
    };
    std::vector<Out> outs;
    for (const auto &t : tensors) {
        std::string name;
        std::vector<float> data = t.data;
        std::smatch m;
        if (t.name == "model.embed_tokens.weight")
            name = "token_embd.weight";
        else if (t.name == "model.norm.weight")
            name = "output_norm.weight";
        else if (t.name == "lm_head.weight")
            name = "output.weight";
        else if (std::regex_match(t.name, m, layer)) {
            name = "blk." + m[1].str() + "." + parts.at(m[2].str()) + ".weight";
            if (m[2] == "self_attn.q_proj")
                data = permuteForGgml(data, t.shape[0], t.shape[1], 4);
            if (m[2] == "self_attn.k_proj")
                data = permuteForGgml(data, t.shape[0], t.shape[1], 2);
        }
        Out o{name, t.shape, 0, {}};
        if (storage == Storage::Q8 && t.shape.size() == 2) {
            o.type = 8;
            o.bytes = quantiseQ8(data);
        } else {
            if (storage == Storage::F32OfQ8 && t.shape.size() == 2)
                data = roundTripQ8(data);
            o.bytes.assign(reinterpret_cast<const char *>(data.data()), data.size() * 4);
        }
        outs.push_back(std::move(o));
    }
    std::string s;
    put<std::uint32_t>(s, 0x46554747u);
    put<std::uint32_t>(s, 3);
    put<std::uint64_t>(s, outs.size());
    const std::vector<std::pair<std::string, std::uint32_t>> u32 = {
        {"llama.embedding_length", 64},       {"llama.block_count", 3},
        {"llama.feed_forward_length", 128},   {"llama.attention.head_count", 4},
        {"llama.attention.head_count_kv", 2}, {"llama.context_length", 128}};
    put<std::uint64_t>(s, u32.size() + 3);
    putStr(s, "general.architecture");
    put<std::uint32_t>(s, 8);
    putStr(s, "llama");
    for (const auto &[k, v] : u32) {
        putStr(s, k);
        put<std::uint32_t>(s, 4);
        put<std::uint32_t>(s, v);
    }
    putStr(s, "llama.attention.layer_norm_rms_epsilon");
    put<std::uint32_t>(s, 6);
    put<float>(s, 1e-6f);
    putStr(s, "llama.rope.freq_base");
    put<std::uint32_t>(s, 6);
    put<float>(s, 10000.0f);
    std::uint64_t offset = 0;
    for (const auto &o : outs) {
        putStr(s, o.name);
        put<std::uint32_t>(s, static_cast<std::uint32_t>(o.shape.size()));
        for (auto it = o.shape.rbegin(); it != o.shape.rend(); ++it)
            put<std::uint64_t>(s, static_cast<std::uint64_t>(*it));
        put<std::uint32_t>(s, o.type);
        put<std::uint64_t>(s, offset);
        offset += (o.bytes.size() + 31) / 32 * 32;
    }
    s.resize((s.size() + 31) / 32 * 32, '\0');
    for (const auto &o : outs) {
        s += o.bytes;
        s.resize((s.size() + 31) / 32 * 32, '\0');
    }
    std::ofstream(path, std::ios::binary).write(s.data(), static_cast<std::streamsize>(s.size()));
}

std::vector<int> len40Ids()
{
    std::ifstream in(kOracle + "/llama_gqa/expected.json");
    const auto j = nlohmann::json::parse(in);
    for (const auto &c : j["cases"])
        if (c["name"] == "len40")
            return c["input_ids"][0].get<std::vector<int>>();
    return {};
}

} // namespace

class TestModelFormats : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kOracle))
            QSKIP("shared oracle data not found (TERSE_SHARED_DIR)");
    }

    void llamaGgufMatchesSafetensors_data()
    {
        QTest::addColumn<bool>("q8");
        QTest::newRow("F32") << false;
        QTest::newRow("Q8_0") << true;
    }

    void llamaGgufMatchesSafetensors()
    {
        QFETCH(bool, q8);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/llama_gqa.gguf";
        writeLlamaGguf(path, q8 ? Storage::Q8 : Storage::F32);
        auto gguf = Model::load(path);
        QVERIFY2(gguf.ok(), gguf.ok() ? "" : gguf.error().toString().c_str());
        QCOMPARE(gguf->info().format, std::string("gguf"));
        QCOMPARE(gguf->info().kvHeads, 2);
        // Q8_0 is compared with the same weights decoded independently (the quantisation error
        // itself is ~0.1 in the logits); F32 with the original safetensors.
        const std::string refPath = dir.path().toStdString() + "/reference.gguf";
        if (q8)
            writeLlamaGguf(refPath, Storage::F32OfQ8);
        auto ref = Model::load(q8 ? refPath : kOracle + "/llama_gqa");
        ScoreRequest req;
        req.wantLogits = true;
        const auto ids = len40Ids();
        auto a = gguf->score({ids}, req);
        auto b = ref->score({ids}, req);
        QVERIFY(a.ok() && b.ok());
        const float d = maxDiff(a->sequences[0].logits, b->sequences[0].logits);
        qInfo("GGUF %s vs reference: max logit difference %.3g", q8 ? "Q8_0" : "F32", d);
        QVERIFY(d < 1e-4f);
    }

    void shardedSafetensors()
    {
        const auto tensors = readAll(kOracle + "/gpt2/model.safetensors");
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        nlohmann::json index;
        for (int shard = 0; shard < 2; ++shard) {
            const std::string file =
                "model-0000" + std::to_string(shard + 1) + "-of-00002.safetensors";
            nlohmann::json header = nlohmann::json::object();
            std::string data;
            for (std::size_t i = shard; i < tensors.size(); i += 2) {
                const auto &t = tensors[i];
                header[t.name] = {{"dtype", "F32"},
                                  {"shape", t.shape},
                                  {"data_offsets", {data.size(), data.size() + 4 * t.data.size()}}};
                data.append(reinterpret_cast<const char *>(t.data.data()), 4 * t.data.size());
                index["weight_map"][t.name] = file;
            }
            std::string h = header.dump();
            std::string bytes(8, '\0');
            const std::uint64_t n = h.size();
            std::memcpy(bytes.data(), &n, 8);
            bytes += h + data;
            std::ofstream(root / file, std::ios::binary)
                .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        }
        std::ofstream(root / "model.safetensors.index.json") << index.dump();
        std::filesystem::copy_file(kOracle + "/gpt2/config.json", root / "config.json");
        auto sharded = Model::load(root.string());
        QVERIFY2(sharded.ok(), sharded.ok() ? "" : sharded.error().toString().c_str());
        auto ref = Model::load(kOracle + "/gpt2");
        ScoreRequest req;
        req.wantLogits = true;
        const std::vector<int> ids{5, 17, 200, 3, 99};
        QCOMPARE(maxDiff(sharded->score({ids}, req)->sequences[0].logits,
                         ref->score({ids}, req)->sequences[0].logits),
                 0.0f);
        // An index naming a tensor its shard lacks is an error naming both.
        index["weight_map"]["transformer.extra"] = "model-00001-of-00002.safetensors";
        std::ofstream(root / "model.safetensors.index.json") << index.dump();
        auto broken = Model::load(root.string());
        QVERIFY(!broken.ok());
        QVERIFY2(QString::fromStdString(broken.error().detail).contains("transformer.extra"),
                 broken.error().detail.c_str());
    }

    void missingTensorIsNamed()
    {
        const auto tensors = readAll(kOracle + "/qwen2/model.safetensors");
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        nlohmann::json header = nlohmann::json::object();
        std::string data;
        for (const auto &t : tensors) {
            if (t.name == "model.layers.1.self_attn.k_proj.weight")
                continue;
            header[t.name] = {{"dtype", "F32"},
                              {"shape", t.shape},
                              {"data_offsets", {data.size(), data.size() + 4 * t.data.size()}}};
            data.append(reinterpret_cast<const char *>(t.data.data()), 4 * t.data.size());
        }
        std::string h = header.dump(), bytes(8, '\0');
        const std::uint64_t n = h.size();
        std::memcpy(bytes.data(), &n, 8);
        bytes += h + data;
        std::ofstream(root / "model.safetensors", std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        std::filesystem::copy_file(kOracle + "/qwen2/config.json", root / "config.json");
        auto m = Model::load(root.string());
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::FormatError);
        QVERIFY2(QString::fromStdString(m.error().detail)
                     .contains("model.layers.1.self_attn.k_proj.weight"),
                 m.error().detail.c_str());
    }
};

QTEST_GUILESS_MAIN(TestModelFormats)
#include "test_model_formats.moc"
