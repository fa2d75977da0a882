// DAC reference mode against the golden outputs of the official code
// (shared/parity/golden/dac.jsonl, QQQ-yi/DAC@b1f6432 on tiny-gpt2-pos2048): kept token ids,
// compressed text, counts, ratio, kept_indices.
#include "terse/compressor.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using namespace terse;
using nlohmann::json;

namespace {
const std::string kShared = TERSE_SHARED_DIR;
const std::string kParity = kShared + "/parity";
// A record must match when its smallest top-k gap is above this: the fused scores lie in [0, 1] and
// the engine's float32 sums differ from PyTorch's summation order by about 1e-6.
constexpr double kMarginFloor = 2e-5;

// kept_indices of the last stage: positions (without the first token) in the last stage's input of
// the tokens its top-k kept (the _wosucce restores are not listed, compressor.py 287).
std::vector<int> keptIndices(const CompressionResult &r)
{
    std::set<int> before;
    for (std::size_t s = 0; s + 1 < r.stages.size(); ++s)
        before.insert(r.stages[s].removedUnits.begin(), r.stages[s].removedUnits.end());
    const Stage &last = r.stages.back();
    std::set<int> removed(last.removedUnits.begin(), last.removedUnits.end());
    const ScoreSeries *restored = nullptr;
    for (const auto &s : last.scores)
        if (s.name == "restored")
            restored = &s;
    std::vector<int> out;
    int pos = -1;
    for (int u = 0; u < static_cast<int>(r.units.size()); ++u) {
        if (before.count(u))
            continue;
        ++pos;
        if (pos == 0 || removed.count(u))
            continue;
        if (restored && restored->values[static_cast<std::size_t>(u)] == 1.0f)
            continue;
        out.push_back(pos - 1);
    }
    return out;
}
} // namespace

class TestDacParity : public QObject {
    Q_OBJECT
    int total = 0, matched = 0, aboveFloor = 0, matchedAbove = 0;
    QStringList misses;

private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kParity + "/golden/dac.jsonl"))
            QSKIP("TERSE_SHARED_DIR has no parity/golden/dac.jsonl");
    }

    void golden_data()
    {
        QTest::addColumn<QByteArray>("record");
        std::ifstream in(kParity + "/golden/dac.jsonl");
        std::string line;
        while (std::getline(in, line))
            if (!line.empty())
                QTest::newRow(json::parse(line)["id"].get<std::string>().c_str())
                    << QByteArray::fromStdString(line);
    }

    // One record: counts every mismatch; a record whose top-k margin is above kMarginFloor must
    // match.
    void golden()
    {
        QFETCH(QByteArray, record);
        auto dac = createCompressor("dac");
        QVERIFY(dac);
        {
            const json rec = json::parse(record.toStdString());
            ++total;
            const json &p = rec["params"];
            const json &out = rec["output"];
            CompressOptions o;
            o.method = "dac";
            o.mode = CompressionMode::Reference;
            o.model = kParity + "/models/" + rec["model"].get<std::string>();
            o.rate = 1.0 - p["compress_ratio"].get<double>();
            o.params["variant"] = p["method"].get<std::string>();
            o.params["fusion"] = p["fusion"].get<std::string>();
            o.params["alpha"] = std::to_string(p["alpha"].get<double>());
            o.params["stages"] =
                p["dyn_time"].is_null() ? "0" : std::to_string(p["dyn_time"].get<int>());
            o.params["preserve_punct"] = p["preserve_punct"].get<bool>() ? "true" : "false";
            auto r = (*dac)->compress(Prompt::fromText(rec["input"]["context"].get<std::string>()),
                                      o, JobContext::none());
            QVERIFY2(r, r ? "" : r.error().detail.c_str());
            // Kept ids: the token units left in the single-segment sequence.
            std::vector<int> keptIds = rec["trace"]["kept_token_ids"].get<std::vector<int>>();
            const double margin = rec["trace"]["margins"]["topk_min_gap"].get<double>();
            std::vector<std::string> bad;
            if (r->compressedText != out["compressed_text"].get<std::string>())
                bad.push_back("compressed_text");
            if (r->tokensIn != out["original_tokens"].get<long>())
                bad.push_back("original_tokens");
            if (r->tokensOut != out["compressed_tokens"].get<long>() ||
                r->tokensOut != static_cast<long>(keptIds.size()))
                bad.push_back("compressed_tokens");
            const double ratio =
                std::round((1.0 - static_cast<double>(r->tokensOut) / r->tokensIn) * 1000.0) /
                1000.0;
            if (std::abs(ratio - out["actual_ratio"].get<double>()) > 1e-9)
                bad.push_back("actual_ratio");
            if (keptIndices(*r) != out["kept_indices"].get<std::vector<int>>())
                bad.push_back("kept_indices");
            if (static_cast<int>(r->stages.size()) !=
                (p["method"].get<std::string>().rfind("dynamic", 0) == 0
                     ? out["dyn_time"].get<int>()
                     : 1))
                bad.push_back("stages");
            const bool above = margin > kMarginFloor;
            aboveFloor += above ? 1 : 0;
            if (bad.empty()) {
                ++matched;
                matchedAbove += above ? 1 : 0;
            } else {
                std::string all;
                for (const auto &b : bad)
                    all += (all.empty() ? "" : ",") + b;
                misses << QString("%1 (margin %2): %3")
                              .arg(QString::fromStdString(rec["id"].get<std::string>()))
                              .arg(margin)
                              .arg(QString::fromStdString(all));
                QVERIFY2(!above, qPrintable(misses.back()));
            }
        }
    }

    void cleanupTestCase()
    {
        if (total == 0)
            return;
        qInfo("DAC parity: %d of %d records match exactly; %d of %d records with margin > %g match",
              matched, total, matchedAbove, aboveFloor, kMarginFloor);
        for (const auto &m : misses)
            qInfo("  miss: %s", qPrintable(m));
        QCOMPARE(matchedAbove, aboveFloor);
    }
};

QTEST_GUILESS_MAIN(TestDacParity)
#include "test_dac_parity.moc"
