// Issue 17 reproducers on model folders: a copy of the bundled terse-lm with one thing broken must
// be refused with an error that names the field or tensor, never loaded with silently different
// weights or defaults. The same for weight files: a valid safetensors, GGUF or llama2.c file with
// one header field corrupted is refused naming the file, the tensor or field and what was expected
// (never a crash, an abort, a huge allocation or a read past the end). Runs on a bare clone (the
// bundled model is committed).
#include "cli_test_util.h"
#include "file_util.h"
#include "weight_file_builders.h"
#include "terse/model.h"
#include "terse/weights.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

using namespace terse;
namespace fs = std::filesystem;

namespace {

const fs::path kModel = fs::path(TERSE_SOURCE_DIR) / "resources" / "models" / "terse-lm";

// A copy of the bundled model in `dir` with config.json edited by `edit`.
std::string copyWithConfig(const QTemporaryDir &dir,
                           const std::function<void(nlohmann::json &)> &edit)
{
    const fs::path out = fs::path(dir.path().toStdString()) / "model";
    fs::create_directories(out);
    for (const char *f : {"model.safetensors", "tokenizer.json", "tokenizer_config.json"})
        fs::copy_file(kModel / f, out / f, fs::copy_options::overwrite_existing);
    auto config = nlohmann::json::parse(testing::readFileBytes(kModel / "config.json"));
    edit(config);
    testing::writeFileBytes(out / "config.json", config.dump(2));
    return out.string();
}

// A copy of the bundled model whose model.safetensors header (JSON) and data are rewritten by
// `edit`.
std::string copyWithSafetensors(const QTemporaryDir &dir,
                                const std::function<void(nlohmann::json &, std::string &)> &edit)
{
    // A value "deep" becomes 100000 nested arrays (built as text: nlohmann's dump recurses).
    const std::string path = copyWithConfig(dir, [](nlohmann::json &) {});
    const fs::path file = fs::path(path) / "model.safetensors";
    const std::string bytes = testing::readFileBytes(file);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    auto header = nlohmann::json::parse(bytes.substr(8, n));
    std::string data = bytes.substr(8 + n);
    edit(header, data);
    std::string text = header.dump();
    const std::size_t deep = text.find("\"deep\"");
    if (deep != std::string::npos)
        text.replace(deep, 6, std::string(100000, '[') + std::string(100000, ']'));
    n = text.size();
    testing::writeFileBytes(file, std::string(reinterpret_cast<const char *>(&n), 8) + text + data);
    return path;
}

// One hostile weight file: a valid file with one thing broken, and what the error must say.
struct WeightCase {
    const char *name;
    std::function<void(std::string &bytes)> corrupt;
    std::vector<const char *> mentions; // besides the file name
    ErrorCode code = ErrorCode::FormatError;
    bool loaderRefuses = true; // false: the weights read fine, the model built from them is refused
};

template <typename T> std::function<void(std::string &)> poke(std::size_t at, T v)
{
    return [at, v](std::string &b) { testing::pokeLe<T>(b, at, v); };
}

const testing::GgufFile &tinyGguf()
{
    static const testing::GgufFile f = testing::tinyLlamaGguf();
    return f;
}

std::vector<WeightCase> ggufCases()
{
    const auto at = [](const std::string &f) { return tinyGguf().at(f); };
    std::vector<WeightCase> c;
    c.push_back({"tensor count",
                 poke<std::uint64_t>(at("tensor_count"), 1ull << 40),
                 {"tensor count 1099511627776 exceeds what a file of"}});
    c.push_back({"metadata count",
                 poke<std::uint64_t>(at("kv_count"), ~0ull),
                 {"metadata count 18446744073709551615"}});
    c.push_back({"key length",
                 poke<std::uint64_t>(at("key llama.block_count"), 1ull << 62),
                 {"metadata entry 2",
                  "the key is 4611686018427387904 bytes long, at most 65535 expected"}});
    c.push_back({"string length",
                 poke<std::uint64_t>(at("value general.architecture"), 1ull << 50),
                 {"metadata key 'general.architecture'", "the string value at byte",
                  "needs 1125899906842624 bytes"}});
    c.push_back({"string array length",
                 poke<std::uint64_t>(at("array_len tokenizer.ggml.tokens"), 1ull << 61),
                 {"metadata key 'tokenizer.ggml.tokens'",
                  "an array of 2305843009213693952 strings needs at least"}});
    c.push_back({"number array length",
                 poke<std::uint64_t>(at("array_len tokenizer.ggml.scores"), 1ull << 40),
                 {"metadata key 'tokenizer.ggml.scores'",
                  "an array of 1099511627776 elements of 4 bytes needs"}});
    c.push_back({"architecture not UTF-8",
                 [=](std::string &b) {
                     b.replace(at("value general.architecture") + 8, 5, "\xff\xfe\xfd\xfc\xfb");
                 },
                 {"model_type '", "' is not supported"},
                 ErrorCode::Unsupported,
                 false});
    c.push_back({"unknown value type",
                 poke<std::uint32_t>(at("type llama.block_count"), 77),
                 {"metadata key 'llama.block_count'", "unknown value type 77"}});
    c.push_back({"unknown array element type",
                 poke<std::uint32_t>(at("value tokenizer.ggml.scores"), 40),
                 {"metadata key 'tokenizer.ggml.scores'", "unknown array element type 40"}});
    c.push_back({"duplicate key",
                 [=](std::string &b) {
                     b.replace(at("key llama.block_count") + 8, 17, "general.alignment");
                 },
                 {"metadata key 'general.alignment' appears twice"}});
    c.push_back({"alignment not a power of two",
                 poke<std::uint32_t>(at("value general.alignment"), 48),
                 {"general.alignment 48 is not a power of two between 1 and 1048576"}});
    c.push_back({"alignment too large",
                 poke<std::uint32_t>(at("value general.alignment"), 1u << 30),
                 {"general.alignment 1073741824 is not a power of two"}});
    c.push_back({"alignment a float",
                 poke<std::uint32_t>(at("type general.alignment"), 6),
                 {"general.alignment (not an integer)"}});
    c.push_back(
        {"head_count_kv zero",
         poke<std::uint32_t>(at("value llama.attention.head_count_kv"), 0),
         {"key 'llama.attention.head_count_kv' must be an integer in [1, 2147483647], got 0"}});
    c.push_back({"head_count indivisible",
                 poke<std::uint32_t>(at("value llama.attention.head_count"), 3),
                 {"tensor 'blk.0.attn_q.weight'",
                  "cannot hold 3 heads of an even size (llama.attention.head_count = 3)"}});
    c.push_back({"block_count negative",
                 [=](std::string &b) {
                     testing::pokeLe<std::uint32_t>(b, at("type llama.block_count"), 5); // I32
                     testing::pokeLe<std::int32_t>(b, at("value llama.block_count"), -3);
                 },
                 {"key 'llama.block_count' must be an integer in [0, 2147483647], got -3"}});
    c.push_back({"epsilon NaN",
                 poke<float>(at("value llama.attention.layer_norm_rms_epsilon"),
                             std::numeric_limits<float>::quiet_NaN()),
                 {"key 'llama.attention.layer_norm_rms_epsilon' must be a finite number"}});
    c.push_back({"tensor name length",
                 poke<std::uint64_t>(at("name blk.0.attn_q.weight"), 100000),
                 {"tensor info 3", "the tensor name is 100000 bytes long, at most 256 expected"}});
    c.push_back({"duplicate tensor",
                 [=](std::string &b) {
                     b.replace(at("name blk.0.attn_v.weight") + 8, 19, "blk.0.attn_k.weight");
                 },
                 {"tensor 'blk.0.attn_k.weight' appears twice"}});
    c.push_back({"five dimensions",
                 poke<std::uint32_t>(at("ndims blk.0.ffn_up.weight"), 5),
                 {"tensor 'blk.0.ffn_up.weight'", "5 dimensions, expected 1 to 4"}});
    c.push_back({"zero dimensions",
                 poke<std::uint32_t>(at("ndims output_norm.weight"), 0),
                 {"tensor 'output_norm.weight'", "0 dimensions, expected 1 to 4"}});
    c.push_back(
        {"dims overflow",
         [=](std::string &b) {
             testing::pokeLe<std::uint64_t>(b, at("ne token_embd.weight 0"), 1ull << 32);
             testing::pokeLe<std::uint64_t>(b, at("ne token_embd.weight 1"), 1ull << 32);
         },
         {"tensor 'token_embd.weight'", "shape [4294967296, 4294967296] is absurdly large"}});
    c.push_back(
        {"zero dim hides a huge one",
         [=](std::string &b) {
             testing::pokeLe<std::uint64_t>(b, at("ne token_embd.weight 0"), 0);
             testing::pokeLe<std::uint64_t>(b, at("ne token_embd.weight 1"), ~0ull);
         },
         {"tensor 'token_embd.weight'", "shape [0, 18446744073709551615] is absurdly large"}});
    c.push_back({"Q4_0 row not whole blocks",
                 [=](std::string &b) {
                     testing::pokeLe<std::uint64_t>(b, at("ne blk.0.attn_k.weight 0"), 16);
                     testing::pokeLe<std::uint64_t>(b, at("ne blk.0.attn_k.weight 1"), 32);
                 },
                 {"tensor 'blk.0.attn_k.weight'",
                  "row length 16 is not a multiple of the Q4_0 block size 32"}});
    c.push_back({"unknown GGML type",
                 poke<std::uint32_t>(at("ggml_type blk.0.attn_q.weight"), 99),
                 {"tensor 'blk.0.attn_q.weight'", "GGML type 99 is not supported"},
                 ErrorCode::Unsupported});
    c.push_back({"offset misaligned",
                 poke<std::uint64_t>(at("offset output_norm.weight"), 4100),
                 {"tensor 'output_norm.weight'",
                  "data offset 4100 is not a multiple of the alignment 32"}});
    c.push_back(
        {"offset past the end",
         poke<std::uint64_t>(at("offset blk.0.ffn_down.weight"), 1ull << 20),
         {"tensor 'blk.0.ffn_down.weight'",
          "shape [64, 32] of Q8_0 needs 2176 bytes at offset 1048576", "-byte data section"}});
    c.push_back({"offset wraps around",
                 poke<std::uint64_t>(at("offset blk.0.attn_v.weight"), ~0ull - 31),
                 {"tensor 'blk.0.attn_v.weight'",
                  "of F16 needs 1024 bytes at offset 18446744073709551584"}});
    c.push_back(
        {"tensors overlap",
         [=](std::string &b) {
             std::memcpy(b.data() + at("offset blk.0.ffn_up.weight"),
                         b.data() + at("offset blk.0.ffn_gate.weight"), 8);
         },
         {"tensors 'blk.0.ffn_gate.weight' and 'blk.0.ffn_up.weight' overlap (data bytes ["}});
    c.push_back({"Q8_0 data truncated",
                 [](std::string &b) { b.resize(b.size() - 10); },
                 {"tensor 'output.weight'", "shape [32, 32] of Q8_0 needs 1088 bytes at offset"}});
    c.push_back({"header truncated",
                 [=](std::string &b) { b.resize(at("offset output.weight") + 3); },
                 {"tensor 'output.weight'", "the file is truncated: the data offset at byte"}});
    return c;
}

std::vector<WeightCase> llama2cCases()
{
    // Header fields (int32): dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len.
    std::vector<WeightCase> c;
    c.push_back({"dim negative",
                 poke<std::int32_t>(0, -8),
                 {"config field dim = -8 is out of range (expected 1 to 16777216)"}});
    c.push_back(
        {"layers zero", poke<std::int32_t>(8, 0), {"config field n_layers = 0 is out of range"}});
    c.push_back({"seq_len huge",
                 poke<std::int32_t>(24, 1 << 30),
                 {"config field seq_len = 1073741824 is out of range"}});
    c.push_back({"vocab INT_MIN",
                 poke<std::int32_t>(20, std::numeric_limits<std::int32_t>::min()),
                 {"config field vocab_size = -2147483648 is out of range (expected 1 to 16777216, "
                  "negated for an "
                  "unshared classifier)"}});
    c.push_back({"heads do not split dim",
                 poke<std::int32_t>(12, 3),
                 {"dim 8 must split into n_heads 3 heads of an even size"}});
    c.push_back({"kv heads do not divide heads",
                 poke<std::int32_t>(16, 3),
                 {"n_heads 2 is not a multiple of n_kv_heads 3"}});
    c.push_back({"one float short",
                 [](std::string &b) { b.resize(b.size() - 4); },
                 {"unshared classifier) implies 7100 bytes but the file has 7096"}});
    c.push_back({"trailing bytes",
                 [](std::string &b) { b += "abcd"; },
                 {"implies 7100 bytes but the file has 7104"}});
    c.push_back({"shared flag flipped",
                 poke<std::int32_t>(20, 32),
                 {"vocab_size 32, seq_len 16, shared classifier) implies 6076 bytes but the file "
                  "has 7100"}});
    // Every field in range, but the implied size (about 2^77 bytes) is counted without wrapping
    // around.
    c.push_back({"implied size beyond 64 bits",
                 [](std::string &b) {
                     for (int i : {0, 1, 2, 6})
                         testing::pokeLe<std::int32_t>(b, static_cast<std::size_t>(i) * 4, 1 << 24);
                     testing::pokeLe<std::int32_t>(b, 12, 1 << 20);
                     testing::pokeLe<std::int32_t>(b, 16, 1 << 20);
                 },
                 {"dim 16777216", "implies 132226263772155315486748 bytes but the file has 7100"}});
    // A 28-byte file whose config implies 28 + 2^64 * k bytes: counted in 64 bits the size matched
    // and the loader viewed tensors far past the end of the mapping.
    c.push_back({"implied size wraps to the file's",
                 [](std::string &b) {
                     b.resize(28);
                     const std::int32_t config[7] = {1 << 24, 10922, 4196351, 1, 1, -1, 32765};
                     std::memcpy(b.data(), config, sizeof config);
                 },
                 {"implies 18907912675552290406428 bytes but the file has 28"}});
    c.push_back({"header truncated",
                 [](std::string &b) { b.resize(20); },
                 {"too short for a llama2.c header (28 bytes)"}});
    return c;
}

// Writes `bytes` as `name` in `dir`, loads it as a model and checks the error; also inspects it.
void expectRefused(const QTemporaryDir &dir, const std::string &name, const std::string &bytes,
                   const WeightCase &c)
{
    const std::string path = dir.path().toStdString() + "/" + name;
    testing::writeFileBytes(path, bytes);
    auto m = Model::load(path);
    QVERIFY2(!m.ok(), "a corrupt weight file loaded");
    const std::string &detail = m.error().detail;
    QVERIFY2(detail.find("'" + path + "'") != std::string::npos, detail.c_str());
    for (const char *s : c.mentions)
        QVERIFY2(detail.find(s) != std::string::npos,
                 (detail + "\n  expected to mention: " + s).c_str());
    QCOMPARE(m.error().code, c.code);
    // The torch-free inspection API refuses it the same way (or, shape-only, at least never
    // crashes).
    auto info = inspectWeights(path);
    QCOMPARE(info.ok(), !c.loaderRefuses);
    if (!info.ok())
        QCOMPARE(info.error().detail, detail);
    auto shapes = inspectWeights(path, false);
    if (!shapes.ok())
        QVERIFY2(shapes.error().detail.find(path) != std::string::npos,
                 shapes.error().detail.c_str());
}

} // namespace

class TestHostileModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!fs::exists(kModel / "config.json"))
            QSKIP("the bundled model is missing");
        QVERIFY(Model::load(kModel.string()).ok());
    }

    // Wrong-typed or out-of-range config values are errors naming the field (they used to be
    // replaced by defaults, or to reach torch as negative sizes).
    void badConfigValues_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value"); // JSON
        QTest::addColumn<QString>("message");
        QTest::newRow("head_dim string") << "head_dim"
                                         << "\"abc\""
                                         << "field 'head_dim' must be an integer, got \"abc\"";
        QTest::newRow("positions null")
            << "max_position_embeddings"
            << "null"
            << "field 'max_position_embeddings' must be an integer, got null";
        QTest::newRow("vocab 2^40") << "vocab_size"
                                    << "1099511627776"
                                    << "field 'vocab_size' must be an integer that fits in 32 bits";
        QTest::newRow("vocab too big") << "vocab_size"
                                       << "100000000"
                                       << "the vocabulary size (vocab_size) is 100000000";
        QTest::newRow("positions array")
            << "max_position_embeddings"
            << "[64]"
            << "field 'max_position_embeddings' must be an integer, got [64]";
        QTest::newRow("positions huge")
            << "max_position_embeddings"
            << "1099511627776"
            << "field 'max_position_embeddings' must be an integer that fits in 32 bits";
        QTest::newRow("intermediate 1e308")
            << "intermediate_size"
            << "1e308"
            << "field 'intermediate_size' must be an integer that fits in 32 bits";
        QTest::newRow("negative layers") << "num_hidden_layers"
                                         << "-3"
                                         << "hidden size / layers / heads";
        QTest::newRow("rope_theta string") << "rope_theta"
                                           << "\"big\""
                                           << "field 'rope_theta' must be a finite number";
        QTest::newRow("tie not bool") << "tie_word_embeddings"
                                      << "\"yes\""
                                      << "field 'tie_word_embeddings' must be true or false";
    }
    void badConfigValues()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string path = copyWithConfig(dir, [&](nlohmann::json &c) {
            c[field.toStdString()] = nlohmann::json::parse(value.toStdString());
        });
        auto m = Model::load(path);
        QVERIFY2(!m.ok(), "a broken config.json loaded");
        QVERIFY2(m.error().detail.find(message.toStdString()) != std::string::npos,
                 m.error().detail.c_str());
        QVERIFY2(m.error().detail.find("config.json") != std::string::npos,
                 m.error().detail.c_str());
        QCOMPARE(m.error().code, ErrorCode::FormatError);
    }

    // An untied model without its output projection is refused (it used to load tied to the
    // embeddings).
    void untiedModelNeedsLmHead()
    {
        QTemporaryDir dir;
        const std::string path =
            copyWithConfig(dir, [](nlohmann::json &c) { c["tie_word_embeddings"] = false; });
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QVERIFY2(m.error().detail.find("'lm_head.weight'") != std::string::npos,
                 m.error().detail.c_str());
    }

    // Non-finite weights are detected on load and the tensor is named (they used to score every
    // token NaN).
    void nanWeightsAreRefused_data()
    {
        QTest::addColumn<bool>("onlyLast");
        QTest::newRow("every element NaN") << false;
        QTest::newRow("the last element -inf") << true; // one bad value among finite ones
    }
    void nanWeightsAreRefused()
    {
        QFETCH(bool, onlyLast);
        QTemporaryDir dir;
        const std::string path = copyWithConfig(dir, [](nlohmann::json &) {});
        const fs::path file = fs::path(path) / "model.safetensors";
        std::string bytes = testing::readFileBytes(file);
        std::uint64_t n = 0;
        std::memcpy(&n, bytes.data(), 8);
        const auto header = nlohmann::json::parse(bytes.substr(8, n));
        const auto &t = header.at("model.norm.weight");
        const std::size_t begin = 8 + n + t.at("data_offsets")[0].get<std::size_t>();
        const std::size_t end = 8 + n + t.at("data_offsets")[1].get<std::size_t>();
        QCOMPARE(t.at("dtype").get<std::string>(), std::string("BF16"));
        for (std::size_t i = onlyLast ? end - 2 : begin; i + 1 < end; i += 2) {
            // bf16 quiet NaN 0x7FC0 or -inf 0xFF80, little-endian
            bytes[i] = static_cast<char>(onlyLast ? 0x80 : 0xC0);
            bytes[i + 1] = static_cast<char>(onlyLast ? 0xFF : 0x7F);
        }
        testing::writeFileBytes(file, bytes);
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QVERIFY2(m.error().detail.find("'model.norm.weight' holds NaN or infinite values") !=
                     std::string::npos,
                 m.error().detail.c_str());
    }

    // The CLI maps a malformed model to exit 1 (README's table) with the field in the message.
    void cliExitCodeForABadModel()
    {
        QTemporaryDir dir;
        const std::string path =
            copyWithConfig(dir, [](nlohmann::json &c) { c["head_dim"] = "abc"; });
        const cli_test::Run r = cli_test::terse({"compress", "--method", "dac", "--model",
                                                 QString::fromStdString(path), "--rate", "0.5"},
                                                "Some words to compress here.");
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("field 'head_dim' must be an integer"), qPrintable(r.err));
    }

    // An empty config.json is a damaged file (exit 1), not a missing one (it said "has no
    // config.json", exit 4).
    void emptyConfigIsDamagedNotMissing()
    {
        for (const char *text : {"", "  \n"}) {
            QTemporaryDir dir;
            const std::string path = copyWithConfig(dir, [](nlohmann::json &) {});
            testing::writeFileBytes(fs::path(path) / "config.json", text);
            auto m = Model::load(path);
            QVERIFY(!m.ok());
            QCOMPARE(m.error().code, ErrorCode::FormatError);
            QVERIFY2(m.error().detail.find("config.json' is empty") != std::string::npos,
                     m.error().detail.c_str());
            const cli_test::Run r =
                cli_test::terse({"score", "--model", QString::fromStdString(path), "--ids", "1,2"});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("is empty"), qPrintable(r.err));
        }
        // A folder named config.json read as an empty file.
        QTemporaryDir dir;
        const std::string path = copyWithConfig(dir, [](nlohmann::json &) {});
        fs::remove(fs::path(path) / "config.json");
        fs::create_directory(fs::path(path) / "config.json");
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::FormatError);
        QVERIFY2(m.error().detail.find("config.json' is a folder, not a file") != std::string::npos,
                 m.error().detail.c_str());
    }

    // The tiny files the weight-file cases below corrupt load as models and score.
    void tinyWeightFilesLoad()
    {
        QTemporaryDir dir;
        for (const auto &[name, bytes] :
             {std::pair<std::string, std::string>{"tiny.gguf", tinyGguf().bytes},
              {"tiny.bin", testing::tinyLlama2c()}}) {
            const std::string path = dir.path().toStdString() + "/" + name;
            testing::writeFileBytes(path, bytes);
            auto m = Model::load(path);
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().detail.c_str());
            QCOMPARE(m->info().vocabSize, 32);
            auto s = m->score({{1, 2, 3, 4}});
            QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
            QVERIFY(inspectWeights(path, false).ok());
        }
    }

    // safetensors: each header check on a copy of the bundled model, naming the file and the
    // tensor.
    void hostileSafetensors_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>(
            "message"); // {name} are the bundled file's values, filled in by the test
        const QStringList rows = {
            "unknown dtype|tensor 'model.norm.weight': unknown or unsupported dtype 'F8_E9M9'",
            "shape disagrees with bytes|tensor 'model.norm.weight': shape [{H+1}] of {dtype} needs "
            "{bytes(H+1)} bytes "
            "but data_offsets span {bytes(H)}",
            "offsets past the end|tensor 'model.norm.weight': data_offsets [{begin}, {D+2}] "
            "outside the data section of "
            "{D} bytes",
            "offsets reversed|tensor 'model.norm.weight': data_offsets [{end}, {begin}] outside "
            "the data section",
            "offsets overlap|tensors 'model.layers.0.input_layernorm.weight' and "
            "'model.norm.weight' overlap (bytes "
            "[{lnBegin}, {lnEnd}) and [{lnBegin}, {lnEnd}))",
            "negative dim|tensor 'model.norm.weight': shape [-{H}] has dimension 0 = -{H}, "
            "expected a non-negative integer",
            "dims overflow|tensor 'model.norm.weight': shape "
            "[1099511627776,1099511627776,1099511627776] is absurdly large",
            "bytes beyond 64 bits|tensor 'model.norm.weight': shape [2147483648,2147483648] of F64 "
            "needs "
            "36893488147419103232 bytes",
            "header length beyond the file|: safetensors header length",
            "header length over 100 MB|safetensors header of 209715200 bytes is implausibly large",
            "deep nesting|safetensors header at '__metadata__', 'x' nests deeper than 8 levels",
            "long shape array|safetensors header at 'model.norm.weight', 'shape' holds an array of "
            "more than 64 elements",
        };
        for (int i = 0; i < rows.size(); ++i)
            QTest::newRow(qPrintable(rows[i].section('|', 0, 0))) << i << rows[i].section('|', 1);
    }
    void hostileSafetensors()
    {
        QFETCH(int, row);
        QFETCH(QString, message);
        using nlohmann::json;
        const char *norm = "model.norm.weight";
        const char *ln = "model.layers.0.input_layernorm.weight";
        // The bundled model's own numbers (it is retrained from time to time).
        const std::string original = testing::readFileBytes(kModel / "model.safetensors");
        std::uint64_t n = 0;
        std::memcpy(&n, original.data(), 8);
        const json h0 = json::parse(original.substr(8, n));
        const std::string dtype = h0[norm]["dtype"].get<std::string>();
        const std::uint64_t elem = dtype == "F32" ? 4 : dtype == "F64" ? 8 : 2;
        const std::uint64_t hidden = h0[norm]["shape"][0].get<std::uint64_t>();
        const std::uint64_t begin = h0[norm]["data_offsets"][0], end = h0[norm]["data_offsets"][1];
        const std::uint64_t dataSize = original.size() - 8 - n;
        const std::map<QString, std::uint64_t> values = {{"{H}", hidden},
                                                         {"{H+1}", hidden + 1},
                                                         {"{bytes(H)}", hidden * elem},
                                                         {"{bytes(H+1)}", (hidden + 1) * elem},
                                                         {"{begin}", begin},
                                                         {"{end}", end},
                                                         {"{D}", dataSize},
                                                         {"{D+2}", dataSize + 2},
                                                         {"{lnBegin}", h0[ln]["data_offsets"][0]},
                                                         {"{lnEnd}", h0[ln]["data_offsets"][1]}};
        for (const auto &[k, v] : values)
            message.replace(k, QString::number(v));
        message.replace("{dtype}", QString::fromStdString(dtype));

        QTemporaryDir dir;
        const std::function<void(json &, std::string &)> edits[] = {
            [&](json &h, std::string &) { h[norm]["dtype"] = "F8_E9M9"; },
            [&](json &h, std::string &) { h[norm]["shape"] = {hidden + 1}; },
            [&](json &h, std::string &) { h[norm]["data_offsets"][1] = dataSize + 2; },
            [&](json &h, std::string &) {
                h[norm]["data_offsets"] = {end, begin};
            },
            [&](json &h, std::string &) { h[norm]["data_offsets"] = h[ln]["data_offsets"]; },
            [&](json &h, std::string &) {
                h[norm]["shape"] = {-static_cast<std::int64_t>(hidden)};
            },
            [&](json &h, std::string &) {
                h[norm]["shape"] = {1ull << 40, 1ull << 40, 1ull << 40};
            },
            [&](json &h, std::string &) {
                h[norm]["dtype"] = "F64";
                h[norm]["shape"] = {1ull << 31, 1ull << 31};
            },
            {}, // length fields are written below
            {},
            [&](json &h, std::string &) { h["__metadata__"]["x"] = "deep"; }, // made 100000 deep
            [&](json &h, std::string &) { h[norm]["shape"] = std::vector<int>(100, 1); },
        };
        std::string path;
        if (edits[row]) {
            path = copyWithSafetensors(dir, edits[row]);
        } else {
            path = copyWithSafetensors(dir, [](json &, std::string &) {});
            const fs::path file = fs::path(path) / "model.safetensors";
            std::string bytes = testing::readFileBytes(file);
            const std::uint64_t len = row == 8 ? bytes.size() : 200ull << 20;
            testing::pokeLe<std::uint64_t>(bytes, 0, len);
            testing::writeFileBytes(file, bytes);
            if (row == 9) // a sparse 300 MB file, so the header length fits in it
                fs::resize_file(file, 300ull << 20);
        }
        auto m = Model::load(path);
        QVERIFY2(!m.ok(), "a corrupt model.safetensors loaded");
        const std::string &detail = m.error().detail;
        QVERIFY2(detail.find(path + "/model.safetensors'") != std::string::npos, detail.c_str());
        QVERIFY2(detail.find(message.toStdString()) != std::string::npos,
                 (detail + "\n  expected to mention: " + message.toStdString()).c_str());
    }

    // GGUF: each bound on counts, lengths, types, dims, offsets and alignment, on a valid tiny
    // llama with one field overwritten. "head_count_kv zero" used to divide by zero (SIGFPE).
    void hostileGguf_data()
    {
        QTest::addColumn<int>("row");
        const auto cases = ggufCases();
        for (std::size_t i = 0; i < cases.size(); ++i)
            QTest::newRow(cases[i].name) << static_cast<int>(i);
    }
    void hostileGguf()
    {
        QFETCH(int, row);
        const WeightCase c = ggufCases()[static_cast<std::size_t>(row)];
        std::string bytes = tinyGguf().bytes;
        c.corrupt(bytes);
        QTemporaryDir dir;
        expectRefused(dir, "tiny.gguf", bytes, c);
    }

    // llama2.c: config values in range and consistent, the file exactly the size they imply.
    void hostileLlama2c_data()
    {
        QTest::addColumn<int>("row");
        const auto cases = llama2cCases();
        for (std::size_t i = 0; i < cases.size(); ++i)
            QTest::newRow(cases[i].name) << static_cast<int>(i);
    }
    void hostileLlama2c()
    {
        QFETCH(int, row);
        const WeightCase c = llama2cCases()[static_cast<std::size_t>(row)];
        std::string bytes = testing::tinyLlama2c();
        c.corrupt(bytes);
        QTemporaryDir dir;
        expectRefused(dir, "tiny.bin", bytes, c);
    }

    void validCopyStillLoads()
    {
        QTemporaryDir dir;
        // Fields HF configs leave null or give as lists keep their defaults.
        const std::string path = copyWithConfig(dir, [](nlohmann::json &c) {
            c["eos_token_id"] = nlohmann::json::array({0, 1});
            c["sliding_window"] = nullptr;
        });
        auto m = Model::load(path);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().detail.c_str());
    }
};

QTEST_GUILESS_MAIN(TestHostileModels)
#include "test_hostile_models.moc"
