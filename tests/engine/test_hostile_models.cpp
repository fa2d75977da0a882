// Issue 17 reproducers on model folders: a copy of the bundled terse-lm with one thing broken must be
// refused with an error that names the field or tensor, never loaded with silently different weights or
// defaults. Runs on a bare clone (the bundled model is committed).
#include "cli_test_util.h"
#include "file_util.h"
#include "terse/model.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace terse;
namespace fs = std::filesystem;

namespace {

const fs::path kModel = fs::path(TERSE_SOURCE_DIR) / "resources" / "models" / "terse-lm";



// A copy of the bundled model in `dir` with config.json edited by `edit`.
std::string copyWithConfig(const QTemporaryDir &dir, const std::function<void(nlohmann::json &)> &edit)
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

}  // namespace

class TestHostileModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!fs::exists(kModel / "config.json"))
            QSKIP("the bundled model is missing");
        QVERIFY(Model::load(kModel.string()).ok());
    }

    // Wrong-typed or out-of-range config values are errors naming the field (they used to be replaced by
    // defaults, or to reach torch as negative sizes).
    void badConfigValues_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");  // JSON
        QTest::addColumn<QString>("message");
        QTest::newRow("head_dim string") << "head_dim" << "\"abc\"" << "field 'head_dim' must be an integer, got \"abc\"";
        QTest::newRow("positions null") << "max_position_embeddings" << "null"
                                        << "field 'max_position_embeddings' must be an integer, got null";
        QTest::newRow("vocab 2^40") << "vocab_size" << "1099511627776"
                                    << "field 'vocab_size' must be an integer that fits in 32 bits";
        QTest::newRow("vocab too big") << "vocab_size" << "100000000" << "the vocabulary size (vocab_size) is 100000000";
        QTest::newRow("positions array") << "max_position_embeddings" << "[64]"
                                         << "field 'max_position_embeddings' must be an integer, got [64]";
        QTest::newRow("positions huge") << "max_position_embeddings" << "1099511627776"
                                        << "field 'max_position_embeddings' must be an integer that fits in 32 bits";
        QTest::newRow("intermediate 1e308") << "intermediate_size" << "1e308"
                                            << "field 'intermediate_size' must be an integer that fits in 32 bits";
        QTest::newRow("negative layers") << "num_hidden_layers" << "-3" << "hidden size / layers / heads";
        QTest::newRow("rope_theta string") << "rope_theta" << "\"big\"" << "field 'rope_theta' must be a finite number";
        QTest::newRow("tie not bool") << "tie_word_embeddings" << "\"yes\"" << "field 'tie_word_embeddings' must be true or false";
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
        QVERIFY2(m.error().detail.find(message.toStdString()) != std::string::npos, m.error().detail.c_str());
        QVERIFY2(m.error().detail.find("config.json") != std::string::npos, m.error().detail.c_str());
        QCOMPARE(m.error().code, ErrorCode::FormatError);
    }

    // An untied model without its output projection is refused (it used to load tied to the embeddings).
    void untiedModelNeedsLmHead()
    {
        QTemporaryDir dir;
        const std::string path = copyWithConfig(dir, [](nlohmann::json &c) { c["tie_word_embeddings"] = false; });
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QVERIFY2(m.error().detail.find("'lm_head.weight'") != std::string::npos, m.error().detail.c_str());
    }

    // Non-finite weights are detected on load and the tensor is named (they used to score every token NaN).
    void nanWeightsAreRefused()
    {
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
        for (std::size_t i = begin; i + 1 < end; i += 2) {  // bf16 quiet NaN 0x7FC0, little-endian
            bytes[i] = static_cast<char>(0xC0);
            bytes[i + 1] = static_cast<char>(0x7F);
        }
        testing::writeFileBytes(file, bytes);
        auto m = Model::load(path);
        QVERIFY(!m.ok());
        QVERIFY2(m.error().detail.find("'model.norm.weight' holds NaN or infinite values") != std::string::npos,
                 m.error().detail.c_str());
    }

    // The CLI maps a malformed model to exit 1 (README's table) with the field in the message.
    void cliExitCodeForABadModel()
    {
        QTemporaryDir dir;
        const std::string path = copyWithConfig(dir, [](nlohmann::json &c) { c["head_dim"] = "abc"; });
        const cli_test::Run r = cli_test::terse(
            {"compress", "--method", "dac", "--model", QString::fromStdString(path), "--rate", "0.5"},
            "Some words to compress here.");
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("field 'head_dim' must be an integer"), qPrintable(r.err));
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
