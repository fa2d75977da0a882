#pragma once
// Issue 14 checks shared by the compressor tests: corrected mode decides on whole atomic words.
#include "terse/compressor.h"
#include "terse/text_units.h"

#include <QRegularExpression>
#include <QString>
#include <QTest>

#include <string>
#include <vector>

namespace terse::testing {

// True when the result carries a warning or note with this code.
inline bool hasWarning(const CompressionResult &r, const std::string &code)
{
    for (const auto &w : r.warnings)
        if (w.code == code)
            return true;
    return false;
}

// A data column "method" with one row per registered method (tests that run every method).
inline void addMethodRows()
{
    QTest::addColumn<QString>("method");
    for (const auto &m : availableMethods())
        QTest::newRow(m.name.c_str()) << QString::fromStdString(m.name);
}

// The \w+|[^\w\s] pieces of a text (Unicode \w), where each character of a script written without
// spaces (CJK, Thai, Lao, Myanmar, Khmer) is a piece of its own: its words stand side by side, so
// kept words of such text always join into new \w runs (whole-word decisions there are checked on
// the units: unitsKeepWholeWords).
inline std::vector<std::string> textPieces(const std::string &text)
{
    static const QString scripts =
        QStringLiteral("\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Thai}\\p{Lao}\\p{Myanmar}\\p{Khmer}");
    static const QRegularExpression re("[" + scripts + "]\\p{M}*|(?:(?![" + scripts +
                                           "])\\w)+|[^\\w\\s]",
                                       QRegularExpression::UseUnicodePropertiesOption);
    std::vector<std::string> out;
    auto it = re.globalMatch(QString::fromStdString(text));
    while (it.hasNext())
        out.push_back(it.next().captured().toStdString());
    return out;
}

// True when the output's pieces are a subsequence of the prompt's (no fused or truncated word).
inline bool piecesSubsequence(const std::string &out, const std::string &prompt)
{
    const auto a = textPieces(out), b = textPieces(prompt);
    std::size_t j = 0;
    for (const auto &p : a) {
        while (j < b.size() && b[j] != p)
            ++j;
        if (j == b.size())
            return false;
        ++j;
    }
    return true;
}

// True when every atomic word's units share one decision (kept or dropped together).
inline bool unitsKeepWholeWords(const CompressionResult &r)
{
    for (std::size_t s = 0; s < r.segments.size(); ++s) {
        const std::string &text = r.segments[s].text;
        for (const Span &atom : splitAtomicWords(text)) {
            std::size_t e = atom.end;
            while (e > atom.begin && (text[e - 1] == ' ' || text[e - 1] == '\n' ||
                                      text[e - 1] == '\t' || text[e - 1] == '\r'))
                --e;
            std::size_t b = atom.begin;
            while (b < e &&
                   (text[b] == ' ' || text[b] == '\n' || text[b] == '\t' || text[b] == '\r'))
                ++b;
            int decision = -1;
            for (const Unit &u : r.units) {
                if (u.segment != static_cast<int>(s) || !(u.span.begin < e && b < u.span.end))
                    continue;
                const int k = u.kept ? 1 : 0;
                if (decision >= 0 && decision != k)
                    return false;
                decision = k;
            }
        }
    }
    return true;
}

// True when the output measures rate x the prompt in the result's own target-token counts within
// max(1%, 2 tokens), or the result says the forced text made the rate unreachable.
inline bool meetsTargetRate(const CompressionResult &r, double rate)
{
    for (const auto &w : r.warnings)
        if (w.code == "rate_unreachable")
            return true;
    if (r.targetTokensIn < 0 || r.targetTokensOut < 0)
        return false;
    const double want = rate * static_cast<double>(r.targetTokensIn);
    return std::abs(static_cast<double>(r.targetTokensOut) - want) <=
           std::max(2.0, std::floor(0.01 * static_cast<double>(r.targetTokensIn)));
}

} // namespace terse::testing
