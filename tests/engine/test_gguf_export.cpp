// GGUF files with their tokenizer inside, and `terse export` (exportGguf):
// - a GGUF whose tokenizer keys this test writes itself from a tokenizer.json (gguf.md's layout)
//   tokenizes every tokvec string with the ids of that tokenizer.json (which
//   test_tokenizer_vectors holds to the shared vectors);
// - a tokenizer described for GGUF and rebuilt gives the same ids (terse-lm, SmolLM2, GPT-2,
//   llama2.c);
// - exported models (llama with GQA, Llama 3 with rope scaling and tied embeddings, qwen2 with
//   biases, terse-lm) score like the originals (F32 exactly, Q8_0 within 0.05 nats on average),
//   Q8_0 blocks follow ggml's quantize_row_q8_0_ref, and the exported stories260K still tells the
//   reference story through its embedded tokenizer;
// - hostile tokenizer keys and models a GGUF cannot hold are refused by name.
#include "core/engine_error.h"
#include "terse/model.h"
#include "terse/tokenizer.h"
#include "terse/weights.h"
#include "text/gguf_vocab.h"
#include "weight_file_builders.h"

#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <fstream>

using namespace terse;
using namespace terse::testing;

namespace {

const std::string kShared = TERSE_SHARED_DIR;

void writeBytes(const std::string &path, const std::string &bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

GgufKv ggufStrings(const std::string &key, const std::vector<std::string> &v)
{
    std::string p;
    putLe<std::uint32_t>(p, 8);
    putLe<std::uint64_t>(p, v.size());
    for (const auto &s : v)
        putGgufString(p, s);
    return {key, 9, p};
}

GgufKv ggufI32s(const std::string &key, const std::vector<std::int32_t> &v)
{
    std::string p;
    putLe<std::uint32_t>(p, 5);
    putLe<std::uint64_t>(p, v.size());
    for (auto x : v)
        putLe(p, x);
    return {key, 9, p};
}

GgufKv ggufBool(const std::string &key, bool v)
{
    return {key, 7, std::string(1, v ? '\1' : '\0')};
}

// The tokenizer keys of a byte-level BPE tokenizer.json, as gguf.md lays them out (written here,
// independently of the engine's writer).
std::vector<GgufKv> tokenizerKeys(const QString &tokenizerJson, const std::string &pre)
{
    QFile f(tokenizerJson);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject model = j.value("model").toObject();
    std::map<int, std::pair<std::string, int>> byId; // id -> token, type
    const QJsonObject vocab = model.value("vocab").toObject();
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        byId[it.value().toInt()] = {it.key().toStdString(), 1};
    for (const auto &a : j.value("added_tokens").toArray()) {
        const QJsonObject t = a.toObject();
        byId[t.value("id").toInt()] = {t.value("content").toString().toStdString(),
                                       t.value("special").toBool() ? 3 : 4};
    }
    std::vector<std::string> tokens;
    std::vector<std::int32_t> types;
    for (const auto &[id, t] : byId) {
        if (id != static_cast<int>(tokens.size()))
            return {};
        tokens.push_back(t.first);
        types.push_back(t.second);
    }
    std::vector<std::string> merges;
    for (const auto &m : model.value("merges").toArray())
        merges.push_back(
            m.isString()
                ? m.toString().toStdString()
                : (m.toArray()[0].toString() + " " + m.toArray()[1].toString()).toStdString());
    return {ggufString("tokenizer.ggml.model", "gpt2"), ggufString("tokenizer.ggml.pre", pre),
            ggufStrings("tokenizer.ggml.tokens", tokens),
            ggufI32s("tokenizer.ggml.token_type", types),
            ggufStrings("tokenizer.ggml.merges", merges)};
}

// A described vocabulary as GGUF keys (the writer's layout, spelled out here).
std::vector<GgufKv> keysOf(const text::GgufVocab &v)
{
    std::vector<GgufKv> k = {ggufString("tokenizer.ggml.model", v.model),
                             ggufStrings("tokenizer.ggml.tokens", v.tokens),
                             ggufI32s("tokenizer.ggml.token_type", v.types),
                             ggufBool("tokenizer.ggml.add_bos_token", v.addBos)};
    if (v.model == "gpt2") {
        k.push_back(ggufString("tokenizer.ggml.pre", v.pre));
        k.push_back(ggufStrings("tokenizer.ggml.merges", v.merges));
    } else {
        std::string p;
        putLe<std::uint32_t>(p, 6);
        putLe<std::uint64_t>(p, v.scores.size());
        for (float x : v.scores)
            putLe(p, x);
        k.push_back({"tokenizer.ggml.scores", 9, p});
        k.push_back(ggufBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix));
    }
    const std::pair<const char *, std::int32_t> ids[] = {
        {"tokenizer.ggml.bos_token_id", v.bos},
        {"tokenizer.ggml.eos_token_id", v.eos},
        {"tokenizer.ggml.unknown_token_id", v.unk}};
    for (const auto &[key, id] : ids)
        if (id >= 0)
            k.push_back(ggufU32(key, static_cast<std::uint32_t>(id)));
    return k;
}

// The texts of a tokvec file.
std::vector<std::string> tokvecTexts(const std::string &name)
{
    std::vector<std::string> out;
    QFile f(QString::fromStdString(kShared + "/tokvec/" + name + ".jsonl"));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        if (!line.trimmed().isEmpty())
            out.push_back(
                QJsonDocument::fromJson(line).object().value("text").toString().toStdString());
    }
    return out;
}

// Counts the texts that `a` and `b` encode differently (and errors), naming the first.
int differences(const Tokenizer &a, const Tokenizer &b, const std::vector<std::string> &texts,
                QString &first)
{
    int bad = 0;
    for (const auto &t : texts) {
        auto x = a.encode(t, true), y = b.encode(t, true);
        if (!x || !y || x->ids != y->ids) {
            if (!bad)
                first = QString::fromStdString(t.substr(0, 60));
            ++bad;
        }
    }
    return bad;
}

QString msg(const Error &e)
{
    return QString::fromStdString(e.toString());
}

} // namespace

class TestGgufExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kShared + "/tokvec/cases.json"))
            QSKIP("shared data (TERSE_SHARED_DIR) is absent: GGUF export tests skipped");
    }

    void embeddedTokenizerMatchesTokenizerJson_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("pre");
        QTest::addColumn<QString>("texts");
        QTest::newRow("gpt2") << QString::fromStdString(kShared + "/tokvec/gpt2.tokenizer.json")
                              << "gpt-2"
                              << "gpt2";
        QTest::newRow("smollm2") << QString::fromStdString(
                                        kShared +
                                        "/models/tokenizers/smollm2-135m-instruct/tokenizer.json")
                                 << "smollm"
                                 << "smollm2";
    }

    void embeddedTokenizerMatchesTokenizerJson()
    {
        QFETCH(QString, json);
        QFETCH(QString, pre);
        QFETCH(QString, texts);
        QTemporaryDir dir;
        const auto keys = tokenizerKeys(json, pre.toStdString());
        QVERIFY(!keys.empty());
        const std::string path = dir.path().toStdString() + "/vocab.gguf";
        writeBytes(path, writeGguf(keys, {}).bytes);
        auto gguf = Tokenizer::load(path);
        QVERIFY2(gguf.ok(), gguf.ok() ? "" : gguf.error().toString().c_str());
        auto original = Tokenizer::load(json.toStdString());
        QVERIFY(original.ok());
        QCOMPARE(gguf->vocabSize(), original->vocabSize());
        const auto all = tokvecTexts(texts.toStdString());
        QVERIFY(all.size() > 300);
        QString first;
        const int bad = differences(*gguf, *original, all, first);
        QVERIFY2(
            bad == 0,
            qPrintable(
                QString("%1 of %2 texts differ, first: %3").arg(bad).arg(all.size()).arg(first)));
        // Decoding gives the text back (byte-level).
        auto enc = gguf->encode("Hello world, it's 2026!");
        QVERIFY(enc.ok());
        QCOMPARE(*gguf->decode(enc->ids), std::string("Hello world, it's 2026!"));
    }

    void describedTokenizerRoundTrip_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("pre");
        QTest::newRow("terse-lm") << QString(TERSE_SOURCE_DIR "/resources/models/terse-lm")
                                  << "gpt2"
                                  << "gpt-2";
        QTest::newRow("smollm2") << QString::fromStdString(
                                        kShared + "/models/tokenizers/smollm2-135m-instruct")
                                 << "gpt2"
                                 << "smollm";
        QTest::newRow("gpt2") << QString::fromStdString(kShared + "/tokvec/gpt2.tokenizer.json")
                              << "gpt2"
                              << "gpt-2";
        QTest::newRow("llama2.c") << QString::fromStdString(kShared +
                                                            "/models/stories260K/tok512.bin")
                                  << "llama"
                                  << "";
    }

    void describedTokenizerRoundTrip()
    {
        QFETCH(QString, path);
        QFETCH(QString, model);
        QFETCH(QString, pre);
        text::GgufVocab v;
        try {
            v = text::describeTokenizerForGguf(path.toStdString());
        } catch (const detail::EngineError &e) {
            QFAIL(e.detail.c_str());
        }
        QCOMPARE(QString::fromStdString(v.model), model);
        QCOMPARE(QString::fromStdString(v.pre), pre);
        QTemporaryDir dir;
        const std::string file = dir.path().toStdString() + "/described.gguf";
        writeBytes(file, writeGguf(keysOf(v), {}).bytes);
        auto rebuilt = Tokenizer::load(file);
        QVERIFY2(rebuilt.ok(), rebuilt.ok() ? "" : rebuilt.error().toString().c_str());
        auto original = Tokenizer::load(path.toStdString());
        QVERIFY(original.ok());
        auto texts = tokvecTexts("gpt2");
        texts.push_back("  two spaces, a\ttab and a\nnewline  ");
        QString first;
        const int bad = differences(*rebuilt, *original, texts, first);
        QVERIFY2(bad == 0, qPrintable(QString("%1 texts differ, first: %2").arg(bad).arg(first)));
    }

    void exportedOracleScoresLikeTheOriginal_data()
    {
        QTest::addColumn<QString>("oracle");
        QTest::newRow("llama_gqa") << "llama_gqa";
        QTest::newRow("llama3_tied (rope scaling)") << "llama3_tied";
        QTest::newRow("terse-lm (tied, with its tokenizer)") << "terse-lm";
        QTest::newRow("qwen2 (biases)") << "qwen2";
    }

    void exportedOracleScoresLikeTheOriginal()
    {
        QFETCH(QString, oracle);
        const std::string src = oracle == "terse-lm"
                                    ? std::string(TERSE_SOURCE_DIR "/resources/models/terse-lm")
                                    : kShared + "/oracle/" + oracle.toStdString();
        if (!std::filesystem::exists(src + "/model.safetensors"))
            QSKIP("oracle model absent");
        QTemporaryDir dir;
        auto original = Model::load(src);
        QVERIFY2(original.ok(), original.ok() ? "" : original.error().toString().c_str());
        const int vocab = original->info().vocabSize;
        std::vector<int> ids;
        for (int i = 0; i < 40; ++i)
            ids.push_back((i * 37 + 11) % vocab);
        auto want = original->score({ids});
        QVERIFY(want.ok());
        for (const char *type : {"f32", "q8_0"}) {
            GgufExportOptions o;
            o.model = src;
            o.out = dir.path().toStdString() + "/" + type + ".gguf";
            o.type = type;
            o.withTokenizer = oracle == "terse-lm"; // the oracle folders carry no tokenizer
            auto r = exportGguf(o);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            QCOMPARE(QString::fromStdString(r->architecture),
                     oracle == "qwen2" ? QString("qwen2") : QString("llama"));
            QCOMPARE(r->bytes, std::filesystem::file_size(o.out));
            QVERIFY(!std::filesystem::exists(o.out + ".part"));
            auto exported = Model::load(o.out);
            QVERIFY2(exported.ok(), exported.ok() ? "" : exported.error().toString().c_str());
            auto got = exported->score({ids});
            QVERIFY(got.ok());
            double maxDiff = 0, sumDiff = 0;
            const auto &g = got->sequences[0], &w = want->sequences[0];
            // The first token has no surprisal (NaN in both); every other score is compared.
            QVERIFY(std::isnan(g.surprisal[0]) && std::isnan(w.surprisal[0]));
            for (std::size_t i = 1; i < ids.size(); ++i)
                for (const double d : {std::fabs(g.surprisal[i] - w.surprisal[i]),
                                       std::fabs(g.entropy[i] - w.entropy[i])}) {
                    maxDiff = std::max(maxDiff, d);
                    sumDiff += d;
                }
            const double meanDiff = sumDiff / (2.0 * static_cast<double>(ids.size() - 1));
            QVERIFY(std::isfinite(sumDiff));
            qInfo("%s %s: surprisal and entropy differ by %.2e nats on average, %.2e at most",
                  qPrintable(oracle), type, meanDiff, maxDiff);
            // Q8_0 moves each weight by at most half a step (max|x| / 254 in its block of 32): on
            // these 40 arbitrary ids that is 0.007-0.025 nats on average, up to 0.18 on one token.
            if (std::string(type) == "f32")
                QVERIFY2(maxDiff < 1e-4, qPrintable(QString::number(maxDiff)));
            else
                QVERIFY2(meanDiff < 0.05 && maxDiff < 0.3,
                         qPrintable(QString("%1 / %2").arg(meanDiff).arg(maxDiff)));
        }
    }

    // ggml's quantize_row_q8_0_ref, written out here: d = max|x| / 127 rounded to f16, q = round(x
    // / d) with the unrounded d; the loader gives back q * f16(d).
    void q8_0FollowsGgml()
    {
        const std::string src = kShared + "/oracle/llama_gqa";
        if (!std::filesystem::exists(src + "/model.safetensors"))
            QSKIP("oracle model absent");
        QTemporaryDir dir;
        GgufExportOptions o;
        o.model = src;
        o.out = dir.path().toStdString() + "/q.gguf";
        o.withTokenizer = false;
        QVERIFY(exportGguf(o).ok());
        const std::string name = "model.layers.0.mlp.up_proj.weight"; // not permuted
        auto x = readTensorAsFloat(src + "/model.safetensors", name);
        auto y = readTensorAsFloat(o.out, name);
        QVERIFY(x.ok() && y.ok());
        QCOMPARE(x->size(), y->size());
        auto half = [](float f) { // round to nearest even f16 (normal range), back to float
            std::uint32_t b;
            std::memcpy(&b, &f, 4);
            const std::uint32_t lsb = (b >> 13) & 1;
            b = (b + 0xFFF + lsb) & ~0x1FFFu;
            float r;
            std::memcpy(&r, &b, 4);
            return r;
        };
        int wrong = 0;
        for (std::size_t blk = 0; blk < x->size() / 32; ++blk) {
            float amax = 0;
            for (int j = 0; j < 32; ++j)
                amax = std::max(amax, std::fabs((*x)[blk * 32 + j]));
            const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
            for (int j = 0; j < 32; ++j) {
                const float want =
                    static_cast<float>(std::lround((*x)[blk * 32 + j] * id)) * half(d);
                if ((*y)[blk * 32 + j] != want)
                    ++wrong;
            }
        }
        QCOMPARE(wrong, 0);
    }

    void storiesFromGgufWithItsTokenizer()
    {
        const std::string dir = kShared + "/models/stories260K";
        if (!std::filesystem::exists(dir + "/stories260K.bin"))
            QSKIP("shared stories260K not found");
        QTemporaryDir tmp;
        GgufExportOptions o;
        o.model = dir + "/stories260K.bin";
        o.out = tmp.path().toStdString() + "/stories.gguf";
        o.type = "f32";
        auto r = exportGguf(o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(QString::fromStdString(r->tokenizerModel), QString("llama"));
        // Nothing beside the file: its own tokenizer is the one found.
        QCOMPARE(Tokenizer::pathForModel(o.out), o.out);
        auto tok = Tokenizer::forModel(o.out);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        auto model = Model::load(o.out);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
        auto session = model->newSession();
        QVERIFY(session.ok());
        std::vector<std::int32_t> out;
        auto step = session->append({1});
        QVERIFY(step.ok());
        for (int i = 0; i < 40; ++i) {
            const int next = step->greedyNext.back();
            out.push_back(next);
            step = session->append({next});
            QVERIFY(step.ok());
        }
        auto text = tok->decode(out);
        QVERIFY(text.ok());
        QVERIFY2(text->rfind("Once upon a time, there was a little girl named Lily.", 0) == 0,
                 text->c_str());
        // The GGUF's tokenizer encodes the story as llama2.c's own does.
        auto own = Tokenizer::load(dir + "/tok512.bin");
        QVERIFY(own.ok());
        QCOMPARE(tok->encode(*text, true)->ids, own->encode(*text, true)->ids);
    }

    void exportRefusals()
    {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/x.gguf";
        auto run = [&](GgufExportOptions o) {
            if (o.out.empty())
                o.out = out;
            return exportGguf(o);
        };
        struct Case {
            const char *name;
            GgufExportOptions o;
            ErrorCode code;
            const char *says;
        };
        const std::vector<Case> cases = {
            {"missing model", {kShared + "/oracle/nope"}, ErrorCode::NotFound, "not found"},
            {"gpt2",
             {kShared + "/oracle/gpt2", {}, "q8_0", {}, false},
             ErrorCode::Unsupported,
             "'gpt2' model"},
            {"tagger",
             {TERSE_SOURCE_DIR "/resources/models/terse-tagger"},
             ErrorCode::Unsupported,
             "token classifier"},
            {"type",
             {kShared + "/oracle/llama_gqa", {}, "q4_k"},
             ErrorCode::InvalidArgument,
             "q4_k"},
            {"out folder",
             {kShared + "/oracle/llama_gqa",
              dir.path().toStdString() + "/no/x.gguf",
              "q8_0",
              {},
              false},
             ErrorCode::NotFound,
             "does not exist"},
            {"out is a folder",
             {kShared + "/oracle/llama_gqa", dir.path().toStdString(), "q8_0", {}, false},
             ErrorCode::InvalidArgument,
             "is a folder"},
            {"wordpiece tokenizer",
             {kShared + "/oracle/llama_gqa",
              {},
              "q8_0",
              kShared + "/models/tokenizers/all-MiniLM-L6-v2/tokenizer.json"},
             ErrorCode::Unsupported,
             "not BPE"},
            {"tokenizer larger than the model",
             {kShared + "/oracle/llama_gqa", {}, "q8_0", kShared + "/tokvec/gpt2.tokenizer.json"},
             ErrorCode::FormatError,
             "embedding rows"},
        };
        for (const auto &c : cases) {
            auto r = run(c.o);
            QVERIFY2(!r.ok(), c.name);
            QVERIFY2(r.error().code == c.code, qPrintable(QString(c.name) + ": " + msg(r.error())));
            QVERIFY2(msg(r.error()).contains(c.says),
                     qPrintable(QString(c.name) + ": " + msg(r.error())));
            QVERIFY(!std::filesystem::exists(out));
        }
    }

    // A NaN weight is refused naming the tensor, and neither the file nor its .part is left.
    void nanWeightRefused()
    {
        const std::string src = kShared + "/oracle/llama_gqa";
        if (!std::filesystem::exists(src + "/model.safetensors"))
            QSKIP("oracle model absent");
        QTemporaryDir dir;
        const QString model = dir.filePath("model");
        QVERIFY(QDir().mkpath(model));
        QVERIFY(QFile::copy(QString::fromStdString(src + "/config.json"), model + "/config.json"));
        QFile in(QString::fromStdString(src + "/model.safetensors"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray bytes = in.readAll();
        quint64 headerLen = 0;
        std::memcpy(&headerLen, bytes.constData(), 8);
        const QJsonObject header =
            QJsonDocument::fromJson(bytes.mid(8, static_cast<int>(headerLen))).object();
        const QJsonObject up = header.value("model.layers.0.mlp.up_proj.weight").toObject();
        QCOMPARE(up.value("dtype").toString(), QString("F32"));
        const qsizetype at =
            8 + static_cast<qsizetype>(headerLen) + up.value("data_offsets").toArray()[0].toInt();
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(bytes.data() + at + 4 * 17, &nan, 4);
        QFile out(model + "/model.safetensors");
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();
        GgufExportOptions o;
        o.model = model.toStdString();
        o.out = dir.filePath("x.gguf").toStdString();
        o.withTokenizer = false;
        auto r = exportGguf(o);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::FormatError);
        QVERIFY2(msg(r.error()).contains("'model.layers.0.mlp.up_proj.weight' holds NaN"),
                 qPrintable(msg(r.error())));
        QVERIFY(!std::filesystem::exists(o.out));
        QVERIFY(!std::filesystem::exists(o.out + ".part"));
    }

    void hostileTokenizerKeys_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("says");
        QTest::newRow("bert model") << 0 << "tokenizer.ggml.model 'bert' is not supported";
        QTest::newRow("unknown pre") << 1 << "tokenizer.ggml.pre 'falcon'";
        QTest::newRow("no pre") << 2 << "tokenizer.ggml.pre '(none)'";
        QTest::newRow("token_type length") << 3 << "'tokenizer.ggml.token_type' has 2 entries";
        QTest::newRow("token_type value") << 4 << "expected a token type 0-6";
        QTest::newRow("no merges") << 5 << "'tokenizer.ggml.merges' must be";
        QTest::newRow("tokens not strings") << 6 << "'tokenizer.ggml.tokens' must be";
        QTest::newRow("bad merge") << 7 << "entry 0 is not two tokens";
        QTest::newRow("model not a string") << 8 << "'tokenizer.ggml.model' must be a string";
    }

    void hostileTokenizerKeys()
    {
        QFETCH(int, row);
        QFETCH(QString, says);
        const std::vector<std::string> tokens = {"a", "b", "ab"};
        const auto base = [&](const std::string &pre) {
            std::vector<GgufKv> k = {ggufString("tokenizer.ggml.model", "gpt2"),
                                     ggufStrings("tokenizer.ggml.tokens", tokens),
                                     ggufStrings("tokenizer.ggml.merges", {"a b"})};
            if (!pre.empty())
                k.push_back(ggufString("tokenizer.ggml.pre", pre));
            return k;
        };
        std::vector<GgufKv> keys;
        switch (row) {
        case 0:
            keys = {ggufString("tokenizer.ggml.model", "bert"),
                    ggufStrings("tokenizer.ggml.tokens", tokens)};
            break;
        case 1:
            keys = base("falcon");
            break;
        case 2:
            keys = base("");
            break;
        case 3:
            keys = base("gpt-2");
            keys.push_back(ggufI32s("tokenizer.ggml.token_type", {1, 1}));
            break;
        case 4:
            keys = base("gpt-2");
            keys.push_back(ggufI32s("tokenizer.ggml.token_type", {1, 9, 1}));
            break;
        case 5:
            keys = {ggufString("tokenizer.ggml.model", "gpt2"),
                    ggufString("tokenizer.ggml.pre", "gpt-2"),
                    ggufStrings("tokenizer.ggml.tokens", tokens)};
            break;
        case 6:
            keys = {ggufString("tokenizer.ggml.model", "gpt2"),
                    ggufString("tokenizer.ggml.pre", "gpt-2"),
                    ggufI32s("tokenizer.ggml.tokens", {1, 2, 3}),
                    ggufStrings("tokenizer.ggml.merges", {"a b"})};
            break;
        case 7:
            keys = {ggufString("tokenizer.ggml.model", "gpt2"),
                    ggufString("tokenizer.ggml.pre", "gpt-2"),
                    ggufStrings("tokenizer.ggml.tokens", tokens),
                    ggufStrings("tokenizer.ggml.merges", {"ab"})};
            break;
        case 8:
            keys = {ggufU32("tokenizer.ggml.model", 2),
                    ggufStrings("tokenizer.ggml.tokens", tokens)};
            break;
        }
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/hostile.gguf";
        writeBytes(path, writeGguf(keys, {}).bytes);
        auto tok = Tokenizer::load(path);
        QVERIFY(!tok.ok());
        QVERIFY2(msg(tok.error()).contains(says), qPrintable(msg(tok.error())));
        QVERIFY2(msg(tok.error()).contains("hostile.gguf"), qPrintable(msg(tok.error())));
        // A tokenizer.json beside the file is used when the GGUF's own cannot be rebuilt.
        QFile::copy(QString::fromStdString(kShared + "/tokvec/gpt2.tokenizer.json"),
                    dir.path() + "/tokenizer.json");
        QCOMPARE(Tokenizer::pathForModel(path), dir.path().toStdString() + "/tokenizer.json");
    }

    void ownTokenizerWinsOverOneBeside()
    {
        QTemporaryDir dir;
        const auto keys =
            tokenizerKeys(QString::fromStdString(kShared + "/tokvec/gpt2.tokenizer.json"), "gpt-2");
        const std::string path = dir.path().toStdString() + "/m.gguf";
        writeBytes(path, writeGguf(keys, {}).bytes);
        QFile::copy(QString::fromStdString(
                        kShared + "/models/tokenizers/smollm2-135m-instruct/tokenizer.json"),
                    dir.path() + "/tokenizer.json");
        QCOMPARE(Tokenizer::pathForModel(path), path);
        // Without tokenizer keys the file beside it is the tokenizer, as before.
        const std::string bare = dir.path().toStdString() + "/bare.gguf";
        writeBytes(bare, writeGguf({ggufString("general.architecture", "llama")}, {}).bytes);
        QCOMPARE(Tokenizer::pathForModel(bare), dir.path().toStdString() + "/tokenizer.json");
    }
};

QTEST_APPLESS_MAIN(TestGgufExport)
#include "test_gguf_export.moc"
