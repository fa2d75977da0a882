#include "comparison.h"

#include "terse/metrics.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include <QCoreApplication>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

namespace terse::app {

namespace {

// Target tokenizers load once per name (rank files take a while) and are shared: Tokenizer is
// const-safe.
const terse::Tokenizer *targetTokenizer(const std::string &name)
{
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<terse::Tokenizer>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(name);
    if (it == cache.end()) {
        std::unique_ptr<terse::Tokenizer> tok;
        if (auto path = terse::targetTokenizerPath(name)) {
            if (auto t = terse::Tokenizer::load(*path))
                tok = std::make_unique<terse::Tokenizer>(std::move(*t));
        } else if (auto t = terse::Tokenizer::load(name)) { // a path to a tokenizer file
            tok = std::make_unique<terse::Tokenizer>(std::move(*t));
        }
        it = cache.emplace(name, std::move(tok)).first;
    }
    return it->second.get();
}

long countTokens(const terse::Tokenizer *tok, const std::string &text)
{
    if (!tok)
        return -1;
    terse::EncodeOptions eo;
    eo.specialText = terse::SpecialText::AsText;
    auto n = tok->countTokens(text, eo);
    return n ? static_cast<long>(*n) : -1;
}

} // namespace

double metricValue(const RunMetrics &m, FidelityMetric which)
{
    switch (which) {
    case FidelityMetric::Rouge1:
        return m.rouge1;
    case FidelityMetric::RougeL:
        return m.rougeL;
    case FidelityMetric::Bleu:
        return m.bleu;
    }
    return m.rougeL;
}

std::string originalText(const terse::CompressionResult &result)
{
    std::string out;
    for (std::size_t i = 0; i < result.segments.size(); ++i) {
        if (i > 0)
            out += "\n\n";
        out += result.segments[i].text;
    }
    return out;
}

RunMetrics measureResult(const terse::CompressionResult &result,
                         const std::string &targetTokenizerName)
{
    RunMetrics m;
    const std::string original = originalText(result);
    m.rouge1 = terse::rougeN(result.compressedText, original, 1).f1;
    m.rougeL = terse::rougeL(result.compressedText, original).f1;
    m.bleu = terse::bleu(result.compressedText, original);
    m.targetTokensIn = result.targetTokensIn;
    m.targetTokensOut = result.targetTokensOut;
    if ((m.targetTokensIn < 0 || m.targetTokensOut < 0) && !targetTokenizerName.empty()) {
        const terse::Tokenizer *tok = targetTokenizer(targetTokenizerName);
        m.targetTokensIn = countTokens(tok, original);
        m.targetTokensOut = m.targetTokensIn < 0 ? -1 : countTokens(tok, result.compressedText);
    }
    return m;
}

QString settingsLabel(const terse::CompressOptions &o)
{
    QStringList parts;
    parts << QString::fromStdString(o.method);
    if (o.targetTokens >= 0)
        parts << QCoreApplication::translate("terse::app::Comparison", "budget %1 tokens")
                     .arg(o.targetTokens);
    else
        parts << QCoreApplication::translate("terse::app::Comparison", "rate %1")
                     .arg(o.rate, 0, 'f', 2);
    if (o.mode == terse::CompressionMode::Reference)
        parts << QCoreApplication::translate("terse::app::Comparison", "reference");
    if (!o.params.empty())
        parts << formatParams(o.params);
    return parts.join(QStringLiteral(" · "));
}

QString resultLabel(const terse::CompressionResult &r)
{
    QStringList parts;
    parts << QString::fromStdString(r.method)
          << QCoreApplication::translate("terse::app::Comparison", "rate %1")
                 .arg(r.requestedRate, 0, 'f', 2);
    if (r.mode == terse::CompressionMode::Reference)
        parts << QCoreApplication::translate("terse::app::Comparison", "reference");
    return parts.join(QStringLiteral(" · "));
}

bool parseParams(const QString &text, std::map<std::string, std::string> *params, QString *badPiece)
{
    std::map<std::string, std::string> out;
    for (const QString &piece : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QString p = piece.trimmed();
        if (p.isEmpty())
            continue;
        const qsizetype eq = p.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            if (badPiece)
                *badPiece = p;
            return false;
        }
        out[p.left(eq).trimmed().toStdString()] = p.mid(eq + 1).trimmed().toStdString();
    }
    *params = std::move(out);
    return true;
}

QString formatParams(const std::map<std::string, std::string> &params)
{
    QStringList parts;
    for (const auto &[k, v] : params)
        parts << QString::fromStdString(k) + QLatin1Char('=') + QString::fromStdString(v);
    return parts.join(QStringLiteral("; "));
}

std::map<std::string, std::string>
nonDefaultParams(const std::vector<terse::OptionSpec> &specs,
                 const std::map<std::string, std::string> &params)
{
    std::map<std::string, std::string> out;
    for (const auto &[key, value] : params) {
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&key = key](const auto &s) { return s.name == key; });
        if (spec == specs.end()) {
            out[key] = value;
            continue;
        }
        bool same = value == spec->defaultValue;
        if (!same && (spec->type == terse::OptionSpec::Type::Double ||
                      spec->type == terse::OptionSpec::Type::Int)) {
            bool ok1 = false, ok2 = false;
            const double a = QString::fromStdString(value).toDouble(&ok1);
            const double b = QString::fromStdString(spec->defaultValue).toDouble(&ok2);
            same = ok1 && ok2 && std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b));
        }
        if (!same)
            out[key] = value;
    }
    return out;
}

QVector<terse::widgets::DiffWord> wordMarks(const terse::CompressionResult &result)
{
    using terse::widgets::DiffWord;
    const std::string text = originalText(result);
    // Byte mask of kept bytes over the joined text; separators between segments count as
    // whitespace.
    std::vector<std::size_t> segmentStart(result.segments.size(), 0);
    for (std::size_t i = 1; i < result.segments.size(); ++i)
        segmentStart[i] = segmentStart[i - 1] + result.segments[i - 1].text.size() + 2;
    std::vector<char> kept(text.size(), 0);
    for (const auto &u : result.units) {
        if (!u.kept || u.segment < 0 || u.segment >= static_cast<int>(segmentStart.size()))
            continue;
        const std::size_t base = segmentStart[static_cast<std::size_t>(u.segment)];
        for (std::size_t b = u.span.begin; b < u.span.end && base + b < kept.size(); ++b)
            kept[base + b] = 1;
    }
    auto isSpace = [](unsigned char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    QVector<DiffWord> words;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t begin = i;
        while (i < text.size() &&
               isSpace(static_cast<unsigned char>(text[i]))) // leading whitespace (first word)
            ++i;
        std::size_t total = 0, keptBytes = 0;
        while (i < text.size() && !isSpace(static_cast<unsigned char>(text[i]))) {
            ++total;
            keptBytes += kept[i] ? 1 : 0;
            ++i;
        }
        while (i < text.size() && isSpace(static_cast<unsigned char>(text[i])))
            ++i;
        DiffWord w;
        w.text = QString::fromUtf8(text.data() + begin, static_cast<qsizetype>(i - begin));
        w.mark = keptBytes == total ? DiffWord::Mark::Kept
                 : keptBytes == 0   ? DiffWord::Mark::Dropped
                                    : DiffWord::Mark::Partial;
        words.push_back(std::move(w));
    }
    return words;
}

void markDisputes(QVector<QVector<terse::widgets::DiffWord>> &outputs)
{
    if (outputs.size() < 2)
        return;
    qsizetype n = outputs.front().size();
    for (const auto &o : outputs)
        n = std::min(n, o.size()); // the same prompt gives the same words; guard anyway
    for (qsizetype w = 0; w < n; ++w) {
        bool differ = false;
        for (qsizetype k = 1; k < outputs.size() && !differ; ++k)
            differ = outputs[k][w].mark != outputs[0][w].mark;
        for (auto &o : outputs)
            o[w].disputed = differ;
    }
}

} // namespace terse::app
