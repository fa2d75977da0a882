// Issue 4: weight files. llama2.c (stories260K greedy decoding), hostile safetensors / GGUF files
// that must fail with a clear error (never a crash or a huge allocation), GGUF dequantisation,
// pickle refusal, the HuggingFace cache scan.
#include "terse/model.h"
#include "terse/weights.h"
#include "weight_file_builders.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

using namespace terse;

namespace {

const std::string kShared = TERSE_SHARED_DIR;

void writeFile(const std::string &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A safetensors file from a header JSON and a data section.
std::string safetensors(const std::string &header, const std::string &data,
                        std::uint64_t lengthOverride = 0)
{
    std::uint64_t n = lengthOverride ? lengthOverride : header.size();
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out + header + data;
}

template <typename T> void put(std::string &s, T v)
{
    s.append(reinterpret_cast<const char *>(&v), sizeof v);
}

void putStr(std::string &s, const std::string &v)
{
    put<std::uint64_t>(s, v.size());
    s += v;
}

// Minimal llama2.c tokenizer (tok512.bin) decoding, enough to read the generated story.
std::string decodeLlama2c(const std::string &tokPath, const std::vector<int> &ids)
{
    std::ifstream in(tokPath, std::ios::binary);
    std::int32_t maxLen = 0;
    in.read(reinterpret_cast<char *>(&maxLen), 4);
    std::vector<std::string> vocab;
    for (int i = 0; i < 512; ++i) {
        float score;
        std::int32_t len;
        in.read(reinterpret_cast<char *>(&score), 4);
        in.read(reinterpret_cast<char *>(&len), 4);
        std::string piece(static_cast<std::size_t>(len), '\0');
        in.read(piece.data(), len);
        vocab.push_back(piece);
    }
    std::string text;
    int prev = 1;
    for (int id : ids) {
        std::string piece = vocab.at(static_cast<std::size_t>(id));
        if (prev == 1 && !piece.empty() && piece[0] == ' ')
            piece.erase(0, 1); // run.c: strip the space after BOS
        if (piece.size() == 6 && piece.rfind("<0x", 0) == 0)
            piece = std::string(1, static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16)));
        text += piece;
        prev = id;
    }
    return text;
}

// One 256-element tensor of a quantised GGML type, packed the way ggml's quantize_row_*_ref packs
// it, and the values its blocks stand for (computed from the unpacked integers, not by a
// dequantiser).
struct Quantised {
    std::uint32_t type;
    std::string bytes;
    std::vector<float> values;
};

Quantised packQuantised(const std::string &type)
{
    std::mt19937 rng(7);
    auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const float d = 0.5f, dmin = 0.25f; // halves 0x3800, 0x3400
    Quantised q;
    q.values.resize(256);
    std::string &b = q.bytes;
    if (type == "Q4_1" || type == "Q5_0" || type == "Q5_1") {
        q.type = type == "Q4_1" ? 3 : type == "Q5_0" ? 6 : 7;
        const int bits = type == "Q4_1" ? 4 : 5;
        for (int blk = 0; blk < 8; ++blk) {
            int L[32];
            for (int &l : L)
                l = uniform(0, (1 << bits) - 1);
            put<std::uint16_t>(b, 0x3800);
            if (type != "Q5_0")
                put<std::uint16_t>(b, 0x3400);
            if (bits == 5) {
                std::uint32_t qh = 0;
                for (int j = 0; j < 16; ++j) {
                    qh |= static_cast<std::uint32_t>((L[j] & 0x10) >> 4) << (j + 0);
                    qh |= static_cast<std::uint32_t>((L[j + 16] & 0x10) >> 4) << (j + 16);
                }
                put<std::uint32_t>(b, qh);
            }
            for (int j = 0; j < 16; ++j)
                put<std::uint8_t>(
                    b, static_cast<std::uint8_t>((L[j] & 0xF) | ((L[j + 16] & 0xF) << 4)));
            for (int j = 0; j < 32; ++j)
                q.values[blk * 32 + j] =
                    type == "Q5_0" ? d * static_cast<float>(L[j] - 16) : d * L[j] + dmin;
        }
        return q;
    }
    if (type == "Q4_K" || type == "Q5_K") {
        const bool five = type == "Q5_K";
        q.type = five ? 13 : 12;
        int L[256], sc[8], mn[8];
        for (int &l : L)
            l = uniform(0, five ? 31 : 15);
        for (int j = 0; j < 8; ++j) {
            sc[j] = uniform(0, 63);
            mn[j] = uniform(0, 63);
        }
        std::uint8_t scales[12] = {};
        for (int j = 0; j < 8; ++j) {
            if (j < 4) {
                scales[j] = static_cast<std::uint8_t>(sc[j]);
                scales[j + 4] = static_cast<std::uint8_t>(mn[j]);
            } else {
                scales[j + 4] = static_cast<std::uint8_t>((sc[j] & 0xF) | ((mn[j] & 0xF) << 4));
                scales[j - 4] |= static_cast<std::uint8_t>((sc[j] >> 4) << 6);
                scales[j - 0] |= static_cast<std::uint8_t>((mn[j] >> 4) << 6);
            }
        }
        put<std::uint16_t>(b, 0x3800);
        put<std::uint16_t>(b, 0x3400);
        b.append(reinterpret_cast<const char *>(scales), 12);
        if (five) {
            std::uint8_t qh[32] = {}, ql[128];
            std::uint8_t m1 = 1, m2 = 2;
            for (int n = 0; n < 256; n += 64) {
                for (int j = 0; j < 32; ++j) {
                    int l1 = L[n + j], l2 = L[n + j + 32];
                    if (l1 > 15) {
                        l1 -= 16;
                        qh[j] |= m1;
                    }
                    if (l2 > 15) {
                        l2 -= 16;
                        qh[j] |= m2;
                    }
                    ql[n / 2 + j] = static_cast<std::uint8_t>(l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            b.append(reinterpret_cast<const char *>(qh), 32);
            b.append(reinterpret_cast<const char *>(ql), 128);
        } else {
            for (int j = 0; j < 256; j += 64)
                for (int l = 0; l < 32; ++l)
                    put<std::uint8_t>(b,
                                      static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4)));
        }
        for (int e = 0; e < 256; ++e)
            q.values[e] = d * sc[e / 32] * L[e] - dmin * mn[e / 32];
        return q;
    }
    // Q6_K
    q.type = 14;
    int L[256];
    std::int8_t sc[16];
    for (int &l : L)
        l = uniform(0, 63);
    for (auto &s : sc)
        s = static_cast<std::int8_t>(uniform(-60, 60));
    std::uint8_t ql[128], qh[64];
    for (int j = 0; j < 256; j += 128)
        for (int l = 0; l < 32; ++l) {
            const int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF,
                      q4 = L[j + l + 96] & 0xF;
            ql[j / 2 + l] = static_cast<std::uint8_t>(q1 | (q3 << 4));
            ql[j / 2 + l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
            qh[j / 4 + l] = static_cast<std::uint8_t>(
                (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) |
                ((L[j + l + 96] >> 4) << 6));
        }
    b.append(reinterpret_cast<const char *>(ql), 128);
    b.append(reinterpret_cast<const char *>(qh), 64);
    b.append(reinterpret_cast<const char *>(sc), 16);
    put<std::uint16_t>(b, 0x3800);
    for (int e = 0; e < 256; ++e)
        q.values[e] = d * sc[e / 16] * static_cast<float>(L[e] - 32);
    return q;
}

// A GGUF v3 file holding one tensor "t".
std::string ggufWithOne(std::uint32_t type, std::vector<std::uint64_t> ne, const std::string &data)
{
    std::string s;
    put<std::uint32_t>(s, 0x46554747u);
    put<std::uint32_t>(s, 3);
    put<std::uint64_t>(s, 1);
    put<std::uint64_t>(s, 0);
    putStr(s, "t");
    put<std::uint32_t>(s, static_cast<std::uint32_t>(ne.size()));
    for (auto n : ne)
        put<std::uint64_t>(s, n);
    put<std::uint32_t>(s, type);
    put<std::uint64_t>(s, 0);
    s.resize((s.size() + 31) / 32 * 32, '\0');
    return s + data;
}

} // namespace

class TestModelFiles : public QObject {
    Q_OBJECT
private slots:
    void stories260KGreedyFromBos()
    {
        const std::string dir = kShared + "/models/stories260K";
        if (!std::filesystem::exists(dir + "/stories260K.bin"))
            QSKIP("shared stories260K not found (TERSE_SHARED_DIR)");
        auto model = Model::load(dir + "/stories260K.bin");
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
        QCOMPARE(model->info().format, std::string("llama2c"));
        QCOMPARE(model->info().layers, 5);
        QCOMPARE(model->info().kvHeads, 4);
        QCOMPARE(model->info().vocabSize, 512);
        auto session = model->newSession();
        QVERIFY(session.ok());
        std::vector<int> out;
        auto step = session->append({1});
        QVERIFY(step.ok());
        for (int i = 0; i < 60; ++i) {
            const int next = step->greedyNext.back();
            out.push_back(next);
            step = session->append({next});
            QVERIFY(step.ok());
        }
        const std::string text = decodeLlama2c(dir + "/tok512.bin", out);
        qInfo("stories260K: %s", text.c_str());
        QVERIFY2(text.rfind("Once upon a time, there was a little girl named Lily. She loved to "
                            "play outside in the park",
                            0) == 0,
                 text.c_str());
        // The scorer agrees with the session on the same ids.
        std::vector<int> ids{1};
        ids.insert(ids.end(), out.begin(), out.begin() + 20);
        auto scored = model->score({ids});
        QVERIFY(scored.ok());
        QVERIFY(scored->sequences[0].surprisal[5] <
                2.0f); // a greedy continuation is not surprising
    }

    void hostileSafetensors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("mentions");
        const std::string good = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
        const std::string data16(16, '\1');
        auto row = [](const char *n, const std::string &b, const char *m) {
            QTest::newRow(n) << QByteArray(b.data(), static_cast<int>(b.size())) << QString(m);
        };
        row("tiny file", std::string("\x05\0\0", 3), "truncated");
        row("truncated data", safetensors(good, data16.substr(0, 8)), "'w'");
        row("header longer than file", safetensors(good, data16, 1u << 30),
            "exceeds the file size");
        row("bad json", safetensors(R"({"w":{"dtype":"F32",)", data16), "not valid JSON");
        row("offsets disagree with shape",
            safetensors(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})", data16),
            "'w'");
        row("offsets reversed",
            safetensors(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", data16),
            "'w'");
        row("overlap",
            safetensors(
                R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                data16),
            "overlap");
        row("absurd shape",
            safetensors(
                R"({"w":{"dtype":"F32","shape":[1000000000000,1000000000000],"data_offsets":[0,16]}})",
                data16),
            "absurd");
        row("negative dim",
            safetensors(R"({"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", data16),
            "'w'");
        row("unknown dtype",
            safetensors(R"({"w":{"dtype":"F8_E9M9","shape":[16],"data_offsets":[0,16]}})", data16),
            "F8_E9M9");
        row("not an object", safetensors(R"([1,2,3])", data16), "not a JSON object");
    }

    void hostileSafetensors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/model.safetensors";
        writeFile(path, bytes.toStdString());
        auto r = inspectWeights(path);
        QVERIFY(!r.ok());
        const QString detail = QString::fromStdString(r.error().detail);
        QVERIFY2(detail.contains("model.safetensors"), qPrintable(detail));
        QVERIFY2(detail.contains(mentions), qPrintable(detail));
        // The model loader reports the same error instead of crashing.
        writeFile(dir.path().toStdString() + "/config.json", R"({"model_type":"gpt2"})");
        auto m = Model::load(dir.path().toStdString());
        QVERIFY(!m.ok());
    }

    void validSafetensorsRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/t.safetensors";
        std::string data;
        for (float f : {1.0f, -2.0f, 3.5f, 0.25f})
            put(data, f);
        put<std::uint16_t>(data, 0x3F80); // bf16 1.0
        put<std::uint16_t>(data, 0xC000); // bf16 -2.0
        writeFile(
            path,
            safetensors(
                R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]}})",
                data));
        auto info = inspectWeights(path);
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().toString().c_str());
        QCOMPARE(info->tensors.size(), std::size_t(2));
        QCOMPARE(info->tensors[1].dtype, std::string("BF16"));
        QCOMPARE(info->metadata.at("format").text, std::string("pt"));
        auto a = readTensorAsFloat(path, "a");
        QVERIFY(a.ok());
        QCOMPARE(*a, (std::vector<float>{1.0f, -2.0f, 3.5f, 0.25f}));
        auto b = readTensorAsFloat(path, "b");
        QCOMPARE(*b, (std::vector<float>{1.0f, -2.0f}));
        QCOMPARE(readTensorAsFloat(path, "zzz").error().code, ErrorCode::NotFound);
    }

    void ggufDequantisation()
    {
        // Hand-built GGUF v3: F32, F16, Q8_0, Q4_0 (blocks computed here), a 2-D Q8_0 and metadata
        // arrays.
        std::string s;
        put<std::uint32_t>(s, 0x46554747u);
        put<std::uint32_t>(s, 3);
        put<std::uint64_t>(s, 5); // tensors
        put<std::uint64_t>(s, 3); // key/values
        putStr(s, "general.architecture");
        put<std::uint32_t>(s, 8);
        putStr(s, "testarch");
        putStr(s, "tokenizer.ggml.tokens");
        put<std::uint32_t>(s, 9);
        put<std::uint32_t>(s, 8);
        put<std::uint64_t>(s, 2);
        putStr(s, "<s>");
        putStr(s, "hello");
        putStr(s, "test.scale");
        put<std::uint32_t>(s, 6);
        put<float>(s, 1.5f);
        struct T {
            const char *name;
            std::vector<std::uint64_t> ne;
            std::uint32_t type;
            std::string data;
        };
        std::vector<T> tensors;
        std::string f32, f16, q8, q4, q8m;
        for (float f : {1.0f, 2.0f, -3.0f, 0.5f})
            put(f32, f);
        for (std::uint16_t h : {0x3C00, 0xC000, 0x3800, 0x7BFF})
            put(f16, h);
        put<std::uint16_t>(q8, 0x3800); // d = 0.5
        for (int j = 0; j < 32; ++j)
            put<std::int8_t>(q8, static_cast<std::int8_t>(j - 16));
        put<std::uint16_t>(q4, 0x3400); // d = 0.25
        for (int j = 0; j < 16; ++j)
            put<std::uint8_t>(q4, static_cast<std::uint8_t>((j & 0xF) | ((15 - j) << 4)));
        q8m = q8 + q8;
        tensors.push_back({"f32", {4}, 0, f32});
        tensors.push_back({"f16", {4}, 1, f16});
        tensors.push_back({"q8", {32}, 8, q8});
        tensors.push_back({"q4", {32}, 2, q4});
        tensors.push_back({"q8m", {32, 2}, 8, q8m});
        std::uint64_t offset = 0;
        std::vector<std::uint64_t> offsets;
        for (const auto &t : tensors) {
            putStr(s, t.name);
            put<std::uint32_t>(s, static_cast<std::uint32_t>(t.ne.size()));
            for (auto n : t.ne)
                put<std::uint64_t>(s, n);
            put<std::uint32_t>(s, t.type);
            put<std::uint64_t>(s, offset);
            offsets.push_back(offset);
            offset += (t.data.size() + 31) / 32 * 32;
        }
        const std::string headerOnly = s;
        s.resize((s.size() + 31) / 32 * 32, '\0');
        for (const auto &t : tensors) {
            s += t.data;
            s.resize((s.size() + 31) / 32 * 32, '\0');
        }
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/tiny.gguf";
        writeFile(path, s);
        auto info = inspectWeights(path);
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().toString().c_str());
        QCOMPARE(info->format, std::string("gguf"));
        QCOMPARE(info->metadata.at("tokenizer.ggml.tokens").strings,
                 (std::vector<std::string>{"<s>", "hello"}));
        QCOMPARE(info->metadata.at("test.scale").number, 1.5);
        auto shapes = inspectWeights(path, false); // header only: nothing dequantised
        QVERIFY(shapes.ok());
        QCOMPARE(shapes->tensors.size(), info->tensors.size());
        QCOMPARE(shapes->tensors.back().shape, info->tensors.back().shape);
        QCOMPARE(shapes->metadata.at("tokenizer.ggml.tokens").strings.size(), std::size_t(2));
        QCOMPARE(readTensorAsFloat(path, "f32").value(),
                 (std::vector<float>{1.0f, 2.0f, -3.0f, 0.5f}));
        QCOMPARE(readTensorAsFloat(path, "f16").value(),
                 (std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f}));
        std::vector<float> q8want, q4want(32);
        for (int j = 0; j < 32; ++j)
            q8want.push_back(0.5f * static_cast<float>(j - 16));
        for (int j = 0; j < 16; ++j) {
            q4want[j] = 0.25f * static_cast<float>((j & 0xF) - 8);
            q4want[j + 16] = 0.25f * static_cast<float>((15 - j) - 8);
        }
        QCOMPARE(readTensorAsFloat(path, "q8").value(), q8want);
        QCOMPARE(readTensorAsFloat(path, "q4").value(), q4want);
        for (const auto &t : info->tensors)
            if (t.name == "q8m") {
                QCOMPARE(t.shape, (std::vector<std::int64_t>{2, 32})); // ggml ne is innermost-first
                QCOMPARE(t.dtype, std::string("Q8_0"));
            }

        // Unknown tensor type: a clear Unsupported error naming the tensor.
        std::string bad = s;
        const std::size_t typeAt = headerOnly.find("q4") + 2 + 4 + 8;
        std::uint32_t unknown = 99;
        std::memcpy(bad.data() + typeAt, &unknown, 4);
        writeFile(path, bad);
        auto r = inspectWeights(path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Unsupported);
        QVERIFY2(QString::fromStdString(r.error().detail).contains("'q4'"),
                 r.error().detail.c_str());
        // Truncated file.
        writeFile(path, s.substr(0, s.size() - 40));
        r = inspectWeights(path);
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().detail).contains("tiny.gguf"),
                 r.error().detail.c_str());
        writeFile(path, s.substr(0, 30));
        QVERIFY(!inspectWeights(path).ok());
    }

    void ggufQuantisedBlocks_data()
    {
        QTest::addColumn<QString>("type");
        for (const char *t : {"Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
            QTest::newRow(t) << QString(t);
    }

    void ggufQuantisedBlocks()
    {
        QFETCH(QString, type);
        const Quantised q = packQuantised(type.toStdString());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/q.gguf";
        const bool superBlock = type.endsWith("_K"); // K-quants pack 256 values per block
        writeFile(path, ggufWithOne(q.type,
                                    superBlock ? std::vector<std::uint64_t>{256, 1}
                                               : std::vector<std::uint64_t>{128, 2},
                                    q.bytes));
        auto got = readTensorAsFloat(path, "t");
        QVERIFY2(got.ok(), got.ok() ? "" : got.error().toString().c_str());
        QCOMPARE(got->size(), q.values.size());
        for (std::size_t i = 0; i < q.values.size(); ++i)
            QVERIFY2(
                std::fabs((*got)[i] - q.values[i]) <=
                    1e-5f * std::max(1.0f, std::fabs(q.values[i])),
                qPrintable(QString("element %1: %2 vs %3").arg(i).arg((*got)[i]).arg(q.values[i])));
        // A row length that is not a whole number of blocks is refused, naming the tensor.
        writeFile(path, ggufWithOne(q.type, {16, 16}, q.bytes));
        auto bad = inspectWeights(path);
        QVERIFY(!bad.ok());
        QVERIFY2(QString::fromStdString(bad.error().detail).contains("'t'"),
                 bad.error().detail.c_str());
    }

    void picklesAreRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("pytorch_model.bin zip")
            << "pytorch_model.bin" << QByteArray("PK\x03\x04rest", 8);
        QTest::newRow("raw pickle .bin") << "weights.bin" << QByteArray("\x80\x02}q\x00.", 6);
        QTest::newRow(".pt") << "model.pt" << QByteArray("PK\x03\x04", 4);
        QTest::newRow(".pth") << "model.pth" << QByteArray("anything");
    }

    void picklesAreRefused()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/" + name.toStdString();
        writeFile(path, bytes.toStdString());
        for (const std::string &target : {path, dir.path().toStdString()}) {
            auto m = Model::load(target);
            QVERIFY(!m.ok());
            QCOMPARE(m.error().code, ErrorCode::Unsupported);
            const QString detail = QString::fromStdString(m.error().detail);
            QVERIFY2(detail.contains("execute") && detail.contains("safetensors"),
                     qPrintable(detail));
        }
    }

    void badLlama2cHeader()
    {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/model.bin";
        std::string s;
        for (std::int32_t v : {64, 172, 5, 8, 4, 512, 512})
            put(s, v);
        s += std::string(100, '\0');
        writeFile(path, s);
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QVERIFY2(QString::fromStdString(m.error().detail).contains("bytes"),
                 m.error().detail.c_str());
    }

    void scansHuggingFaceCache()
    {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        const auto snap = root / "models--org--tiny-model" / "snapshots" / "abc123";
        std::filesystem::create_directories(snap);
        writeFile((snap / "config.json").string(), R"({"model_type":"llama"})");
        writeFile((snap / "model.safetensors").string(), "");
        const auto pick = root / "models--other--old" / "snapshots" / "def";
        std::filesystem::create_directories(pick);
        writeFile((pick / "config.json").string(), R"({"model_type":"gpt2"})");
        writeFile((pick / "pytorch_model.bin").string(), "PK");
        std::filesystem::create_directories(root / "datasets--x--y" / "snapshots" / "1");
        // A GGUF repository: no config.json, one entry per .gguf file (a broken one is listed too:
        // loading it says what is wrong).
        const auto ggufRepo = root / "models--org--tiny-GGUF" / "snapshots" / "f00";
        std::filesystem::create_directories(ggufRepo);
        writeFile((ggufRepo / "tiny.Q8_0.gguf").string(), testing::tinyLlamaGguf().bytes);
        writeFile((ggufRepo / "tiny.broken.gguf").string(), "GGUF");
        writeFile((ggufRepo / "README.md").string(), "# tiny");
        auto found = scanHuggingFaceCache(root.string());
        QVERIFY(found.ok());
        QCOMPARE(found->size(), std::size_t(4));
        QCOMPARE((*found)[0].repoId, std::string("org/tiny-GGUF")); // 'G' sorts before 'm'
        QVERIFY((*found)[0].gguf && (*found)[1].gguf && !(*found)[2].gguf);
        QCOMPARE((*found)[0].path, (ggufRepo / "tiny.Q8_0.gguf").string());
        QCOMPARE((*found)[0].modelType, std::string("llama"));
        QVERIFY((*found)[0].hasSafetensors);
        QCOMPARE((*found)[1].path, (ggufRepo / "tiny.broken.gguf").string());
        QCOMPARE((*found)[1].modelType, std::string());
        found->erase(found->begin(), found->begin() + 2);
        QCOMPARE((*found)[0].repoId, std::string("org/tiny-model"));
        QCOMPARE((*found)[0].revision, std::string("abc123"));
        QCOMPARE((*found)[0].modelType, std::string("llama"));
        QVERIFY((*found)[0].hasSafetensors);
        QCOMPARE((*found)[1].repoId, std::string("other/old"));
        QVERIFY((*found)[1].hasPickleOnly);
        auto none = scanHuggingFaceCache((root / "missing").string());
        QVERIFY(none.ok() && none->empty());
    }
};

QTEST_GUILESS_MAIN(TestModelFiles)
#include "test_model_files.moc"
